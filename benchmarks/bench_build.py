"""Build-time benchmark (DESIGN.md §9): where the time of a build goes, and how it grows.

    python benchmarks/bench_build.py            # 10 builds of the example + the 10× scaling run
    python benchmarks/bench_build.py --quick    # 3 builds, scaling 1× vs 5×

Reports ratios measured in one run (machines here are shared and noisy):
* the library's own work (load, derive, check, narrate) as a share of the whole build;
* a unit with k× the projects and lines versus the example (linear growth means ≈ k×).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from disclosure.pipeline import Timings, build

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


def scaled_model(factor: int, folder: Path) -> Path:
    """The example with every project (and its line and sheet) repeated ``factor`` times under new names.

    Codes are spread over more 项 so the function-code tables grow too.
    """
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    projects, lines = data["projects"], data["budget"]["lines"]
    extra_codes = ["2010101", "2010102", "2010507", "2019999", "2080505", "2100717", "2120102", "2120199"]
    new_projects, new_lines = [], []
    for copy in range(factor):
        for project, line in zip(projects, lines):
            name = project["name"] if copy == 0 else f"{project['name']}（{copy + 1}）"
            new_projects.append({**project, "name": name})
            code = line["function"] if copy == 0 else extra_codes[(copy + len(new_lines)) % len(extra_codes)]
            new_lines.append({**line, "project": name, "function": code})
    data["projects"], data["budget"]["lines"] = new_projects, new_lines
    data.setdefault("performance", {})["sheet_order"] = []
    path = folder / f"scaled-{factor}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def time_builds(model: Path, runs: int, out: Path) -> list[Timings]:
    build(model, out)  # warm-up: imports, template cache of the OS
    return [build(model, out).timings for _ in range(runs)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs, factor = (3, 5) if args.quick else (10, 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timings = time_builds(EXAMPLE, runs, folder)
        total = median([t.total for t in timings])
        library = median([t.library for t in timings])
        print(f"example build, median of {runs}: {total * 1000:.0f} ms")
        for stage in ("load", "derive", "check", "narrate", "render", "save"):
            share = median([t.stages.get(stage, 0.0) for t in timings])
            print(f"  {stage:8s} {share * 1000:7.1f} ms  {share / total:6.1%}")
        print(f"library's own work (load+derive+check+narrate): {library / total:.1%} of the build")
        print(f"docx rendering and saving: {(total - library) / total:.1%}")

        scaled = scaled_model(factor, folder)
        start = time.perf_counter()
        big = median([t.total for t in time_builds(scaled, max(2, runs // 3), folder)])
        big_library = median([t.library for t in time_builds(scaled, max(2, runs // 3), folder)])
        elapsed = time.perf_counter() - start
        print(f"{factor}× projects and lines: {big * 1000:.0f} ms per build = {big / total:.1f}× the example "
              f"(library's own work {big_library / library:.1f}×), measured in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
