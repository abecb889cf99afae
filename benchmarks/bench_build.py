"""Build-time benchmark (DESIGN.md §9, issue 12 targets 1 and 2): cold and warm builds, and how a build grows.

    python benchmarks/bench_build.py            # the figures of docs/performance.md
    python benchmarks/bench_build.py --quick    # fewer runs, 2k and 10k rows instead of 5k and 50k

Machines here are shared and noisy, so every figure that matters is a ratio of two things measured in
the same run:

* **cold**: the whole process ``python -m disclosure build`` of the example (median of N runs, the
  compiled-template cache already filled by an earlier build, as on any machine after its first report)
  against ``python -c "import docx, docxtpl, yaml, pydantic"``, the same runs interleaved; for reference
  also the first build of a process that finds no cache (``DISCLOSURE_CACHE_DIR=off``);
* **warm**: builds inside one process, with the share of each stage;
* **scaling**: the example with its projects (each with its performance sheet and budget line) copied
  until the report has about 5,000 and 50,000 table rows — every copy written out in full in the YAML
  (no aliases) under a name of its own; the time of the larger against the smaller, per row;
* **plain lxml**: writing the same 50,000 rows with lxml alone — every table of the built report copied
  row by row into a new document, serialised and deflated into a .docx — against the build;
* **memory**: the peak resident memory of a process building the 50,000-row report.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"
IMPORTS = "import docx, docxtpl, yaml, pydantic"
#: 项 the copies' lines are spread over, so the function-code tables grow too
EXTRA_CODES = ["2010101", "2010102", "2010507", "2019999", "2080505", "2100717", "2120102", "2120199"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _NoAliases(yaml.SafeDumper):
    """Writes every repeated value out in full (PyYAML would otherwise write &id001 … *id001)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def scaled_model(factor: int, folder: Path) -> Path:
    """The example with every project — its performance sheet and its budget line — copied ``factor`` times."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    projects, lines = data["projects"], data["budget"]["lines"]
    new_projects, new_lines = [], []
    for number in range(factor):
        for project, line in zip(projects, lines):
            name = project["name"] if number == 0 else f"{project['name']}（{number + 1}）"
            project_copy = copy.deepcopy(project)
            project_copy["name"] = name
            new_projects.append(project_copy)
            line_copy = copy.deepcopy(line)
            line_copy["project"] = name
            if number:
                line_copy["function"] = EXTRA_CODES[(number + len(new_lines)) % len(EXTRA_CODES)]
            new_lines.append(line_copy)
    data["projects"], data["budget"]["lines"] = new_projects, new_lines
    data.setdefault("performance", {})["sheet_order"] = []
    path = folder / f"scaled-{factor}.yaml"
    text = yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)
    assert "&id" not in text and "*id" not in text
    path.write_text(text, encoding="utf-8")
    return path


def document_bytes(docx: Path) -> int:
    """Size of the report's ``word/document.xml``, uncompressed."""
    with zipfile.ZipFile(docx) as package:
        return package.getinfo("word/document.xml").file_size


def table_rows(docx: Path) -> int:
    """The ``w:tr`` elements of the report's body, counted while streaming it."""
    count, tail = 0, b""
    with zipfile.ZipFile(docx) as package, package.open("word/document.xml") as stream:
        while block := stream.read(1 << 20):
            data = tail + block
            count += data.count(b"<w:tr>") + data.count(b"<w:tr ")
            tail = data[-6:]
            count -= tail.count(b"<w:tr>") + tail.count(b"<w:tr ")  # counted again with the next block
        count += tail.count(b"<w:tr>") + tail.count(b"<w:tr ")
    return count


# --------------------------------------------------------------------------- processes


def _seconds(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall-clock, CPU) seconds of a process running ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _peak_rss_mib(command: list[str]) -> float:
    """Peak resident memory of ``command``'s process, in MiB.

    Measured from a small helper process: a child forked from this (large) benchmark process would
    start its ru_maxrss at this process's size.
    """
    helper = ("import os, subprocess, sys\n"
              "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "_, status, usage = os.wait4(p.pid, 0)\n"
              "print(usage.ru_maxrss if os.waitstatus_to_exitcode(status) == 0 else -1)\n")
    kib = int(subprocess.run([sys.executable, "-c", helper, *command], check=True, capture_output=True,
                             text=True).stdout)
    if kib < 0:
        raise RuntimeError(f"{command} failed")
    return kib / 1024  # Linux reports ru_maxrss in KiB


