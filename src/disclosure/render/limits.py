"""How much one part of a report may cost: the limits that keep a template from hanging a build or exhausting memory.

Every limit is per part (one rendered template) and has a default fit for reports far larger than any
published one; each can be changed with an environment variable (``docs/templates.md``,
``docs/decisions.md``):

=============================  ====================================  ==========
limit                          variable                              default
=============================  ====================================  ==========
rendering time of a part       ``DISCLOSURE_PART_SECONDS``           30 s
XML a part may produce         ``DISCLOSURE_PART_MEGABYTES``         256 MiB
one XML file inside a template ``DISCLOSURE_TEMPLATE_PART_MEGABYTES`` 16 MiB
=============================  ====================================  ==========

A value computed inside a template (a string, a list, an integer) is also bounded
(:attr:`RenderLimits.value_length`, :attr:`RenderLimits.integer_bits`): templates place values, they
never need to build big ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .templates import TemplateError

MIB = 1024 * 1024


class LimitExceeded(TemplateError):
    """A template went beyond one of the :class:`RenderLimits` (time, output, size of a value or a file)."""


def _number(variable: str, default: float) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise TemplateError(f"{variable}={text!r}: expected a number") from None
    if not value > 0:
        raise TemplateError(f"{variable}={text!r}: expected a number above 0")
    return value


#: Largest Word template file read, in bytes (the default templates have 20–60 KB each): checked by the build
#: before anything is rendered, and by ``templates check``.
TEMPLATE_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class RenderLimits:
    """The limits of one rendered part and of the template files read (see the module's table)."""

    part_seconds: float = 30.0
    part_bytes: int = 256 * MIB
    template_part_bytes: int = 16 * MIB
    #: a template's images and other binary parts, each
    template_media_bytes: int = 64 * MIB
    #: files inside one template package
    template_entries: int = 2000
    #: characters of a string, or items of a list, that one template operation may create
    value_length: int = 4_000_000
    #: bits of an integer a template computes (10**4000 has 13288)
    integer_bits: int = 16_384

    @classmethod
    def from_environment(cls) -> RenderLimits:
        """The defaults, with any ``DISCLOSURE_PART_SECONDS`` / ``…_MEGABYTES`` set in the environment."""
        return cls(
            part_seconds=_number("DISCLOSURE_PART_SECONDS", cls.part_seconds),
            part_bytes=int(_number("DISCLOSURE_PART_MEGABYTES", cls.part_bytes / MIB) * MIB),
            template_part_bytes=int(_number("DISCLOSURE_TEMPLATE_PART_MEGABYTES", cls.template_part_bytes / MIB) * MIB),
        )
