"""``build … --scheduler``: a batch on a Dask cluster, here a LocalCluster in this process (workers as threads,
reached over TCP like a remote one), driven by the command line in another process.

The cluster's outputs are the local ones, byte for byte; a failing unit says what it says locally, file
and line included, and the others are written; files a model names travel with it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from example_models import named_copy

distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install -e '.[test,dask]'")

pytestmark = pytest.mark.dask

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                       dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()
    from disclosure import distributed as remote

    remote._close_worker_pdfs()  # the workers' LibreOffice, if a test made PDFs


def run(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _copy(example: str, folder: Path, name: str, extra: str = "") -> Path:
    return named_copy(EXAMPLES / example, folder, name, extra)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_a_cluster_batch_writes_what_a_local_batch_writes(scheduler: str, tmp_path: Path):
    models = [
        _copy("county-school-2025.yaml", tmp_path / "units", "学校"),
        _copy("shanghai-district-library-2025.yaml", tmp_path / "units", "图书馆"),
        # a catalogue CSV beside the model, named relative to it: it travels with the model
        _copy("county-housing-department-2025.yaml", tmp_path / "units" / "county", "住建",
              "appendix:\n  catalogue: catalogue/small.csv\n"),
    ]
    (tmp_path / "units" / "county" / "catalogue").mkdir()
    (tmp_path / "units" / "county" / "catalogue" / "small.csv").write_text(
        "department,code,level,name,parent_code\n宣传部,A,1,公共服务,\n宣传部,A15,2,公共信息与宣传服务,A\n", encoding="utf-8")
    names = [str(p.relative_to(tmp_path)) for p in models]
    local = run("build", *names, "-o", "local", "--json", "-j", "2", cwd=tmp_path)
    cluster = run("build", *names, "-o", "cluster", "--json", "--scheduler", scheduler, cwd=tmp_path)
    assert local.returncode == cluster.returncode == 0, cluster.stderr
    written = _files(tmp_path / "cluster")
    assert sorted(written) == ["住建.docx", "住建.json", "图书馆.docx", "图书馆.json", "学校.docx", "学校.json"]
    assert written == _files(tmp_path / "local")  # byte for byte
    with zipfile.ZipFile(io.BytesIO(written["住建.docx"])) as report:
        assert "公共信息与宣传服务" in report.read("word/document.xml").decode()
    assert cluster.stdout.replace("cluster/", "local/") == local.stdout
    assert cluster.stderr == local.stderr  # the same warnings, with the same files and lines


def test_a_failing_unit_is_reported_as_locally_and_the_others_are_written(scheduler: str, tmp_path: Path):
    good = _copy("county-school-2025.yaml", tmp_path, "学校")
    missing = _copy("county-school-2025.yaml", tmp_path, "无目录", "appendix:\n  catalogue: nowhere.csv\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: {name: 坏, code: '1', fiscal_year: 2025}\nbudget: {lines: [{amount: x}]}\n", encoding="utf-8")
    (tmp_path / "cat.csv").write_text("not,a,catalogue\n", encoding="utf-8")
    bad_csv = _copy("county-school-2025.yaml", tmp_path, "坏目录", "appendix:\n  catalogue: cat.csv\n")
    names = [p.name for p in (good, missing, broken, bad_csv)]
    local = run("build", *names, "-o", "local", cwd=tmp_path)
    cluster = run("build", *names, "-o", "cluster", "--scheduler", scheduler, cwd=tmp_path)
    assert local.returncode == cluster.returncode == 2
    assert cluster.stderr == local.stderr, cluster.stderr
    assert "broken.yaml:2 budget.lines[0].amount" in cluster.stderr
    assert "无目录.yaml:" in cluster.stderr and "appendix.catalogue: nowhere.csv: no such catalogue file" in cluster.stderr
    assert sorted(_files(tmp_path / "cluster")) == ["学校.docx"]
    assert "1 of 4 reports written" in cluster.stdout
    assert not [p for p in (tmp_path / "cluster").iterdir() if p.name.startswith(".")]


def test_a_file_named_by_an_absolute_path_cannot_travel(scheduler: str, tmp_path: Path):
    (tmp_path / "cat.csv").write_text("department,code,level,name,parent_code\n宣传部,A,1,公共服务,\n", encoding="utf-8")
    model = _copy("county-school-2025.yaml", tmp_path, "学校", f"appendix:\n  catalogue: {tmp_path / 'cat.csv'}\n")
    result = run("build", model.name, "-o", "out", "--scheduler", scheduler, cwd=tmp_path)
    assert result.returncode == 2
    assert f"学校.yaml:{len(model.read_text(encoding='utf-8').splitlines())} appendix.catalogue: " in result.stderr
    assert "is an absolute path, and the cluster's workers do not share this machine's files" in result.stderr


def test_a_scheduler_that_is_no_address_is_an_input_error(tmp_path: Path):
    model = _copy("county-school-2025.yaml", tmp_path, "学校")
    result = run("build", model.name, "-o", "out", "--scheduler", "nonsense://nowhere", cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and "cannot reach the Dask scheduler at nonsense://nowhere" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_without_a_scheduler_dask_is_never_imported(tmp_path: Path):
    models = [_copy("county-school-2025.yaml", tmp_path, f"学校{n}") for n in (1, 2)]
    code = ("import sys; from disclosure.cli import main; code = main(['build', *sys.argv[1:], '-o', 'out', '-j', '2', "
            "'--quiet']); assert not any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules), "
            "'dask imported'; sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, *(m.name for m in models)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (.ci/install-pdf-deps.sh)")
def test_a_cluster_batch_makes_pdfs_on_its_workers(scheduler: str, tmp_path: Path):
    from pypdf import PdfReader

    models = [_copy("shanghai-district-library-2025.yaml", tmp_path, "图书馆"),
              _copy("county-school-2025.yaml", tmp_path, "学校", "appendix:\n  catalogue: shanxi-batch-1\n")]
    result = run("build", *(m.name for m in models), "-o", "out", "--pdf", "--scheduler", scheduler, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(_files(tmp_path / "out")) == ["图书馆.docx", "图书馆.pdf", "学校.docx", "学校.pdf"]
    reader = PdfReader(tmp_path / "out" / "学校.pdf")
    assert reader.metadata.author == "东源县第一中学"
    assert [str(item.title)[:4] for item in reader.outline if not isinstance(item, list)] == ["第一部分", "第二部分", "第三部分", "第四部分"]
    assert any("晋城市财政局文件" in page.extract_text() for page in reader.pages)


def test_a_profile_file_beside_the_model_travels_with_it(scheduler: str, tmp_path: Path):
    """``report.profile: my-form.yaml`` is found beside the model (as the build finds it), wherever the batch runs."""
    folder = tmp_path / "units" / "county"
    model = _copy("county-school-2025.yaml", folder, "学校")
    text = model.read_text(encoding="utf-8").replace("report: {output_name: 学校}", "report: {output_name: 学校, profile: my-form.yaml}", 1)
    assert "my-form.yaml" in text
    model.write_text(text, encoding="utf-8")
    bundled = ROOT / "src" / "disclosure" / "profiles" / "shanxi-13.yaml"
    (folder / "my-form.yaml").write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    name = str(model.relative_to(tmp_path))
    local = run("build", name, "-o", "local", cwd=tmp_path)
    cluster = run("build", name, "-o", "cluster", "--scheduler", scheduler, cwd=tmp_path)
    assert local.returncode == cluster.returncode == 0, cluster.stderr
    assert _files(tmp_path / "cluster") == _files(tmp_path / "local")


def test_ctrl_c_just_after_a_unit_is_renamed_into_place_counts_it_written(scheduler: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """Ctrl-C between a unit's rename into place and its outcome being recorded: the unit is written (its
    report is there, whole), the one after it is interrupted and leaves nothing."""
    from disclosure import distributed as remote
    from disclosure.batch import BatchInterrupted, build_batch

    models = [_copy("county-school-2025.yaml", tmp_path, name) for name in ("学校甲", "学校乙")]
    publish = remote._publish

    def publish_then_interrupt(outcome):
        publish(outcome)
        raise KeyboardInterrupt

    monkeypatch.setattr(remote, "_publish", publish_then_interrupt)
    with pytest.raises(BatchInterrupted) as caught:
        build_batch(models, tmp_path / "out", scheduler=scheduler)
    finished = caught.value.outcomes
    assert [o.source.name for o in finished] == ["学校甲.yaml"] and finished[0].result is not None
    assert finished[0].result.docx == tmp_path / "out" / "学校甲.docx"
    assert caught.value.interrupted == [models[1]]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["学校甲.docx"]  # no staging folder left


def test_a_workbook_naming_a_file_by_an_absolute_path_is_told_its_cell(scheduler: str, tmp_path: Path):
    """The error of a file that cannot travel is located as every error of a workbook is: by its cell."""
    import openpyxl

    from disclosure.batch import build_batch

    workbook = tmp_path / "学校.xlsx"
    converted = run("convert", str(EXAMPLES / "county-school-2025.yaml"), str(workbook), cwd=tmp_path)
    assert converted.returncode == 0, converted.stderr
    book = openpyxl.load_workbook(workbook)
    sheet = book["单位信息"]
    label = next(row[0] for row in sheet.iter_rows() if row[0].value == "附录·目录")
    sheet.cell(row=label.row, column=2, value=str(tmp_path / "cat.csv"))
    book.save(workbook)
    [outcome] = build_batch([workbook], tmp_path / "out", scheduler=scheduler)
    assert outcome.result is None and outcome.exit_code == 2
    assert f"学校.xlsx 单位信息!B{label.row} appendix.catalogue: " in outcome.messages[-1], outcome.messages
    assert "the cluster's workers do not share this machine's files" in outcome.messages[-1]