def cold(runs: int, out: Path) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of the whole-process build and of the bare imports, runs interleaved.

    Both run with Python's bytecode cache writable (in a folder of this run), as on an installed system:
    this sandbox sets PYTHONDONTWRITEBYTECODE=1, which would make every process compile disclosure's
    sources again while the libraries of the reference come with their bytecode.
    """
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(out / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    build = [sys.executable, "-m", "disclosure", "build", str(EXAMPLE), "-o", str(out), "--quiet"]
    imports = [sys.executable, "-c", IMPORTS]
    for command in (build, imports):  # fills the compiled-template cache and the bytecode cache
        subprocess.run(command, check=True, capture_output=True, env=env)
    builds, bare = [], []
    for _ in range(runs):
        builds.append(_seconds(build, env))
        bare.append(_seconds(imports, env))
    uncached = [_seconds(build, {**env, "DISCLOSURE_CACHE_DIR": "off"}) for _ in range(max(1, runs // 3))]

    def median(values: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)

    def least(values: list[tuple[float, float]]) -> tuple[float, float]:
        return min(v[0] for v in values), min(v[1] for v in values)

    return {"build": median(builds), "imports": median(bare), "build_without_cache": median(uncached),
            "build_least": least(builds), "imports_least": least(bare)}


# --------------------------------------------------------------------------- in-process builds


def staged_build(model: Path, out: Path) -> dict[str, float]:
    """One build, stage by stage: the pipeline's stages, with writing split into rendering and compression."""
    from disclosure.pipeline import Timings, prepare
    from disclosure.render import TemplateSet, render_report

    timings = Timings()
    cpu = time.process_time()
    prepared = prepare(model, timings=timings)
    with timings.measure("compile"):
        rendered = render_report(prepared.content, TemplateSet.create())
    with timings.measure("write"), open(out, "wb") as handle:
        rendered.write(handle)
    stages = dict(timings.stages)
    stages["write: render"] = rendered.timings["render"]
    stages["write: compress"] = rendered.timings["compress"]
    stages["total"] = timings.total
    stages["cpu"] = time.process_time() - cpu
    return stages


def warm(model: Path, runs: int, out: Path) -> dict[str, float]:
    staged_build(model, out)
    results = [staged_build(model, out) for _ in range(runs)]
    return {stage: statistics.median(r[stage] for r in results) for stage in results[0]}


def print_stages(stages: dict[str, float]) -> None:
    total = stages["total"]
    for stage, seconds in stages.items():
        if stage not in ("total", "cpu"):
            print(f"    {stage:16s} {seconds * 1000:9.1f} ms  {seconds / total:6.1%}")


# --------------------------------------------------------------------------- plain lxml


