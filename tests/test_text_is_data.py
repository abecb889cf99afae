"""Text is data, never code: markup and template syntax in any text field print literally.

Also the property test of issue 4: the example model mutated at random places either builds a
valid report that holds every mutated text literally, or fails cleanly (exit 1 or 2, a message
naming file, line and field, no traceback, no file left behind).
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
from pathlib import Path
from typing import Any

import docx
import yaml
from docx_reading import all_text
from exploration import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from disclosure.cli import main

TRICKY = [
    "A&B <研究院> “引号” 'single' \"double\"",
    "{{ unit.name }} 与 {% if true %}x{% endif %} 以及 {# 注释 #}",
    "</w:t></w:r><w:r><w:t>注入",
    "{_{ 不是模板 }_} & &amp; &lt;",
    "${HOME} %s {0} \\n \\t",
]


def _example_data(example_path: Path) -> dict[str, Any]:
    return yaml.safe_load(example_path.read_text(encoding="utf-8"))


def _build(data: dict[str, Any], folder: Path) -> tuple[int, str, Path]:
    model = folder / "unit.yaml"
    model.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder / "out"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", str(model), "-o", str(out)])
    return code, stderr.getvalue(), out


def _report_text(out: Path) -> str:
    [report] = out.glob("*.docx")
    document = docx.Document(str(report))
    return all_text(document) + "\n".join(p.text for s in document.sections for p in s.footer.paragraphs)


def test_markup_and_template_syntax_print_literally(example_path: Path, tmp_path: Path):
    data = _example_data(example_path)
    data["overview"]["intro"] = TRICKY[0]
    data["overview"]["duties"][0] = TRICKY[1]
    data["overview"]["organisation"][0] = TRICKY[2]
    data["other_notes"] = [TRICKY[3], TRICKY[4]]
    data["last_year"]["total"]["reason"] = TRICKY[1]
    data["projects"][0]["performance"]["overview"] = TRICKY[0] + TRICKY[2]
    data["projects"][0]["performance"]["indicators"]["产出指标"]["数量指标"][0]["value"] = TRICKY[3]
    data["glossary"] = {"entries": [{"term": "基本支出", "text": TRICKY[1]}]}
    data["government_purchase"] = TRICKY[4]
    code, stderr, out = _build(data, tmp_path)
    assert code == 0, stderr
    text = _report_text(out)
    for tricky in TRICKY:
        assert tricky in text, tricky
    assert f"主要原因是{TRICKY[1]}" in text


# --------------------------------------------------------------------------- random mutations


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value of the model (mappings by key, lists by index)."""
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _paths(value, (*prefix, index))
    return paths


def _get(node: Any, path: tuple) -> Any:
    for key in path:
        node = node[key]
    return node


def _set(node: Any, path: tuple, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


#: text fields that are not printed as such (names that identify, codes, file names, choices)
NOT_PRINTED = re.compile(r"(^|\.)(project|name|category|attribute|source|kind|function|economic|code|catalogue|"
                         r"profile|output_name|sheet_order|term|level|amount_unit|as_of|file|after)(\.|$|\[)")

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
mutations = st.one_of(
    st.tuples(st.just("text"), st.one_of(texts, st.sampled_from(TRICKY))),
    st.tuples(st.just("number"), st.sampled_from(["-1", "1e400", "0.001", "NaN", "99999999999999999999.99", "0", "abc", ""])),
    st.tuples(st.just("type"), st.sampled_from([[], {}, None, True, 12, [1, 2], {"x": 1}])),
    st.tuples(st.just("delete"), st.none()),
    st.tuples(st.just("unknown key"), st.sampled_from(["amout", "nmae", "x", "备注"])),
)


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


@settings(max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_mutations_build_a_valid_report_or_fail_cleanly(example_path: Path, tmp_path_factory, data):
    model = _example_data(example_path)
    model["appendix"] = None  # the 1,046-row catalogue is tested elsewhere; keep each build fast
    paths = _paths(model)
    path = data.draw(st.sampled_from(paths), label="path")
    kind, value = data.draw(mutations, label="mutation")
    mutated = copy.deepcopy(model)
    target = _get(mutated, path)
    if kind == "text":
        assume(isinstance(target, str))
        _set(mutated, path, value)
    elif kind == "number":
        assume(not isinstance(target, (dict, list)))
        _set(mutated, path, value)
    elif kind == "type":
        _set(mutated, path, value)
    elif kind == "delete":
        container = _get(mutated, path[:-1]) if len(path) > 1 else mutated
        del container[path[-1]]
    else:
        assume(isinstance(target, dict))
        target[value] = "x"

    folder = tmp_path_factory.mktemp("mutation")
    code, stderr, out = _build(mutated, folder)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if code == 0:
        text = _report_text(out)
        if kind == "text" and not NOT_PRINTED.search(_dotted(path)):
            printed = value.strip().replace("\r\n", "\n").replace("\r", "\n")  # a carriage return is a line break
            assert printed in text, (_dotted(path), value)
    else:
        assert code in (1, 2), (code, stderr)
        assert not out.exists() or not any(out.iterdir())
        messages = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert messages, stderr
        for message in messages:
            # every error names the file and line, and the field where the input has one
            assert re.match(r"^error: \S*unit\.yaml(:\d+)?( \S+:| \S+: \[[a-z-]+\]|:) ", message), message
