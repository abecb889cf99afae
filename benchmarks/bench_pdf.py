"""Seconds per document: one LibreOffice start per file (cold) against one start for the batch.

    PYTHONPATH=src python benchmarks/bench_pdf.py            # 6 copies, 3 rounds
    PYTHONPATH=src python benchmarks/bench_pdf.py --quick    # 2 copies, 1 round

Both ways go through :func:`disclosure.pdf.convert_to_pdf` (a fresh throw-away
profile at every start), on copies of the bundled example report, in the same
run; a first conversion, not counted, warms the disk cache.  Each round runs
both ways, alternately, and the median round is shown.  The finishing step
(pypdf: outline, labels, metadata) is timed on its own.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from disclosure.pdf import convert_to_pdf, find_soffice, finish_pdf
from disclosure.pipeline import build

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


def timed(action: Callable[..., object], *args: object, **kwargs: object) -> float:
    start = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - start


def one_start_per_file(copies: list[Path], outdir: Path) -> None:
    for copy in copies:
        convert_to_pdf([copy], outdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--copies", type=int, default=6, help="documents per batch (default 6)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both ways (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 copies, 1 round")
    args = parser.parse_args(argv)
    copies_count, rounds = (2, 1) if args.quick else (args.copies, args.rounds)

    soffice = find_soffice()
    version = subprocess.run([str(soffice), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        work = Path(folder)
        built = build(EXAMPLE, work)
        docx = built.docx
        copies = [Path(shutil.copy(docx, work / f"unit-{n:02d}.docx")) for n in range(1, copies_count + 1)]
        convert_to_pdf(copies[:1], work / "warm-up")

        cold, batched = [], []
        for round_number in range(rounds):
            cold.append(timed(one_start_per_file, copies, work / f"cold-{round_number}") / len(copies))
            batched.append(timed(convert_to_pdf, copies, work / f"batch-{round_number}") / len(copies))

        outline = built.outline
        converted = work / "batch-0" / "unit-01.pdf"
        finishing = timed(finish_pdf, converted, outline=outline, title="t", author="a", subject="s", keywords=["k"])

    cold_s, batched_s = statistics.median(cold), statistics.median(batched)
    print(f"{version}; {copies_count} copies of the example, {rounds} round(s), median shown")
    print(f"  one start per file : {cold_s:6.2f} s/document   rounds: {', '.join(f'{s:.2f}' for s in cold)}")
    print(f"  one start per batch: {batched_s:6.2f} s/document   rounds: {', '.join(f'{s:.2f}' for s in batched)}")
    print(f"  ratio              : {cold_s / batched_s:6.2f}x")
    print(f"  finish_pdf (pypdf) : {finishing:6.2f} s/document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
