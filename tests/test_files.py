"""files: only regular files are read, with a cap; a unit's outputs are published all or none; safe names."""

from __future__ import annotations

import errno
import os
import pickle
import threading
import time
from pathlib import Path

import pytest

from disclosure import files
from disclosure.errors import OutputError
from disclosure.files import (
    MAX_NAME_BYTES,
    MAX_STEM_BYTES,
    FileRefused,
    StagedOutputs,
    read_regular_file,
    safe_file_stem,
    stem_length_problem,
)

# --------------------------------------------------------------------------- reading


def test_a_regular_file_is_read_whole(tmp_path: Path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 1000)
    assert read_regular_file(path, 1000, "a CSV") == b"x" * 1000


def test_a_file_over_its_cap_is_refused_by_its_size(tmp_path: Path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(200_000_000)  # sparse: nothing is written to disk
    start = time.perf_counter()
    with pytest.raises(FileRefused, match=r"big\.csv: is 200\.0 MB; a catalogue CSV may be at most 5\.0 MB"):
        read_regular_file(path, 5_000_000, "a catalogue CSV")
    assert time.perf_counter() - start < 1


def test_the_cap_holds_while_reading_a_file_that_reports_no_size():
    status = Path("/proc/self/status")  # a regular file of size 0 that has content
    if not status.is_file() or status.stat().st_size != 0:
        pytest.skip("needs Linux /proc")
    with pytest.raises(FileRefused, match="is larger than 10 bytes, the most a status may hold"):
        read_regular_file(status, 10, "a status")


@pytest.mark.parametrize(("make", "kind"), [
    (lambda d: os.mkfifo(d / "x"), "is a named pipe (FIFO), not a regular file"),
    (lambda d: (d / "x").mkdir(), "is a folder"),
    (None, "no such file"),
])
def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, make, kind: str):
    if make is not None:
        make(tmp_path)
    start = time.perf_counter()
    with pytest.raises(FileRefused) as info:
        read_regular_file(tmp_path / "x", 1000, "a budget model")
    assert time.perf_counter() - start < 1
    assert str(info.value) == f"{tmp_path / 'x'}: {kind}; expected a budget model"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_never_read(device: str):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    with pytest.raises(FileRefused, match=f"^{device}: is a device, not a regular file; expected a model$"):
        read_regular_file(device, 10**9, "a model")


