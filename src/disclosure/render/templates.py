"""Where templates come from: the defaults shipped in the wheel, replaced file by file by ``--templates DIR``."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import UsageError


class TemplateError(UsageError):
    """A template that is missing or cannot be rendered; the message names the template."""


def default_template_dir() -> Path:
    """``disclosure/templates/docx`` inside the installed package.

    In a source checkout installed in editable mode the templates live at the
    repository's top-level ``templates/docx`` (the wheel build copies them into
    the package), so that folder is used when the package has none.
    """
    packaged = Path(str(resources.files("disclosure"))) / "templates" / "docx"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "templates" / "docx"
    if checkout.is_dir():
        return checkout
    raise TemplateError("the default templates are missing from this installation of disclosure")


@dataclass(frozen=True)
class TemplateSet:
    """Templates by file name: a file in ``override`` wins over the default of the same name."""

    defaults: Path
    override: Path | None = None

    @classmethod
    def create(cls, override: Path | str | None = None) -> TemplateSet:
        folder = Path(override) if override is not None else None
        if folder is not None and not folder.is_dir():
            raise TemplateError(f"{folder}: --templates must be a folder of .docx templates")
        return cls(default_template_dir(), folder)

    def path(self, name: str) -> Path:
        if self.override is not None:
            candidate = self.override / name
            if candidate.is_file():
                return candidate
        candidate = self.defaults / name
        if candidate.is_file():
            return candidate
        raise TemplateError(f"template {name} not found (looked in {self.override or ''} {self.defaults})".replace("  ", " "))


def export_templates(destination: Path | str, names: list[str] | None = None, *, force: bool = False) -> list[Path]:
    """Copy the default templates into ``destination`` (created if needed) for a maintainer to edit.

    Raises :class:`FileExistsError` naming the templates already there (a maintainer's edited copies), and
    copies none, unless ``force``.
    """
    source = default_template_dir()
    target = Path(destination)
    chosen = [path for path in sorted(source.glob("*.docx")) if names is None or path.name in names]
    present = [path.name for path in chosen if os.path.lexists(target / path.name)]
    if present and not force:
        raise FileExistsError(f"{target}: already holds {', '.join(present[:5])}{' …' if len(present) > 5 else ''}; "
                              "nothing was copied (add --force to replace them with the defaults)")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chosen:
        shutil.copyfile(path, target / path.name)
        written.append(target / path.name)
    return written
