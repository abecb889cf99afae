"""From derived tables and sentences to one Word document, in the order the profile gives (DESIGN.md §7).

``render`` never computes a figure: it places what :mod:`disclosure.tables` and
:mod:`disclosure.narrative` derived, formatted by :mod:`disclosure.money`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import BudgetModel
from ..profile import PartSpec
from ..report import ReportContent
from . import context as ctx
from .compose import OutlineEntry, RenderedReport, RenderJob, compose
from .templates import TemplateError, TemplateSet, default_template_dir, export_templates

__all__ = [
    "OutlineEntry",
    "RenderedReport",
    "ReportContent",
    "TemplateError",
    "TemplateSet",
    "default_template_dir",
    "export_templates",
    "plan_jobs",
    "render_report",
]


def _outline(part: PartSpec, model: BudgetModel, profile) -> OutlineEntry | None:
    if part.outline is None or part.bookmark is None:
        return None
    return OutlineEntry(part.bookmark, ctx.fill(part.outline.title, model, profile), part.outline.level)


def plan_jobs(content: ReportContent) -> Iterator[RenderJob]:
    """The templates to render, in order, each with its context, page break and bookmark."""
    model, profile = content.model, content.profile
    base = ctx.base_context(model, profile)
    sheets = {sheet.name: sheet for sheet in content.sheets}
    table_number = 0
    for part in profile.parts_for(model.unit.level):
        context = {**base, "part_title": ctx.part_title(part, model, profile)}
        outline = _outline(part, model, profile)
        if part.content == "table":
            printed = [content.printed[name] for name in part.table_names]
            context.update(ctx.tables_context(printed, profile, model))
            label, title = context["table"]["label"], context["table"]["title"]
            table_number += 1
            outline = OutlineEntry(f"table_{table_number:02d}", f"{label} {title}".strip(), 1)
        elif part.content == "contents":
            context.update(ctx.contents_context(profile, model, content.narrative))
        elif part.content == "overview":
            context.update(ctx.overview_context(model, content.narrative))
        elif part.content == "notes":
            context.update(ctx.notes_context(part, content.narrative))
        elif part.content == "performance_sheets":
            for number, sheet in enumerate(content.sheets, start=1):
                entry = OutlineEntry(f"sheet_{number:02d}", f"{sheet.name}项目支出绩效目标表", 1)
                yield RenderJob(part.template, {**context, **ctx.sheet_context(sheet, profile, model)}, part.new_page,
                                entry)
            continue
        elif part.content == "project_explanations":
            explained = [p for p in model.projects if p.explanation is not None]
            for number, project in enumerate(explained, start=1):
                entry = OutlineEntry(f"project_{number:02d}", f"{project.name}项目经费情况说明", 1)
                job_context = {**context, **ctx.explanation_context(project, sheets.get(project.name), profile, model)}
                yield RenderJob(part.template, job_context, part.new_page, entry)
            continue
        elif part.content == "appendix":
            if content.catalogue is None:
                continue
            context.update(ctx.appendix_context(content.catalogue))
            outline = outline or OutlineEntry("appendix", content.catalogue.title, 1)
        elif part.content == "glossary":
            context.update(ctx.glossary_context(content.glossary))
        yield RenderJob(part.template, context, part.new_page, outline)


def render_report(content: ReportContent, templates: TemplateSet) -> RenderedReport:
    """The report of ``content``, its templates compiled (errors name the template); ``write`` renders it.

    ``rendered.outline`` lists the bookmarks of parts, tables and sheets; ``rendered.write(handle)`` streams
    the .docx into a binary file handle (or a path).
    """
    jobs = list(plan_jobs(content))
    return compose(templates, ctx.base_context(content.model, content.profile), jobs)