def test_a_fifo_without_a_writer_does_not_block(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    thread = threading.Thread(target=lambda: outcome.append(pytest.raises(FileRefused, files.check_regular_file,
                                                                           fifo, 10, "a template")))
    thread.start()
    thread.join(timeout=2)
    assert not thread.is_alive() and outcome


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(("name", "stem"), [
    ("晋城市总工会-2024-单位预算公开", "晋城市总工会-2024-单位预算公开"),
    ("../x", "_x"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("..", "report"),
    ("a/b\\c", "a_b_c"),
    ("/absolute", "_absolute"),
    ("CON", "_CON"),
    ("con.report", "_con.report"),
    ("LPT9", "_LPT9"),
    ("COM1 .txt", "_COM1 .txt"),
    ("CONSOLE", "CONSOLE"),
    ("报告\u202egpj.exe", "报告gpj.exe"),
    ("a\u2066b\u2069c\u200e\u200f\u061c", "abc"),
    ("tab\there\x7f", "tab_here_"),
    ("name. . ", "name"),
    (" .hidden", "hidden"),
    ('a:b*c?d"e<f>g|h', "a_b_c_d_e_f_g_h"),
    ("", "report"),
])
def test_names_stay_plain_file_names_in_the_output_folder(name: str, stem: str):
    assert safe_file_stem(name) == stem
    assert safe_file_stem(stem) == stem


def test_a_name_is_checked_against_the_file_name_limit_with_its_longest_suffix():
    assert MAX_NAME_BYTES - len(".docx") == MAX_STEM_BYTES
    assert stem_length_problem("很" * (MAX_STEM_BYTES // 3)) is None
    problem = stem_length_problem("很" * 84)
    assert problem is not None and "252 bytes" in problem and "at most 250" in problem


def test_every_file_name_the_library_writes_fits_when_the_stem_does(tmp_path: Path):
    """The longest stem still makes valid staged files, backups and temporary files."""
    stem = "名" * (MAX_STEM_BYTES // 3)
    (tmp_path / f"{stem}.docx").write_bytes(b"old")
    with StagedOutputs(tmp_path, stem) as outputs:
        outputs.write(".docx", lambda h: h.write(b"new"))
        outputs.write(".xlsx", lambda h: h.write(b"sheet"))
        outputs.commit()
    files.write_atomically(tmp_path / f"{stem}.json", b"{}")
    assert (tmp_path / f"{stem}.docx").read_bytes() == b"new"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".json", ".xlsx"]


# --------------------------------------------------------------------------- staged outputs


def _previous(folder: Path) -> dict[str, bytes]:
    (folder / "r.docx").write_bytes(b"old docx")
    (folder / "r.json").write_bytes(b"old json")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_commit_publishes_every_output_and_removes_the_staging_folder(tmp_path: Path):
    _previous(tmp_path)
    outputs = StagedOutputs(tmp_path, "r")
    outputs.write(".docx", lambda h: h.write(b"new docx"))
    outputs.write(".json", lambda h: h.write(b"new json"))
    outputs.path_for(".pdf").write_bytes(b"new pdf")  # a tool writing by path (LibreOffice)
    written = outputs.commit()
    assert written == {s: tmp_path / f"r{s}" for s in (".docx", ".json", ".pdf")}
    assert _snapshot(tmp_path) == {"r.docx": b"new docx", "r.json": b"new json", "r.pdf": b"new pdf"}
    assert (tmp_path / "r.docx").stat().st_mode & 0o777 == 0o666 & ~files._umask()


def test_a_failure_before_commit_leaves_everything_as_it_was(tmp_path: Path):
    before = _previous(tmp_path)
    with pytest.raises(RuntimeError), StagedOutputs(tmp_path, "r") as outputs:
        outputs.write(".docx", lambda h: h.write(b"new docx"))
        raise RuntimeError("the PDF failed")
    assert _snapshot(tmp_path) == before


def test_ctrl_c_while_producing_leaves_everything_as_it_was(tmp_path: Path):
    before = _previous(tmp_path)
    with pytest.raises(KeyboardInterrupt), StagedOutputs(tmp_path, "r") as outputs:
        outputs.write(".docx", lambda h: h.write(b"half"))
        raise KeyboardInterrupt
    assert _snapshot(tmp_path) == before


def test_a_disk_error_while_writing_is_an_output_error_and_changes_nothing(tmp_path: Path):
    before = _previous(tmp_path)

    def full(handle):
        handle.write(b"part")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=r"r\.docx: cannot write the report \(No space left on device\)"), \
            StagedOutputs(tmp_path, "r") as outputs:
        outputs.write(".docx", full)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("failing_rename", [1, 2, 3])
def test_a_failed_rename_puts_back_what_was_already_replaced(tmp_path: Path, monkeypatch, failing_rename: int):
    before = _previous(tmp_path)
    replace, calls = os.replace, []

    def flaky(source, target):
        calls.append(target)
        if len(calls) == failing_rename:
            raise OSError(errno.EIO, "Input/output error")
        return replace(source, target)

    outputs = StagedOutputs(tmp_path, "r")
    for suffix in (".docx", ".json", ".pdf"):  # the PDF is new: it must not be left behind
        outputs.write(suffix, lambda h, s=suffix: h.write(f"new {s}".encode()))
    monkeypatch.setattr(files.os, "replace", flaky)
    with pytest.raises(OutputError, match="no file of this report was changed"):
        outputs.commit()
    assert _snapshot(tmp_path) == before


def test_ctrl_c_between_two_renames_puts_back_the_first(tmp_path: Path, monkeypatch):
    before = _previous(tmp_path)
    replace, calls = os.replace, []

    def interrupted(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return replace(source, target)

    outputs = StagedOutputs(tmp_path, "r")
    outputs.write(".docx", lambda h: h.write(b"new"))
    outputs.write(".json", lambda h: h.write(b"new"))
    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outputs.commit()
    assert _snapshot(tmp_path) == before


def test_without_hard_links_the_backup_is_a_copy(tmp_path: Path, monkeypatch):
    before = _previous(tmp_path)

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    replace, calls = os.replace, []

    def fail_second(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        return replace(source, target)

    monkeypatch.setattr(files.os, "link", no_links)
    outputs = StagedOutputs(tmp_path, "r")
    outputs.write(".docx", lambda h: h.write(b"new"))
    outputs.write(".json", lambda h: h.write(b"new"))
    monkeypatch.setattr(files.os, "replace", fail_second)
    with pytest.raises(OutputError):
        outputs.commit()
    assert _snapshot(tmp_path) == before


def test_an_output_that_was_asked_for_but_not_produced_fails_the_commit(tmp_path: Path):
    before = _previous(tmp_path)
    outputs = StagedOutputs(tmp_path, "r")
    outputs.write(".docx", lambda h: h.write(b"new"))
    outputs.path_for(".pdf")  # LibreOffice was to write it
    with pytest.raises(OutputError, match=r"r\.pdf: was not produced"):
        outputs.commit()
    assert _snapshot(tmp_path) == before


def test_a_target_that_is_a_folder_is_refused_before_anything_is_produced(tmp_path: Path):
    (tmp_path / "r.json").mkdir()
    outputs = StagedOutputs(tmp_path, "r")
    with pytest.raises(OutputError, match=r"r\.json: exists and is not a regular file"), outputs:
        outputs.path_for(".json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_new_output_folder_is_removed_again_when_nothing_is_written(tmp_path: Path):
    outputs = StagedOutputs(tmp_path / "new" / "deeper", "r")
    outputs.write(".docx", lambda h: h.write(b"x"))
    outputs.discard()
    assert list(tmp_path.iterdir()) == []


def test_staged_outputs_cross_a_process_boundary(tmp_path: Path):
    outputs = StagedOutputs(tmp_path, "r")
    outputs.write(".docx", lambda h: h.write(b"from a worker"))
    copy = pickle.loads(pickle.dumps(outputs))
    assert copy.commit() == {".docx": tmp_path / "r.docx"}
    assert (tmp_path / "r.docx").read_bytes() == b"from a worker"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.docx"]


def test_an_unsafe_stem_is_a_programming_error(tmp_path: Path):
    with pytest.raises(ValueError, match="not a safe file name stem"):
        StagedOutputs(tmp_path, "../x")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_after_the_last_rename_leaves_the_files_in_place_only_if_counted_written(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch):
    """A batch counts a unit written by StagedOutputs.committed. Ctrl-C between the last rename and that record
    once left a report in place that the summary called interrupted (test_faults, a full run)."""
    import os as os_module

    from disclosure import files

    outputs = files.StagedOutputs(tmp_path / "out", "报告")
    outputs.write(".docx", lambda handle: handle.write(b"new"))
    renamed = []
    real_replace = os_module.replace

    def replace(source, target):
        real_replace(source, target)
        renamed.append(target)

    real_target = files.StagedOutputs.target

    interrupted = []

    def target(self, suffix):
        if renamed and not interrupted:  # the renames are done: the next look-up records what was written
            interrupted.append(suffix)
            raise KeyboardInterrupt  # once, as a signal arrives
        return real_target(self, suffix)

    monkeypatch.setattr(files.os, "replace", replace)
    monkeypatch.setattr(files.StagedOutputs, "target", target)
    with pytest.raises(KeyboardInterrupt):
        outputs.commit()
    in_place = (tmp_path / "out" / "报告.docx").exists()
    assert in_place == (outputs.committed is not None), (in_place, outputs.committed)


def test_ctrl_c_while_the_output_folder_is_made_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An interrupted build writes nothing, not even its output folder (test_faults' Ctrl-C at 0.4 s once found
    an empty out/ left behind: the folder was made, the staging folder not yet)."""
    def interrupted_mkdtemp(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.tempfile, "mkdtemp", interrupted_mkdtemp)
    with pytest.raises(KeyboardInterrupt):
        files.StagedOutputs(tmp_path / "out" / "deeper", "报告")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- what killed builds leave


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/stat").exists(), reason="process start times come from /proc")
def test_a_staging_folder_whose_process_id_was_given_to_a_later_process_is_abandoned(tmp_path: Path):
    """A process id is reused (after a reboot, or after many processes): the owner is told apart by its start."""
    import json
    import socket

    def folder(name: str, started: str | None, **elsewhere: str) -> Path:
        path = tmp_path / f"{files.STAGING_PREFIX}{name}"
        path.mkdir()
        owner = {"host": socket.gethostname(), **files._process_ids(), "pid": os.getpid(), "started": started,
                 **elsewhere}
        (path / files.OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
        return path

    ours = folder("ours", files._process_start(os.getpid()))
    reused = folder("reused", "1")  # this process id, but a process that started one tick after boot
    unknown_start = folder("unknown", None)
    # the same id in another PID namespace (a container sharing the host name) or before a reboot (or on another
    # machine of the same name): not this process, but perhaps a running one
    kept = [folder("namespace", "1", pid_namespace="pid:[1]"), folder("boot", "1", boot="another-boot")]
    assert files.remove_abandoned_staging(tmp_path) == (reused,)
    assert ours.is_dir() and unknown_start.is_dir() and not reused.exists()
    assert all(path.is_dir() for path in kept)


def test_a_staging_folder_names_the_process_that_publishes_it(tmp_path: Path):
    import json

    outputs = StagedOutputs(tmp_path, "unit", owner=os.getppid())
    owner = json.loads((outputs.staging / files.OWNER_FILE).read_text(encoding="utf-8"))
    assert owner["pid"] == os.getppid()
    assert files.remove_abandoned_staging(tmp_path) == ()  # its owner runs
    outputs.discard()
    assert list(tmp_path.iterdir()) == []
