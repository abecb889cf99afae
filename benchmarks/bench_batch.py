"""Batch benchmark (DESIGN.md §9): many units on 1 and 2 processes, and memory per worker.

    python benchmarks/bench_batch.py            # 16 units, then 32 for the memory check
    python benchmarks/bench_batch.py --quick    # 4 and 8

Reports, measured in one run: seconds per report with 1 and 2 worker processes and their ratio
(the target is ≥ 1.7× on 2 cores), and the peak memory of a worker for n and 2n units (flat
means it does not grow with the batch).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


def make_units(folder: Path, count: int) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        path = folder / f"unit-{i:03d}.yaml"
        path.write_text(text.replace("unit:\n", f"report: {{output_name: unit-{i:03d}}}\nunit:\n", 1), encoding="utf-8")
        paths.append(path)
    return paths


PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def run_batch(units: list[Path], jobs: int, out: Path) -> tuple[float, int]:
    """Wall seconds of one `disclosure build` of all units, and the peak RSS (KiB) of its largest process.

    The build runs under a fresh wrapper process whose children are only that build and its workers,
    so the peak is this batch's alone.
    """
    command = [sys.executable, "-m", "disclosure", "build", *map(str, units), "-o", str(out), "-j", str(jobs), "--quiet"]
    start = time.perf_counter()
    wrapper = subprocess.run([sys.executable, "-c", PEAK, *command], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, int(wrapper.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    count = 4 if args.quick else 16
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        units = make_units(folder, 2 * count)
        one, _ = run_batch(units[:count], 1, folder / "one")
        two, _ = run_batch(units[:count], 2, folder / "two")
        print(f"{count} units: 1 process {one / count:.2f} s per report, 2 processes {two / count:.2f} s per report, "
              f"speed-up {one / two:.2f}×")
        _, small = run_batch(units[:count], 2, folder / "small")
        _, large = run_batch(units, 2, folder / "large")
        print(f"peak memory of a process: {small / 1024:.0f} MiB for {count} units, {large / 1024:.0f} MiB for "
              f"{2 * count} units (ratio {large / small:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
