"""The Jinja environment templates run in: sandboxed, immutable, autoescaping, strict — and on a budget.

* :class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: no private attributes, and no method that
  changes a list or a mapping (``unit.update(...)`` fails), so a template cannot alter the facts it prints;
* ``autoescape=True`` everywhere: the ``safe`` filter is removed and ``{% autoescape %}`` blocks are refused,
  so text from the model is always printed as text, never read as markup;
* ``StrictUndefined``: a misspelt variable is an error naming it, never a silently empty cell;
* a :class:`Budget` per rendered part: a deadline checked in every loop iteration, call and computed
  value; the size of every string, list and integer a template computes (``*``, ``**``, ``+``, ``%``,
  ``~``, filters, method calls, ``str.format``) checked *before* it is made; and the total of what it
  made. So ``{{ 10**(10**9) }}``, ``{{ 'x' * 10**10 }}`` and nested ``range(100000)`` loops stop with an
  error naming the template instead of hanging the build.

``include``, ``import`` and ``extends`` are refused: a report template stands alone.
"""

from __future__ import annotations

import functools
import math
import re
import string
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, StrictUndefined, nodes
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import TemplateSyntaxError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import escape as markupsafe_escape

from .limits import LimitExceeded, RenderLimits
from .merges import MergeState, merge_look, merge_step

