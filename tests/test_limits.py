"""The limits admit the largest report the team targets, and refuse what would exhaust memory (docs/decisions.md).

The target: a report of 50,000 table rows, about 1,600 projects with performance sheets, ~10 MB of
YAML, built within 300 MiB.  Loading such a model must stay well inside every limit of
:mod:`disclosure.load` and take a fraction of that memory.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"
load_module = importlib.import_module("disclosure.load")


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):
        return True


def large_model(folder: Path, projects: int) -> Path:
    """The example with its projects (each with its line and performance sheet) repeated under new names."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    template = list(zip(data["projects"], data["budget"]["lines"]))
    new_projects, new_lines = [], []
    for number in range(projects):
        project, line = template[number % len(template)]
        name = f"{project['name']}（{number}）"
        new_projects.append({**project, "name": name})
        new_lines.append({**line, "project": name})
    data["projects"], data["budget"]["lines"] = new_projects, new_lines
    data.setdefault("performance", {})["sheet_order"] = []
    path = folder / "large.yaml"
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True), encoding="utf-8")
    return path


MEASURE = """
import importlib, pathlib, sys
load = importlib.import_module("disclosure.load")
text = load._read_text(pathlib.Path(sys.argv[1]), sys.argv[1])
reader, loader = load._Reader(sys.argv[1]), load._SafeLoader(text)
loader.get_event(), loader.get_event()
data, entry = reader.read(loader)
loader.dispose()
model = load.load_data(data, load.SourceMap(sys.argv[1], entry))
# VmHWM: this process's own peak (ru_maxrss would also count the parent's memory before exec)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(len(model.projects), reader.count, peak // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory with Linux /proc")
def test_the_target_model_loads_well_inside_the_limits(tmp_path: Path):
    path = large_model(tmp_path, 1600)
    size = path.stat().st_size
    assert 5_000_000 < size < load_module.MAX_BYTES / 2, size
    result = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    projects, values, peak_mib = map(int, result.stdout.split())
    assert projects == 1600
    assert values < load_module.MAX_NODES / 5, values
    # ~105 MiB here; keeping PyYAML's node graph took 151 MiB, half the 300 MiB the whole build may use
    assert peak_mib < 150, f"loading took {peak_mib} MiB of the 300 MiB a build of this model may use"
