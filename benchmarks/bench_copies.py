"""What a copy of the example's projects costs, and what the rest of the example costs (issue 12, target 2a).

    python benchmarks/bench_copies.py             # 23, 100 and 285 copies (~5k, ~18k and ~48k rows), 8 runs each
    python benchmarks/bench_copies.py --runs 4

Builds the example with its projects copied n times (bench_build's scaled models: no YAML aliases), the
sizes in turn in one process, and fits time = A + n·c through the least of the runs of each size (the runs
the machine disturbed least) and through the medians. From 5k to 50k rows the ratio of the two builds is
(A + 285c)/(A + 23c): it stays within 10.5x for 10x the rows only when c is small beside A.

Whether the build is linear is shown apart from that ratio: a copy's cost from 100 to 285 copies against
its cost from 23 to 100 (1.00 for a straight line), and the XML a copy adds beside the XML of the rest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_build import document_bytes, scaled_model, staged_build, table_rows

SIZES = (23, 100, 285)


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
        xml = {n: document_bytes(outputs[n]) for n in SIZES}
        small, middle, large = SIZES
        print(", ".join(f"{rows[n]:,} rows ({n} copies)" for n in SIZES) + f"; {args.runs} runs each")
        for label, pick in (("least", min), ("median", statistics.median)):
            t_small, t_middle, t_large = (pick(totals[n]) for n in SIZES)
            per_copy = (t_large - t_small) / (large - small)
            rest = t_small - small * per_copy
            ratio = t_large / t_small / (rows[large] / rows[small]) * 10
            bend = ((t_large - t_middle) / (large - middle)) / ((t_middle - t_small) / (middle - small))
            print(f"  {label:6s}: {t_small * 1000:6.0f}, {t_middle * 1000:6.0f} and {t_large * 1000:6.0f} ms; "
                  f"a copy c = {per_copy * 1000:.2f} ms, the rest A = {rest * 1000:.0f} ms (c/A = {per_copy / rest:.3f}); "
                  f"10x the rows cost {ratio:.2f}x (10.5x needs c/A <= {_bound(rows, small, large):.3f}); "
                  f"a copy from {middle} to {large} copies costs {bend:.2f}x what it costs from {small} to {middle}")
        copy_xml = (xml[large] - xml[small]) / (large - small)
        copy_rows = (rows[large] - rows[small]) / (large - small)
        rest_xml, rest_rows = xml[small] - small * copy_xml, rows[small] - small * copy_rows
        print(f"  XML: a copy adds {copy_xml / 1024:.0f} KB for {copy_rows:.0f} rows ({copy_xml / copy_rows:.0f} bytes a row), "
              f"the rest is {rest_xml / 1024:.0f} KB for {rest_rows:.0f} rows ({rest_xml / rest_rows:.0f} bytes a row); "
              f"word/document.xml grows {xml[large] / xml[small]:.2f}x for {rows[large] / rows[small]:.2f}x the rows, "
              f"so work in proportion to the XML costs {xml[large] / xml[small] / (rows[large] / rows[small]) * 10:.2f}x "
              "for 10x the rows")
        print("  all runs, s:", {n: [round(t, 3) for t in sorted(totals[n])] for n in SIZES})
    return 0


def _bound(rows: dict[int, int], small: int, large: int) -> float:
    """The largest c/A for which (A + large·c)/(A + small·c) is at most 10.5/10 of the rows' ratio."""
    limit = 1.05 * rows[large] / rows[small]
    return (limit - 1) / (large - limit * small)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