_LOOP_GUARD = "_disclosure_loop"
_DICT_ATTRIBUTES = frozenset(dir(dict))
_LOOP_ATTRIBUTES = frozenset(("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                              "depth0", "previtem", "nextitem"))
_CONCAT_GUARD = "_disclosure_concat"


@dataclass
class Budget:
    """What one part may still spend: time until ``deadline``, and ``allowance`` characters/items to create."""

    limits: RenderLimits
    deadline: float
    allowance: int
    steps: int = 0
    created: int = field(default=0)

    @classmethod
    def start(cls, limits: RenderLimits) -> Budget:
        return cls(limits, time.monotonic() + limits.part_seconds, limits.part_bytes)

    def step(self) -> None:
        """One loop iteration or call; the clock is read every 256 steps."""
        self.steps += 1
        if not self.steps & 255:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"stopped after {self.limits.part_seconds:g} s, the limit of one part's rendering time "
                "(a loop that never ends? set DISCLOSURE_PART_SECONDS to allow more)"
            )

    def spend(self, size: int, what: str) -> None:
        """Account for a value of ``size`` characters or items about to be created by the template."""
        if size > self.limits.value_length:
            raise LimitExceeded(f"{what} would hold {size:,} characters or items; a template may make at most "
                                f"{self.limits.value_length:,}")
        self.created += size
        if self.created > self.allowance:
            raise LimitExceeded(f"the template computed more than {self.allowance // (1024 * 1024)} MiB of values "
                                "(set DISCLOSURE_PART_MEGABYTES to allow more)")
        self.step()


_BUDGET: ContextVar[Budget | None] = ContextVar("disclosure_render_budget", default=None)


def current_budget() -> Budget:
    budget = _BUDGET.get()
    if budget is None:  # a template rendered outside :func:`budget_for` (never by the library): default limits
        budget = Budget.start(RenderLimits())
        _BUDGET.set(budget)
    return budget


class budget_for:  # noqa: N801 - used as a context manager, like open()
    """``with budget_for(limits) as budget:`` — the budget of one part while it renders."""

    def __init__(self, limits: RenderLimits):
        self.budget = Budget.start(limits)

    def __enter__(self) -> Budget:
        self._token = _BUDGET.set(self.budget)
        return self.budget

    def __exit__(self, *exc: object) -> None:
        _BUDGET.reset(self._token)


# --------------------------------------------------------------------------- sizes


def _length(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


def _check_integer(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        limit = current_budget().limits.integer_bits
        if value.bit_length() > limit:
            raise LimitExceeded(f"{what} is an integer of {value.bit_length():,} bits; a template may compute "
                                f"at most {limit:,}")


def _check_argument(value: Any, what: str) -> None:
    """An integer argument that asks for more than a template may make (``'x'.center(10**9)``)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > current_budget().limits.value_length:
        raise LimitExceeded(f"{what} is given {value:,}; a template may ask for at most "
                            f"{current_budget().limits.value_length:,}")


def _spend_result(value: Any, what: str) -> Any:
    budget = current_budget()
    size = _length(value)
    if size:
        budget.spend(size, what)
    else:
        budget.step()
    _check_integer(value, what)
    return value


_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_printf(text: str, what: str) -> None:
    for match in _PRINTF_FIELD.finditer(text):
        for number in match.groups():
            if number == "*" or (number is not None and int(number) > 10_000):
                raise LimitExceeded(f"{what}: the field width {match.group()!r} is too large for a template")


def _check_format_string(text: str, what: str) -> None:
    for _literal, _name, spec, _conversion in string.Formatter().parse(text):
        if spec and ("{" in spec or any(int(n) > 10_000 for n in re.findall(r"\d+", spec))):
            raise LimitExceeded(f"{what}: the format {spec!r} is too large for a template")


# --------------------------------------------------------------------------- operators


def _multiply_size(left: Any, right: Any) -> int:
    for sequence, count in ((left, right), (right, left)):
        if _length(sequence) and isinstance(count, int):
            return _length(sequence) * max(count, 0)
    return 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    budget = current_budget()
    what = f"'{operator}'"
    if operator == "*":
        size = _multiply_size(left, right)
        if size:
            budget.spend(size, what)
        elif isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > budget.limits.integer_bits:
            raise LimitExceeded(f"{what} would make an integer of over {budget.limits.integer_bits:,} bits")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            bits = right * math.log2(abs(left))
            if bits > budget.limits.integer_bits:
                raise LimitExceeded(f"'**' would make an integer of about {bits:,.0f} bits; a template may compute "
                                    f"at most {budget.limits.integer_bits:,}")
    elif operator == "+":
        if _length(left) and _length(right):
            budget.spend(_length(left) + _length(right), what)
    elif operator == "%" and isinstance(left, str):
        _check_printf(left, what)
        budget.spend(len(left) + _length(right), what)
    budget.step()


# --------------------------------------------------------------------------- guards inserted into templates


class _Guarded:
    """An iterable whose every step is counted against the budget (``loop.length`` still works)."""

    __slots__ = ("_iterable",)

    def __init__(self, iterable: Iterable[Any]):
        self._iterable = iterable

    def __len__(self) -> int:
        return len(self._iterable)  # type: ignore[arg-type]  # TypeError: Jinja counts by listing

    def __iter__(self) -> Iterator[Any]:
        budget = current_budget()
        for item in self._iterable:
            budget.step()
            yield item


def _loop_guard(iterable: Any) -> Any:
    return _Guarded(iterable)


def _concat_guard(values: list[Any]) -> Any:
    current_budget().spend(sum(len(str(v)) for v in values), "'~'")
    return markup_join(values)


class _Guard(NodeTransformer):
    """Rewrites a parsed template: every loop's iterable and every ``~`` go through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 - NodeTransformer's naming
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP_GUARD, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        node = self.generic_visit(node)
        items = nodes.List(list(node.nodes), lineno=node.lineno)
        return nodes.Filter(items, _CONCAT_GUARD, [], [], None, None, lineno=node.lineno)

    def _refuse(self, node: nodes.Node, what: str) -> None:
        raise TemplateSyntaxError(f"{what} is not allowed in a report template", node.lineno)

    def visit_Extends(self, node: nodes.Extends) -> None:  # noqa: N802
        self._refuse(node, "{% extends %}")

    def visit_Include(self, node: nodes.Include) -> None:  # noqa: N802
        self._refuse(node, "{% include %}")

    def visit_Import(self, node: nodes.Import) -> None:  # noqa: N802
        self._refuse(node, "{% import %}")

    def visit_FromImport(self, node: nodes.FromImport) -> None:  # noqa: N802
        self._refuse(node, "{% from … import %}")

    def visit_ScopedEvalContextModifier(self, node: nodes.Node) -> None:  # noqa: N802
        self._refuse(node, "{% autoescape %} (values are always escaped)")

    def visit_EvalContextModifier(self, node: nodes.Node) -> None:  # noqa: N802
        self._refuse(node, "{% autoescape %} (values are always escaped)")


# --------------------------------------------------------------------------- escaping


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def escape_text(value: Any) -> Any:
    """markupsafe's ``escape`` for a printed value, without making a ``Markup`` of every plain string.

    Templates print tens of thousands of values; the result is joined into XML at once, so a plain ``str``
    with the same characters replaced serves as well (anything else, Markup included, goes to markupsafe).
    """
    if type(value) is str:
        # most printed values (figures, names) need no escape: five C-level scans beat a translation
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return value.translate(_ESCAPES)
        return value
    return markupsafe_escape(value)


# --------------------------------------------------------------------------- the environment


def _guard_filter(name: str, function: Any) -> Any:
    what = f"the filter '{name}'"

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, (EvalContext, Context, Environment))]
        for argument in (*values[1:], *kwargs.values()):  # the filtered value itself may be any size
            _check_argument(argument, what)
        if name == "format" and values and isinstance(values[0], str):
            _check_printf(values[0], what)
        if name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            text, old, new = values[:3]
            current_budget().spend(len(text) + (text.count(old) if old else len(text) + 1) * len(new), what)
        return _spend_result(function(*args, **kwargs), what)

    return guarded


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """The one environment every template is compiled in (see the module documentation)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items() if name != "safe"}
        self.filters[_LOOP_GUARD] = _loop_guard
        self.filters[_CONCAT_GUARD] = _concat_guard
        self.globals.pop("lipsum", None)  # generates text of any size
        # what the compiler writes into tables whose merged cells it decides (:mod:`.merges`)
        self.globals["_merge_state"] = MergeState
        self.filters["_merge_look"] = merge_look
        self.filters["_merge_step"] = merge_step

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.label`` on a context mapping without a Python exception per look-up (Jinja tries the attribute
        first); a key named like a mapping method (``items``) still goes Jinja's way."""
        kind = type(obj)
        if kind is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif kind is LoopContext and attribute in _LOOP_ATTRIBUTES or kind is MergeState and attribute in ("c", "nc", "x"):
            return getattr(obj, attribute)  # read-only properties, looked up in every repeated row
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _spend_result(super().call_binop(context, operator, left, right), f"'{operator}'")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        what = f"calling {getattr(__obj, '__name__', 'a function')}"
        for argument in (*args, *kwargs.values()):
            _check_argument(argument, what)
        return _spend_result(super().call(__context, __obj, *args, **kwargs), what)

    def wrap_str_format(self, value: Any) -> Any:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_format_string(value.__self__, "str.format")
        return wrapper

    def parse_guarded(self, source: str) -> nodes.Template:
        """``source`` parsed, refused if it uses what report templates may not, with its loops guarded."""
        return _Guard().visit(self.parse(source))

    def compile_guarded(self, source: str):
        """The Python code of ``source``, guarded (:meth:`parse_guarded`)."""
        tree = self.parse_guarded(source)
        tree.set_environment(self)
        return self.compile(tree)

    def template_from_code(self, code) -> JinjaTemplate:
        template = JinjaTemplate.from_code(self, code, self.make_globals(None))
        module = getattr(template.root_render_func, "__globals__", {})
        if module.get("escape") is markupsafe_escape:  # every printed value goes through it
            module["escape"] = escape_text
        return template


ENVIRONMENT = ReportEnvironment()
