"""What a copy of the example's projects costs, and what the rest of the example costs (issue 12, target 2a).

    python benchmarks/bench_copies.py             # 23 and 285 copies (~5k and ~48k rows), 8 runs each
    python benchmarks/bench_copies.py --runs 4

Builds the example with its projects copied n times (bench_build's scaled models: no YAML aliases), the two
sizes in turn in one process, and fits time = A + n·c through the least of the runs of each size (the runs
the machine disturbed least) and through the medians. From 5k to 50k rows the ratio of the two builds is
(A + 285c)/(A + 23c): it stays within 10.5x for 10x the rows only when c is small beside A.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_build import scaled_model, staged_build, table_rows

SIZES = (23, 285)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="runs of each size (default 8)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        models = {n: scaled_model(n, folder) for n in SIZES}
        outputs = {n: folder / f"copies-{n}.docx" for n in SIZES}
        for n in SIZES:
            staged_build(models[n], outputs[n])  # first use of the templates and caches
        totals: dict[int, list[float]] = {n: [] for n in SIZES}
        for _ in range(args.runs):
            for n in SIZES:
                totals[n].append(staged_build(models[n], outputs[n])["total"])
        rows = {n: table_rows(outputs[n]) for n in SIZES}
        small, large = SIZES
        print(f"{rows[small]:,} rows ({small} copies) and {rows[large]:,} rows ({large} copies), {args.runs} runs each")
        for label, pick in (("least", min), ("median", statistics.median)):
            t_small, t_large = pick(totals[small]), pick(totals[large])
            per_copy = (t_large - t_small) / (large - small)
            rest = t_small - small * per_copy
            ratio = t_large / t_small / (rows[large] / rows[small]) * 10
            print(f"  {label:6s}: {t_small * 1000:6.0f} ms and {t_large * 1000:6.0f} ms; a copy c = {per_copy * 1000:.2f} ms, "
                  f"the rest A = {rest * 1000:.0f} ms (c/A = {per_copy / rest:.3f}); 10x the rows cost {ratio:.2f}x "
                  f"(10.5x needs c/A <= {_bound(rows, small, large):.3f})")
        print("  all runs, s:", {n: [round(t, 3) for t in sorted(totals[n])] for n in SIZES})
    return 0


def _bound(rows: dict[int, int], small: int, large: int) -> float:
    """The largest c/A for which (A + large·c)/(A + small·c) is at most 10.5/10 of the rows' ratio."""
    limit = 1.05 * rows[large] / rows[small]
    return (limit - 1) / (large - limit * small)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
