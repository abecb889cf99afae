"""Faults at any stage of a build, as a user meets them through the CLI (issue 9).

A build that asks for .docx, PDF and JSON writes all of them or none: whatever fails (LibreOffice
exiting 1 or hanging, an attachment that is not a PDF, a JSON target that is a folder), every
existing output stays byte-identical and no new file appears, neither in the output folder nor in
the temporary folder.  Ctrl-C stops a batch within 2 seconds, workers and LibreOffice included.
LibreOffice is replaced by small scripts (``DISCLOSURE_SOFFICE``), so none of this needs it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from libreoffice import needs_soffice

from disclosure import batch

UNIT = "unit: {name: 测试单位, code: '001', fiscal_year: 2025}\n"
LINES = "budget:\n  lines:\n    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000}\n"
MODEL = UNIT + LINES + "appendix: null\n"
NAME = "测试单位-2025-单位预算公开"


class Run:
    """A folder with a model, a private temporary folder, and the CLI run in it."""

    def __init__(self, folder: Path, model: str = MODEL):
        self.folder = folder
        self.out = folder / "out"
        self.tmp = folder / "tmp"
        self.tmp.mkdir()
        (folder / "unit.yaml").write_text(model, encoding="utf-8")

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "TMPDIR": str(self.tmp), **extra}

    def __call__(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=self.folder, env=self.env(**env),
                              capture_output=True, text=True, timeout=timeout)

    def script(self, name: str, body: str) -> Path:
        path = self.folder / name
        path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
        path.chmod(0o755)
        return path

    def outputs(self) -> dict[str, tuple[bytes, int]]:
        """Every file of the output folder with its bytes and modification time."""
        if not self.out.exists():
            return {}
        return {p.name: (p.read_bytes() if p.is_file() else b"<folder>", p.stat().st_mtime_ns) for p in self.out.iterdir()}


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


# --------------------------------------------------------------------------- all or nothing


def _failing_builds(run: Run) -> list[tuple[list[str], dict[str, str], str]]:
    """(arguments, environment, message) of builds that fail after the .docx could have been written."""
    exits_1 = run.script("soffice-fails", "echo 'conversion failed' >&2\nexit 1\n")
    hangs = run.script("soffice-hangs", "sleep 60\n")
    junk = run.script("soffice-junk", 'for a; do case "$prev" in --outdir) out=$a;; esac; prev=$a; last=$a; done\n'
                                      'printf "not a pdf" > "$out/$(basename "$last" .docx).pdf"\n')
    (run.folder / "scan.pdf").write_bytes(b"not a PDF at all")
    (run.folder / "with-attachment.yaml").write_text(
        MODEL + "report: {attachments: [{file: scan.pdf, title: 附件}]}\n", encoding="utf-8")
    return [
        (["unit.yaml", "--pdf", "--json"], {"DISCLOSURE_SOFFICE": str(exits_1)}, "LibreOffice could not convert"),
        (["unit.yaml", "--pdf", "--json"], {"DISCLOSURE_SOFFICE": str(hangs), "DISCLOSURE_SOFFICE_TIMEOUT": "1"},
         "LibreOffice did not finish within 1 s"),
        (["unit.yaml", "--pdf", "--json"], {"DISCLOSURE_SOFFICE": str(junk)},
         f"{NAME}.pdf: what LibreOffice wrote is not a readable PDF"),
        (["with-attachment.yaml", "--pdf", "--json"], {"DISCLOSURE_SOFFICE": str(exits_1)},
         "with-attachment.yaml:6 report.attachments[0].file: scan.pdf: is not a PDF"),
    ]


def test_a_failed_build_leaves_the_previous_report_byte_identical(run: Run):
    first = run("build", "unit.yaml", "-o", "out", "--json")
    assert first.returncode == 0, first.stderr
    before = run.outputs()
    assert sorted(before) == [f"{NAME}.docx", f"{NAME}.json"]
    for arguments, env, message in _failing_builds(run):
        start = time.perf_counter()
        result = run("build", *arguments, "-o", "out", **env)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        _clean(result)
        # only our message: nothing pypdf logged about the broken file's bytes
        assert "pdf header" not in result.stderr and "EOF marker" not in result.stderr, result.stderr
        assert time.perf_counter() - start < 30
        assert run.outputs() == before, arguments
        assert list(run.tmp.iterdir()) == [], arguments


def test_a_failed_build_without_a_previous_report_writes_nothing(run: Run):
    for arguments, env, message in _failing_builds(run):
        result = run("build", *arguments, "-o", "out", **env)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert not run.out.exists(), (arguments, list(run.out.iterdir()))
        assert list(run.tmp.iterdir()) == []


def test_a_json_target_that_is_a_folder_fails_before_the_report_is_replaced(run: Run):
    assert run("build", "unit.yaml", "-o", "out").returncode == 0
    (run.out / f"{NAME}.json").mkdir()
    before = run.outputs()
    result = run("build", "unit.yaml", "-o", "out", "--json")
    assert result.returncode == 2
    assert f"out/{NAME}.json: exists and is not a regular file, so the report cannot replace it" in result.stderr
    _clean(result)
    assert run.outputs() == before and list(run.tmp.iterdir()) == []


def test_a_batch_with_pdfs_writes_each_unit_whole_or_not_at_all(run: Run):
    exits_1 = run.script("soffice-fails", "exit 1\n")
    for name in ("甲", "乙"):
        (run.folder / f"{name}.yaml").write_text(MODEL + f"report: {{output_name: {name}}}\n", encoding="utf-8")
    result = run("build", "甲.yaml", "乙.yaml", "-o", "out", "--pdf", "-j", "2", DISCLOSURE_SOFFICE=str(exits_1))
    assert result.returncode == 2 and "LibreOffice could not convert" in result.stderr, result.stderr
    _clean(result)
    assert not run.out.exists() and list(run.tmp.iterdir()) == []


def _soffice_wrapper(run: Run, cases: str) -> Path:
    """A ``soffice`` that runs the real one, except for the argument patterns of ``cases`` (sh ``case``)."""
    real = shutil.which("soffice")
    return run.script("soffice-wrapper", f'case "$*" in\n{cases}\nesac\nexec {real} "$@"\n')


@pytest.mark.pdf
@needs_soffice
@pytest.mark.parametrize(("case", "said"), [
    ("exit 1", "LibreOffice could not convert 乙.docx"),
    ("exec sleep 60", "LibreOffice did not finish within 8 s (set DISCLOSURE_SOFFICE_TIMEOUT to allow more) "
                      "(converting 乙.docx)"),
])
def test_a_batch_pdf_that_fails_or_hangs_fails_its_unit_alone(run: Run, case: str, said: str):
    """Each report is one conversion of a LibreOffice kept running: one that fails, or hangs and is
    stopped with that LibreOffice, costs its unit only; the next report starts LibreOffice again."""
    wrapper = _soffice_wrapper(run, f"  *乙.docx*) {case};;")
    for name in ("甲", "乙", "丙"):
        (run.folder / f"{name}.yaml").write_text(MODEL + f"report: {{output_name: {name}}}\n", encoding="utf-8")
    result = run("build", "甲.yaml", "乙.yaml", "丙.yaml", "-o", "out", "--pdf", "-j", "2",
                 DISCLOSURE_SOFFICE=str(wrapper), DISCLOSURE_SOFFICE_TIMEOUT="8", timeout=300)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    _clean(result)
    assert sorted(p.name for p in run.out.iterdir()) == ["丙.docx", "丙.pdf", "甲.docx", "甲.pdf"]
    assert "2 of 3 reports written" in result.stdout
    assert list(run.tmp.iterdir()) == [] and _processes_mentioning(str(run.folder)) == []


@pytest.mark.pdf
@needs_soffice
def test_a_catalogue_that_cannot_be_laid_out_alone_is_converted_with_each_report(run: Run):
    wrapper = _soffice_wrapper(run, "  *part.docx*) exit 1;;")
    (run.folder / "cat.csv").write_text("department,code,level,name,parent_code\n宣传部,A,1,公共服务,\n",
                                        encoding="utf-8")
    for name in ("甲", "乙"):
        (run.folder / f"{name}.yaml").write_text(UNIT + LINES + "appendix: {catalogue: cat.csv}\n"
                                                 f"report: {{output_name: {name}}}\n", encoding="utf-8")
    result = run("build", "甲.yaml", "乙.yaml", "-o", "out", "--pdf", "-j", "2", DISCLOSURE_SOFFICE=str(wrapper),
                 timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in run.out.iterdir()) == ["乙.docx", "乙.pdf", "甲.docx", "甲.pdf"]
    from pypdf import PdfReader

    assert "公共服务" in "".join(page.extract_text() for page in PdfReader(run.out / "甲.pdf").pages)
    assert list(run.tmp.iterdir()) == [] and _processes_mentioning(str(run.folder)) == []


# --------------------------------------------------------------------------- kill -9

_KILLED_BUILD = """\
import sys, time
from disclosure.files import StagedOutputs
outputs = StagedOutputs(sys.argv[1], "killed")
outputs.write(".docx", lambda handle: handle.write(b"a complete report nobody will publish"))
print(outputs.staging, flush=True)
time.sleep(60)
"""


def _killed_build(out: Path) -> Path:
    """The staging folder of a build that SIGKILL stopped after it staged its .docx (no clean-up could run)."""
    child = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD, str(out)], stdout=subprocess.PIPE, text=True)
    staging = Path(child.stdout.readline().strip())
    child.kill()
    child.wait()
    return staging


def _staging_folder(out: Path, name: str, owner: str, *files: str) -> Path:
    folder = out / name
    folder.mkdir()
    (folder / ".owner").write_text(owner, encoding="utf-8")
    for file in files:
        (folder / file).write_bytes(b"the previous report")
    return folder


@pytest.mark.parametrize("models", [["unit.yaml"], ["unit.yaml", "other.yaml"]], ids=["build", "batch"])
def test_the_next_build_removes_what_a_killed_build_left_and_nothing_else(run: Run, models: list[str]):
    """kill -9 (the OOM killer, a CI job's time-out) leaves a hidden staging folder holding a whole report; the
    next build or batch into the folder removes it. Kept: a running build's folder, another host's, one holding
    a backup (its build died while publishing: the backup is the previous report's only copy), a failed roll-back's
    ``-kept`` folder, a folder without an owner and a link named like a staging folder."""
    from disclosure.files import StagedOutputs

    (run.folder / "other.yaml").write_text(MODEL.replace("测试单位", "另一单位"), encoding="utf-8")
    killed = _killed_build(run.out)
    assert (killed / "killed.docx").is_file()
    dead = (killed / ".owner").read_text(encoding="utf-8")
    running = StagedOutputs(run.out, "running")
    kept = [
        running.staging,
        _staging_folder(run.out, ".disclosure-elsewhere", dead.replace(os.uname().nodename, "another-host")),
        _staging_folder(run.out, ".disclosure-publishing", dead, "backup-0"),
        _staging_folder(run.out, ".disclosure-rollback-kept", dead, "previous.docx"),
        _staging_folder(run.out, ".disclosure-unowned", "", "x.docx"),
    ]
    outside = _staging_folder(run.folder, "outside", dead, "x.docx")
    (run.out / ".disclosure-link").symlink_to(outside)

    result = run("build", *models, "-o", "out")
    assert result.returncode == 0, result.stderr
    _clean(result)
    assert not killed.exists()
    assert all(folder.is_dir() for folder in kept), [f.name for f in kept if not f.is_dir()]
    assert (run.out / ".disclosure-link").is_symlink() and (outside / "x.docx").is_file()
    assert (run.out / f"{NAME}.docx").is_file()
    running.discard()


def test_a_pdf_batch_into_a_folder_that_cannot_be_made_fails_each_unit_with_its_reason(run: Run):
    (run.folder / "other.yaml").write_text(MODEL.replace("测试单位", "另一单位"), encoding="utf-8")
    (run.folder / "a-file").write_text("", encoding="utf-8")
    result = run("build", "unit.yaml", "other.yaml", "-o", "a-file/out", "--pdf")
    assert result.returncode != 0
    _clean(result)
    assert result.stderr.count("a-file/out: cannot create the output folder (Not a directory)") == 2, result.stderr
    assert "Errno" not in result.stderr


# --------------------------------------------------------------------------- Ctrl-C


def _processes_mentioning(text: str) -> list[int]:
    """Running processes whose command line contains ``text`` (zombies are dead, and not counted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command and state != "Z":
            found.append(int(entry.name))
    return found


def _interrupt(run: Run, arguments: list[str], *, after: float | None = None, marker: Path | None = None,
               **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Start the CLI, send SIGINT (after ``after`` seconds, or once ``marker`` exists); the result and
    how long the process took to end after the signal."""
    process = subprocess.Popen([sys.executable, "-m", "disclosure", *arguments], cwd=run.folder, env=run.env(**env),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    if marker is not None:
        while not any(marker.parent.glob(marker.name)) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, process.communicate()
    else:
        time.sleep(after or 0)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), time.monotonic() - sent


def _example_copies(run: Run, example_path: Path, count: int) -> list[str]:
    text = example_path.read_text(encoding="utf-8")
    names = []
    for number in range(count):
        (run.folder / f"u{number}.yaml").write_text(f"report: {{output_name: u{number}}}\n" + text, encoding="utf-8")
        names.append(f"u{number}.yaml")
    return names


def test_ctrl_c_stops_a_batch_within_2_seconds_and_says_what_was_written(run: Run, example_path: Path):
    models = _example_copies(run, example_path, 8)
    # interrupted once the first report is written: some units are done, some in the workers, some queued
    result, took = _interrupt(run, ["build", *models, "-o", "out", "-j", "2"], marker=run.out / "u*.docx")
    assert took < 2, took
    assert result.returncode == 130, result.stderr
    _clean(result)
    written = sorted(p.name for p in run.out.iterdir()) if run.out.exists() else []
    assert all(name.endswith(".docx") and not name.startswith(".") for name in written), written
    assert 0 < len(written) < 8
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"interrupted: {len(written)} written, 0 not written, {8 - len(written)} interrupted")
    assert list(run.tmp.iterdir()) == []
    assert _processes_mentioning(str(run.folder)) == []


def test_ctrl_c_during_the_pdf_stops_libreoffice_and_removes_its_files(run: Run):
    started = run.folder / "soffice-started"
    soffice = run.script("soffice-slow", f"echo $$ > {started}.pid\nmv {started}.pid {started}\nsleep 60\n")
    for name in ("甲", "乙"):
        (run.folder / f"{name}.yaml").write_text(MODEL + f"report: {{output_name: {name}}}\n", encoding="utf-8")
    result, took = _interrupt(run, ["build", "甲.yaml", "乙.yaml", "-o", "out", "-j", "2", "--pdf"], marker=started,
                              DISCLOSURE_SOFFICE=str(soffice))
    assert took < 2 and result.returncode == 130, (took, result.stderr)
    _clean(result)
    assert "interrupted: 0 written, 0 not written, 2 interrupted" in result.stderr
    assert not Path(f"/proc/{started.read_text().strip()}").exists() or \
        (Path(f"/proc/{started.read_text().strip()}") / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    assert not run.out.exists() and list(run.tmp.iterdir()) == []
    assert _processes_mentioning(str(run.folder)) == []


@pytest.mark.parametrize("after", [0.2, 0.4, 0.7, 1.0, 1.4])
def test_ctrl_c_at_any_moment_of_a_build_ends_it_without_a_traceback(run: Run, after: float, example_path: Path):
    """From the imports at start-up to the last rename (the interpreter's own start, ~50 ms, is not ours)."""
    (run.folder / "unit.yaml").write_text(example_path.read_text(encoding="utf-8").replace(
        "晋城市总工会", "测试单位").replace("fiscal_year: 2024", "fiscal_year: 2025"), encoding="utf-8")
    result, took = _interrupt(run, ["build", "unit.yaml", "-o", "out", "--json"], after=after)
    assert result.returncode in (0, 130), result.stderr
    _clean(result)
    said = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    if result.returncode == 130 and said in ("interrupted", "interrupted: nothing written"):
        assert not run.out.exists()
    else:  # finished before the signal (or renamed its files just before it): both files, complete
        assert result.returncode == 0 or said.startswith("interrupted: wrote out/"), said
        assert sorted(p.name for p in run.out.iterdir()) == [f"{NAME}.docx", f"{NAME}.json"]
    assert took < 2, (took, said)
    assert list(run.tmp.iterdir()) == [], (list(run.tmp.iterdir()), said)


def test_ctrl_c_that_native_code_wraps_into_its_own_error_is_still_an_interruption(monkeypatch, capsys):
    """pydantic-core builds a validator on first use and calls back into Python: Ctrl-C there comes out as its
    own SchemaError (…Interrupted), once making `build` print a traceback and exit 1 in this file's test above."""
    from disclosure import cli, errors

    def build_interrupted_in_native_code(args):
        try:
            errors._interrupt(signal.SIGINT, None)  # the handler raise_on_interrupt installs, as the signal runs it
        except KeyboardInterrupt:
            raise RuntimeError("Error building \"enum\" validator:\n  Interrupted: ") from None

    from disclosure import files

    monkeypatch.setattr(files, "_PUBLISHED", [])  # what earlier builds of this test process published
    monkeypatch.setattr(errors, "_SIGNALLED", False)
    monkeypatch.setattr(cli, "_run_build", build_interrupted_in_native_code)
    assert cli.main(["build", "unit.yaml"]) == 130
    assert capsys.readouterr().err == "interrupted: nothing written\n"
    # the same error without Ctrl-C is a bug, said so
    monkeypatch.setattr(errors, "_SIGNALLED", False)
    monkeypatch.setattr(cli, "_run_build", lambda args: (_ for _ in ()).throw(RuntimeError("Interrupted: ")))
    assert cli.main(["build", "unit.yaml"]) == 3 and "internal error: RuntimeError" in capsys.readouterr().err


# --------------------------------------------------------------------------- workers


def test_workers_are_capped_by_the_models_and_the_cpus(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert batch.worker_count(64, 2) == 2
    assert batch.worker_count(64, 10) == 4
    assert batch.worker_count(0, 10) == 4
    assert batch.worker_count(3, 10) == 3
    assert batch.worker_count(1, 0) == 1


def test_a_batch_forks_no_more_workers_than_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import concurrent.futures

    created: list[int] = []

    class Recording(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            created.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    models = []
    for name in ("甲", "乙"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(UNIT + LINES + "appendix: null\nbudget: {lines: []}\n", encoding="utf-8")  # duplicate key: fails fast
        models.append(path)
    outcomes = batch.build_batch(models, tmp_path / "out", jobs=64)
    assert created == [2]
    assert [o.exit_code for o in outcomes] == [2, 2]
