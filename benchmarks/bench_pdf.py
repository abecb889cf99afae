"""Seconds per report of a batch's PDFs, three ways, measured side by side in one run (issue 12, target 3).

    PYTHONPATH=src python benchmarks/bench_pdf.py             # 20 reports, 3 rounds (~9 minutes)
    PYTHONPATH=src python benchmarks/bench_pdf.py --quick     # 5 reports, 1 round

The reports are the bundled examples (5 models, both forms; only the 晋城市总工会 one appends the
catalogue) repeated to ``--reports`` under other file names, built once as .docx.  Then, in each
round, in turn:

* **baseline** — what anyone would do: ``soffice --headless --convert-to pdf --outdir D x.docx``, one
  LibreOffice process per file, one file after the other, with a user profile that stays between the
  files (as the default one would; it is private to the benchmark so that no other LibreOffice on the
  machine meets it, and made before the first round);
* **old batch** — ``build … --pdf`` before issue 12: every report converted in **one** LibreOffice run
  (:func:`disclosure.pdf.convert_to_pdf`), then each finished with pypdf (:func:`finish_pdf`);
* **new batch** — ``build … -j 2 --pdf`` now (its PDF stage, ``batch._Pdfs``: two LibreOffice instances
  kept running, the catalogue laid out once), every report handed over at once, from LibreOffice's
  start to the last finished PDF; also with one LibreOffice (``-j 1``), and with two but every report converted whole, to show
  what each part of the design gives.

Wall-clock seconds per report, and the CPU seconds of LibreOffice and this process per report (the
machine is shared: the CPU figures say how much work each way does, whatever the neighbours do).
Each figure is the median of the rounds; each ratio the median of the rounds' ratios (a
round runs every way once, each way first in turn).  The new batch finishes more than
the baseline does (outline, labels, metadata), and is still compared with it as is.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_batch import make_units

from disclosure.batch import _Pdfs, build_batch
from disclosure.pdf import convert_to_pdf, find_soffice, finish_pdf
from disclosure.pdf_batch import PdfJob

ROOT = Path(__file__).resolve().parents[1]


def models(folder: Path, count: int) -> list[Path]:
    """``count`` models: the bundled examples in turn, each under a file name of its own."""
    return make_units(folder, count, sorted((ROOT / "examples").glob("*.yaml")))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime


def measured(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its waited-for children) of ``action()``."""
    cpu, uncounted, start = children_cpu(), UNCOUNTED_CPU[0], time.perf_counter()
    action()
    return time.perf_counter() - start, children_cpu() - cpu + UNCOUNTED_CPU[0] - uncounted


def baseline(soffice: Path, profile: Path, docx: list[Path], out: Path) -> None:
    for path in docx:
        subprocess.run([str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(path)], check=True, capture_output=True)


def old_batch(docx: list[Path], requests: dict[Path, object], out: Path) -> None:
    for pdf, path in zip(convert_to_pdf(docx, out), docx):
        finish_pdf(pdf, **requests[path].arguments())  # type: ignore[attr-defined]


#: CPU seconds of LibreOffice instances kept running: they are killed, so never waited for by us
UNCOUNTED_CPU = [0.0]


def group_cpu(group: int) -> float:
    """CPU seconds so far of the processes of process group ``group`` (Linux /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def new_batch(docx: list[Path], requests: dict[Path, object], out: Path, lanes: int, share: bool = True) -> None:
    """As ``build --pdf`` does it, less the rendering: every report handed to a PdfMaker at once."""
    out.mkdir(parents=True, exist_ok=True)
    pdfs = _Pdfs(lanes, out / "work", share=share)
    try:
        futures = [pdfs.submit_job(index, PdfJob(path, out / f"{path.stem}.pdf", requests[path]))  # type: ignore[arg-type]
                   for index, path in enumerate(docx)]
        for future in futures:
            future.result()
        maker = pdfs.maker
        UNCOUNTED_CPU[0] += sum(group_cpu(lane._server.pid) for lane in maker._all if lane._server is not None)
    finally:
        pdfs.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reports", type=int, default=20, help="reports in the batch (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every way (default 3)")
    parser.add_argument("--quick", action="store_true", help="5 reports, 1 round, no variants")
    args = parser.parse_args(argv)
    count, rounds = (5, 1) if args.quick else (args.reports, args.rounds)

    soffice = find_soffice()
    version = subprocess.run([str(soffice), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        work = Path(folder)
        (work / "models").mkdir()
        outcomes = build_batch(models(work / "models", count), work / "docx", jobs=2, pdf=False)
        docx = [o.result.docx for o in outcomes]  # type: ignore[union-attr]
        requests = {o.result.docx: o.result.pdf_request for o in outcomes}  # type: ignore[union-attr]
        profile = work / "baseline-profile"
        baseline(soffice, profile, docx[:1], work / "warm-up")  # makes the profile, warms the disk cache

        ways: dict[str, Callable[[Path], object]] = {
            "baseline": lambda out: baseline(soffice, profile, docx, out),
            "old batch": lambda out: old_batch(docx, requests, out),
            "new batch (-j 2)": lambda out: new_batch(docx, requests, out, 2),
        }
        if not args.quick:
            ways["new, -j 1"] = lambda out: new_batch(docx, requests, out, 1)
            ways["new, -j 2, no catalogue sharing"] = lambda out: new_batch(docx, requests, out, 2, share=False)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for number in range(rounds):
            order = list(ways)[number % len(ways):] + list(ways)[: number % len(ways)]  # each way first in turn
            for name in order:
                out = work / f"{name}-{number}".replace(" ", "_").replace(",", "")
                wall, cpu = measured(lambda: ways[name](out))  # noqa: B023 - called at once
                figures[name].append((wall / count, cpu / count))
                shutil.rmtree(out, ignore_errors=True)

    load = os.getloadavg()[0]
    print(f"{version}; {count} reports (the 5 examples in turn), {rounds} round(s); load average {load:.1f}")
    print(f"{'':34} {'wall s/report':>14} {'CPU s/report':>13} {'baseline ÷ this: wall':>22} {'CPU':>6}")
    base = figures["baseline"]
    for name, values in figures.items():
        wall_ratio = statistics.median(b[0] / v[0] for b, v in zip(base, values))
        cpu_ratio = statistics.median(b[1] / v[1] for b, v in zip(base, values))
        print(f"{name:34} {statistics.median(v[0] for v in values):14.2f} {statistics.median(v[1] for v in values):13.2f}"
              f" {wall_ratio:21.2f}× {cpu_ratio:5.2f}×   rounds (wall): {', '.join(f'{w:.2f}' for w, _ in values)}")
    old, new = figures["old batch"], figures["new batch (-j 2)"]
    print(f"new batch against the old batch: {statistics.median(o[0] / n[0] for o, n in zip(old, new)):.2f}× "
          f"(wall), {statistics.median(o[1] / n[1] for o, n in zip(old, new)):.2f}× (CPU); ratios are medians of "
          "the rounds' ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
