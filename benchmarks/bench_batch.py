"""Batch benchmark (DESIGN.md §9; issue 12 targets 3 and 4): whole ``disclosure build`` commands of many units.

    python benchmarks/bench_batch.py                 # all parts (~10 minutes)
    python benchmarks/bench_batch.py --quick         # fewer units and rounds
    python benchmarks/bench_batch.py --only pdf      # one part: workers, pdf or dask

Every figure is wall-clock seconds per report of a whole command (a fresh process, as a user runs it),
and every ratio is of two commands run one after the other in the same round (each first in turn), the
median of the rounds:

* **workers** — ``build`` of copies of the example on 1 and 2 processes (the target is ≥ 1.7× on 2
  cores), and the peak memory of a process for n and 2n units (flat means it does not grow with the batch);
* **pdf** — the bundled examples (5 models, both forms) repeated to ``--pdf-units``: ``build … -j 2 --pdf``
  against ``build … -j 2`` followed by the baseline of target 3, ``soffice --headless --convert-to pdf``
  once per report (one process per file, a profile kept between files);
* **dask** — the same models with ``--scheduler`` on a ``distributed.LocalCluster`` of 2 worker processes
  with 1 thread each, started by the benchmark on this machine, against ``-j 2`` without a cluster; with
  and without ``--pdf``.  Everything a unit needs crosses the scheduler's TCP connection as it would to
  another machine (the workers use their own temporary folders), so the difference is the cost of the
  cluster: shipping, scheduling, and one LibreOffice per worker process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


def named(example: Path, name: str) -> str:
    """The model text of ``example`` writing ``name``.docx (a model may already have a ``report:`` mapping)."""
    text = example.read_text(encoding="utf-8")
    if "\nreport:\n" in text:
        return text.replace("\nreport:\n", f"\nreport:\n  output_name: {name}\n", 1)
    return f"report: {{output_name: {name}}}\n" + text


def make_units(folder: Path, count: int, examples: list[Path] | None = None) -> list[Path]:
    """``count`` models: copies of ``examples`` in turn (default: the 晋城市总工会 example)."""
    examples = examples or [EXAMPLE]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"unit-{i:03d}.yaml"
        path.write_text(named(examples[i % len(examples)], f"unit-{i:03d}"), encoding="utf-8")
        paths.append(path)
    return paths


PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def command(units: list[Path], out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "disclosure", "build", *map(str, units), "-o", str(out), "--quiet", *options]


def run_batch(units: list[Path], jobs: int, out: Path) -> tuple[float, int]:
    """Wall seconds of one `disclosure build` of all units, and the peak RSS (KiB) of its largest process.

    The build runs under a fresh wrapper process whose children are only that build and its workers,
    so the peak is this batch's alone.
    """
    start = time.perf_counter()
    wrapper = subprocess.run([sys.executable, "-c", PEAK, *command(units, out, "-j", str(jobs))], check=True,
                             capture_output=True, text=True)
    return time.perf_counter() - start, int(wrapper.stdout.strip().splitlines()[-1])


def timed(*commands: list[str]) -> float:
    start = time.perf_counter()
    for one in commands:
        subprocess.run(one, check=True, capture_output=True)
    return time.perf_counter() - start


def rounds_of(ways: dict[str, Callable[[int], float]], rounds: int, count: int) -> dict[str, list[float]]:
    """Seconds per report of every way, in ``rounds`` rounds, each way first in turn."""
    figures: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for number in range(rounds):
        for name in names[number % len(names):] + names[: number % len(names)]:
            figures[name].append(ways[name](number) / count)
    return figures


def show(figures: dict[str, list[float]], reference: str) -> None:
    for name, values in figures.items():
        ratio = statistics.median(r / v for r, v in zip(figures[reference], values))
        print(f"  {name:44} {statistics.median(values):6.2f} s/report   {reference} ÷ this: {ratio:5.2f}×   "
              f"rounds: {', '.join(f'{v:.2f}' for v in values)}")


def workers_part(folder: Path, count: int) -> None:
    units = make_units(folder / "same", 2 * count)
    one, _ = run_batch(units[:count], 1, folder / "one")
    two, _ = run_batch(units[:count], 2, folder / "two")
    print(f"workers: {count} copies of the example: 1 process {one / count:.2f} s per report, 2 processes "
          f"{two / count:.2f} s per report, speed-up {one / two:.2f}×")
    _, small = run_batch(units[:count], 2, folder / "small")
    _, large = run_batch(units, 2, folder / "large")
    print(f"  peak memory of a process: {small / 1024:.0f} MiB for {count} units, {large / 1024:.0f} MiB for "
          f"{2 * count} units (ratio {large / small:.2f})")


def baseline_pdfs(folder: Path, profile: Path) -> list[str]:
    soffice = shutil.which("soffice") or "soffice"
    return [[soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir",
             str(folder), str(docx)] for docx in sorted(folder.glob("*.docx"))]  # type: ignore[misc]


def pdf_part(folder: Path, count: int, rounds: int) -> None:
    units = make_units(folder / "mixed", count, sorted((ROOT / "examples").glob("*.yaml")))
    profile = folder / "baseline-profile"
    warm = folder / "warm"
    timed(command(units[:1], warm))
    timed(*baseline_pdfs(warm, profile))  # the baseline's profile made, the disk cache warm

    def baseline(number: int) -> float:
        out = folder / f"base-{number}"
        start = time.perf_counter()
        timed(command(units, out, "-j", "2"))
        for one in baseline_pdfs(out, profile):
            subprocess.run(one, check=True, capture_output=True)
        return time.perf_counter() - start

    def new(number: int) -> float:
        return timed(command(units, folder / f"new-{number}", "-j", "2", "--pdf"))

    def docx_only(number: int) -> float:
        return timed(command(units, folder / f"docx-{number}", "-j", "2"))

    figures = rounds_of({"build -j 2, then soffice per report": baseline, "build -j 2 --pdf": new,
                         "build -j 2 (no PDF)": docx_only}, rounds, count)
    print(f"pdf: {count} reports (the 5 examples in turn), {rounds} round(s)")
    show(figures, "build -j 2, then soffice per report")
    pdf_cost = [n - d for n, d in zip(figures["build -j 2 --pdf"], figures["build -j 2 (no PDF)"])]
    base_cost = [b - d for b, d in zip(figures["build -j 2, then soffice per report"], figures["build -j 2 (no PDF)"])]
    print(f"  the PDFs alone (less the same run's build without PDF): baseline {statistics.median(base_cost):.2f}, "
          f"--pdf {statistics.median(pdf_cost):.2f} s/report, "
          f"{statistics.median(b / p for b, p in zip(base_cost, pdf_cost)):.2f}×")


def dask_part(folder: Path, count: int, rounds: int, with_pdf: bool) -> None:
    try:
        from distributed import LocalCluster
    except ImportError:
        print("dask: skipped (pip install -e '.[dask]')")
        return
    units = make_units(folder / "dask", count, sorted((ROOT / "examples").glob("*.yaml")))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      protocol="tcp") as cluster:
        address = cluster.scheduler_address
        timed(command(units[:2], folder / "dask-warm", "--scheduler", address, *(["--pdf"] if with_pdf else [])))
        options = ["--pdf"] if with_pdf else []
        ways = {
            f"build -j 2 {' '.join(options)}".strip(): lambda n: timed(command(units, folder / f"l-{n}", "-j", "2",
                                                                                *options)),
            f"build --scheduler (2 workers) {' '.join(options)}".strip():
                lambda n: timed(command(units, folder / f"d-{n}", "--scheduler", address, *options)),
        }
        figures = rounds_of(ways, rounds, count)
    print(f"dask{' --pdf' if with_pdf else ''}: {count} reports (the 5 examples in turn), LocalCluster of 2 worker "
          f"processes × 1 thread, {rounds} round(s)")
    show(figures, next(iter(ways)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("workers", "pdf", "dask"))
    args = parser.parse_args(argv)
    count, pdf_units, rounds = (4, 5, 1) if args.quick else (16, 20, 3)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "workers"):
            workers_part(folder / "workers", count)
        if args.only in (None, "pdf"):
            pdf_part(folder / "pdf", pdf_units, rounds)
        if args.only in (None, "dask"):
            dask_part(folder / "dask", pdf_units, rounds, with_pdf=False)
            dask_part(folder / "dask-pdf", pdf_units, rounds, with_pdf=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