def lxml_write(docx: Path, target: Path) -> tuple[float, int]:
    """Seconds to write the tables of ``docx`` again with lxml alone: rows copied, serialised, deflated."""
    from copy import deepcopy

    from lxml import etree

    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
    tables = [tbl for tbl in body if tbl.tag == f"{W}tbl"]
    start = time.perf_counter()
    document = etree.Element(f"{W}document", nsmap={"w": W[1:-1]})
    new_body = etree.SubElement(document, f"{W}body")
    rows = 0
    for tbl in tables:
        table = etree.SubElement(new_body, f"{W}tbl")
        for part in tbl:
            if part.tag != f"{W}tr":
                table.append(deepcopy(part))
        for tr in tbl.iterchildren(f"{W}tr"):
            table.append(deepcopy(tr))
            rows += 1
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", etree.tostring(document, xml_declaration=True, encoding="UTF-8"))
    return time.perf_counter() - start, rows


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs; 2k and 10k rows")
    parser.add_argument("--runs", type=int, help="runs of the cold and warm example builds (default 10, quick 3)")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 10)
    small_rows, large_rows = (2_000, 10_000) if args.quick else (5_000, 50_000)
    big_runs = 1 if args.quick else 5  # the two sizes in turn; medians of 5 (±30 % noise on this machine class)
    from disclosure.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"disclosure build benchmark — {time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs")

        print("\n1. Command line (whole process), the example")
        figures = cold(runs, folder / "cold")
        (build_wall, build_cpu), (bare_wall, bare_cpu) = figures["build"], figures["imports"]
        print(f"    python -m disclosure build, median of {runs}:   {build_wall * 1000:6.0f} ms  (CPU {build_cpu * 1000:.0f} ms)")
        print(f"    python -c {IMPORTS!r}:  {bare_wall * 1000:6.0f} ms  (CPU {bare_cpu * 1000:.0f} ms)")
        print(f"    ratio of medians: {build_wall / bare_wall:.2f}x wall-clock, {build_cpu / bare_cpu:.2f}x CPU   "
              "(target: at most 2x)")
        (least_wall, least_cpu), (bare_least_wall, bare_least_cpu) = figures["build_least"], figures["imports_least"]
        print(f"    ratio of the least: {least_wall / bare_least_wall:.2f}x wall-clock, {least_cpu / bare_least_cpu:.2f}x CPU")
        print(f"    (a process that finds no compiled templates: {figures['build_without_cache'][0] * 1000:.0f} ms)")

        print(f"\n2. Warm builds in one process, the example, median of {runs}")
        stages = warm(EXAMPLE, runs, folder / "warm.docx")
        example = stages
        print(f"    total {stages['total'] * 1000:.1f} ms")
        print_stages(stages)
        library = sum(stages.get(s, 0.0) for s in ("load", "derive", "check", "narrate"))
        print(f"    library's own work (load+derive+check+narrate): {library / stages['total']:.1%}")

        print("\n3. Scaling: the example's projects copied (no YAML aliases)")
        base_rows = table_rows(build(EXAMPLE, folder, output_name="probe").docx)
        probe_model = scaled_model(8, folder)
        per_copy = (table_rows(build(probe_model, folder, output_name="probe").docx) - base_rows) / 7
        factors = {target: max(1, round((target - base_rows) / per_copy) + 1) for target in (small_rows, large_rows)}
        models = {target: (scaled_model(factor, folder), folder / f"scaled-{factor}.docx", factor)
                  for target, factor in factors.items()}
        for model, out, _ in models.values():
            staged_build(model, out)  # one to warm up each size (first use of its templates, caches)
        results: dict[int, list[dict[str, float]]] = {target: [] for target in models}
        for _ in range(big_runs):  # the two sizes in turn, so that the machine's load falls on both alike
            for target, (model, out, _) in models.items():
                results[target].append(staged_build(model, out))
        measured = {}
        for target, (model, out, factor) in models.items():
            stages = {stage: statistics.median(r[stage] for r in results[target]) for stage in results[target][0]}
            least = {key: min(r[key] for r in results[target]) for key in ("total", "cpu")}
            measured[target] = (model, out, table_rows(out), stages, least)
            print(f"    {measured[target][2]:,} rows ({factor * 5:,} projects): {stages['total']:.2f} s, CPU "
                  f"{stages['cpu']:.2f} s (medians of {big_runs}; least {least['total']:.2f} s, CPU {least['cpu']:.2f} s)")
            print_stages(stages)
        (_, _, rows_small, small, small_least), (model_large, out_large, rows_large, large, large_least) = \
            measured.values()
        rows_ratio = rows_large / rows_small
        for label, a, b in (("medians", small, large), ("least", small_least, large_least)):
            time_ratio, cpu_ratio = b["total"] / a["total"], b["cpu"] / a["cpu"]
            print(f"    {label}: {rows_ratio:.2f}x the rows cost {time_ratio:.2f}x the time ({cpu_ratio:.2f}x the CPU "
                  f"time): 10x the rows would cost {time_ratio / rows_ratio * 10:.2f}x "
                  f"({cpu_ratio / rows_ratio * 10:.2f}x)   (target: at most 10.5x)")
        xml_small, xml_large = (document_bytes(out) for _, out, *_ in measured.values())
        print(f"    word/document.xml: {xml_small / 1e6:.1f} MB -> {xml_large / 1e6:.1f} MB, "
              f"{xml_large / xml_small:.2f}x for {rows_ratio:.2f}x the rows: work in proportion to the XML alone "
              f"(serialising, checking, deflating) would cost {xml_large / xml_small / rows_ratio * 10:.2f}x for 10x "
              "the rows (a sheet's row holds more XML than the example's average row)")
        added = (rows_large - base_rows) / (rows_small - base_rows)
        added_time = (large["total"] - example["total"]) / (small["total"] - example["total"])
        added_cpu = (large["cpu"] - example["cpu"]) / (small["cpu"] - example["cpu"])
        print(f"    beyond the example's own {base_rows:,} rows: {added:.2f}x the rows cost {added_time:.2f}x the time "
              f"({added_cpu:.2f}x the CPU time)")

        print(f"\n4. Plain lxml write of the same {rows_large:,} rows")
        lxml_seconds = statistics.median(lxml_write(out_large, folder / "lxml.docx")[0] for _ in range(big_runs))
        print(f"    lxml: {lxml_seconds:.2f} s; the build: {large['total']:.2f} s = {large['total'] / lxml_seconds:.2f}x"
              f"   (target: at most 4x)")

        print(f"\n5. Memory: peak resident memory of a process building {rows_large:,} rows")
        peak = _peak_rss_mib([sys.executable, "-m", "disclosure", "build", str(model_large), "-o",
                              str(folder / "rss"), "--quiet"])
        bare = _peak_rss_mib([sys.executable, "-c", IMPORTS])
        print(f"    {peak:.0f} MiB   (target: at most 300 MiB; the bare imports take {bare:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
