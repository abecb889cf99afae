"""Command line: ``python -m disclosure build|validate|schema|templates …``.

Exit codes (DESIGN.md §8): 0 done; 1 the model has findings of severity error
(or warnings with ``--strict``); 2 unusable input (missing file, YAML syntax,
schema, unwritable output).  Messages name the file, YAML path and line; a
Python traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .checks import Finding, finding_lines, has_errors
from .errors import ExitCode, UsageError, interrupted_by_signal, raise_on_interrupt
from .files import published, safe_file_stem, stem_length_problem
from .load import LoadError, Problem, SourceMap
from .pipeline import BuildRefused, build, prepare, resolve_classification

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = ExitCode.OK, ExitCode.FINDINGS, ExitCode.INPUT


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _print_findings(findings: Sequence[Finding], source: SourceMap | None, *, strict: bool = False) -> None:
    for line in finding_lines(findings, source, strict=strict):
        _err(line)


def _add_debug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks")


def _add_model_options(parser: argparse.ArgumentParser, *, many: str = "") -> None:
    """The model argument(s) and the options of reading and checking them; ``many``: what several models do."""
    _add_debug(parser)
    if many:
        parser.add_argument("models", type=Path, nargs="+", metavar="MODEL",
                            help=f"budget model file(s) (YAML, JSON or an Excel workbook), e.g. unit.yaml; {many}")
    else:
        parser.add_argument("model", type=Path, help="budget model file (YAML, JSON or an Excel workbook), e.g. unit.yaml")
    parser.add_argument("--classification", type=Path, metavar="FILE",
                        help="支出功能分类 CSV (code,name,level,parent_code) replacing the bundled, partial list")
    parser.add_argument("--economic-classification", type=Path, metavar="FILE",
                        help="部门预算经济分类 CSV replacing the bundled list")
    parser.add_argument("--profile", help="report profile name or file (default: the model's, shanxi-13)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _jobs(text: str) -> int:
    """-j N: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (one per CPU) or more processes, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="Build a 预算公开报告 (.docx) from one budget model file.",
    )
    parser.add_argument("--version", action="version", version=f"disclosure {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    b = commands.add_parser("build", help="check the model(s) and write the report(s)")
    _add_model_options(b, many="several build as a batch")
    b.add_argument("-o", "--output", type=Path, default=Path("."), help="output folder (default: current folder)")
    b.add_argument("--name", help="output file name without extension")
    b.add_argument("--templates", type=Path, metavar="DIR", help="folder of .docx templates replacing defaults by name")
    b.add_argument("--pdf", action="store_true", help="also write the PDF (needs LibreOffice)")
    b.add_argument("--json", action="store_true", help="also write the derived tables and sentences as JSON")
    b.add_argument("--xlsx", action="store_true", help="also write the report's tables as an Excel workbook")
    b.add_argument("--quiet", action="store_true", help="print only problems")
    b.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                   help="build several models on N processes (default 1; 0 = one per CPU; never more than "
                        "the models or the CPUs)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="build on the Dask cluster of this scheduler, e.g. tcp://host:8786 (needs "
                        "disclosure[dask]; -j is then the cluster's)")

    v = commands.add_parser("validate", help="check the model(s) and print findings, write nothing")
    _add_model_options(v, many="each is checked on its own")
    v.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: one JSON document on stdout (a list of them for several models), also when a "
                        "model cannot be used")

    s = commands.add_parser("schema", help="print the JSON Schema of the budget model")
    s.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")

    _add_workbook_commands(commands)

    t = commands.add_parser("templates", help="export the default templates, check a folder of templates")
    tc = t.add_subparsers(dest="templates_command", metavar="ACTION")
    te = tc.add_parser("export", help="copy the default templates of a profile into DIR")
    _add_debug(te)
    te.add_argument("directory", type=Path)
    te.add_argument("--profile", help="the profile whose templates to copy (default shanxi-13)")
    te.add_argument("--all", action="store_true", help="copy every default template, of every bundled profile")
    te.add_argument("--force", action="store_true", help="replace templates already in DIR (your edits are lost)")
    tk = tc.add_parser("check", help="report unknown variables, broken tags and missing templates in DIR")
    _add_debug(tk)
    tk.add_argument("directory", type=Path)
    tk.add_argument("--profile", help="report profile name or file (default shanxi-13)")
    return parser


def _run_build(args: argparse.Namespace) -> int:
    if args.name is not None:
        problem = stem_length_problem(safe_file_stem(args.name))
        if problem:
            _err(f"error: --name: the report's file name {problem}")
            return EXIT_INPUT
    classification = resolve_classification(args.classification, args.economic_classification)
    options = {"classification": classification, "profile": args.profile, "templates": args.templates,
               "strict": args.strict, "json": args.json, "xlsx": args.xlsx}
    if len(args.models) > 1 or args.scheduler:
        if args.name and len(args.models) > 1:
            _err("error: --name names one report; leave it out when building several models")
            return EXIT_INPUT
        if args.name:
            options["output_name"] = args.name
        return _run_batch(args, options)
    result = build(args.models[0], args.output, output_name=args.name, pdf=args.pdf, **options)
    for notice in result.notices:
        _err(f"warning: {notice}")
    _print_findings(result.findings, result.source)
    _warn_left_over(result)
    if not args.quiet:
        for path in (result.docx, result.pdf, result.json, result.xlsx):
            if path is not None:
                print(f"wrote {path}")
        print(f"({result.timings.total:.2f} s)")
    return EXIT_OK


def _warn_left_over(result) -> None:
    """A file of the report's name this build did not write may not match the report beside it."""
    for path in result.left_over:
        _err(f"warning: {path} is from an earlier build and was not written now (build it again with "
             f"--{path.suffix[1:]}, or remove it): it may not match {result.docx.name}")


def _run_batch(args: argparse.Namespace, options: dict[str, object]) -> int:
    """Several models: each succeeds or fails on its own, with a progress bar; the worst exit code wins."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch import BatchInterrupted, build_batch

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    interrupted: list[Path] = []
    try:
        with Progress(*columns, console=console, transient=True, disable=args.quiet) as progress:
            task = progress.add_task("building", total=len(args.models))
            outcomes = build_batch(args.models, args.output, jobs=args.jobs, pdf=args.pdf, scheduler=args.scheduler,
                                   on_done=lambda outcome: progress.advance(task), **options)
    except BatchInterrupted as exc:
        outcomes, interrupted = exc.outcomes, exc.interrupted
    for outcome in outcomes:
        for line in outcome.messages:
            _err(line)
        if outcome.result is not None:
            _warn_left_over(outcome.result)
        if outcome.result is not None and not args.quiet:
            also = [p.name for p in (outcome.result.pdf, outcome.result.json, outcome.result.xlsx) if p is not None]
            print(f"wrote {outcome.result.docx}" + (f" and {', '.join(also)}" if also else ""))
    written = sum(o.result is not None for o in outcomes)
    if interrupted:
        _err(f"interrupted: {written} written, {len(outcomes) - written} not written, {len(interrupted)} interrupted "
             f"(nothing of them written: {', '.join(str(p) for p in interrupted)})")
        return ExitCode.INTERRUPTED
    if not args.quiet:
        print(f"{written} of {len(outcomes)} reports written")
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def _run_validate(args: argparse.Namespace) -> int:
    """Check each model; with --format json one document (a list for several models), whatever happens."""
    classification = None
    documents, codes = [], []
    for model in args.models:
        try:
            if classification is None:
                classification = resolve_classification(args.classification, args.economic_classification)
            document, code = _validate_one(args, model, classification)
        except LoadError as exc:
            document, code = _unusable(model, [_problem_json(p) for p in exc.problems]), EXIT_INPUT
            if args.format != "json":
                for problem in exc.problems:
                    _err(f"error: {problem}")
        except (UsageError, OSError) as exc:
            document, code = _unusable(model, [{"message": str(exc)}]), EXIT_INPUT
            if args.format != "json":
                _err(f"error: {exc}")
        documents.append(document)
        codes.append(code)
    if args.format == "json":
        print(json.dumps(documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=2))
    return max(codes)


def _problem_json(problem: Problem) -> dict[str, object]:
    return {"message": problem.message, "file": problem.file, "path": list(problem.path), "line": problem.line,
            "column": problem.column, "cell": problem.cell, "text": str(problem)}


def _unusable(model: Path, problems: list[dict[str, object]]) -> dict[str, object]:
    """The JSON of a model that cannot be checked at all (exit code 2): its problems, no findings."""
    return {"file": str(model), "ok": False, "exit_code": int(EXIT_INPUT), "problems": problems, "findings": []}


def _validate_one(args: argparse.Namespace, model: Path, classification) -> tuple[dict[str, object], int]:
    prepared = prepare(model, classification=classification, profile=args.profile)
    source = prepared.loaded.source
    for notice in prepared.loaded.notices:
        _err(f"warning: {notice}")
    failed = has_errors(prepared.findings, strict=args.strict)
    code = EXIT_FINDINGS if failed else EXIT_OK
    if args.format != "json":
        _print_findings(prepared.findings, source, strict=args.strict)
        errors = sum(f.is_error or args.strict for f in prepared.findings)
        print(f"{model}: {errors} error(s), {len(prepared.findings) - errors} warning(s)")
    document = {
        "file": str(model),
        "ok": not failed,
        "exit_code": int(code),
        "problems": [],
        "findings": [
            {
                "rule": f.rule,
                "severity": "error" if f.is_error or args.strict else "warning",
                "message": f.message,
                "path": list(f.path),
                "line": source.line(f.path),
                "cell": source.cell(f.path),
            }
            for f in prepared.findings
        ],
    }
    return document, code


def _run_schema(args: argparse.Namespace) -> int:
    from .schema import schema_text

    text = schema_text()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _run_templates(args: argparse.Namespace) -> int:
    from .profile import load_profile
    from .render import export_templates
    from .render.check import check_templates

    if args.templates_command == "export":
        names = None if args.all else load_profile(args.profile or "shanxi-13").template_names
        written = export_templates(args.directory, names, force=args.force)
        print(f"copied {len(written)} templates to {args.directory}")
        return EXIT_OK
    if args.templates_command == "check":
        if not args.directory.is_dir():
            _err(f"error: {args.directory}: not a folder of templates")
            return EXIT_INPUT
        problems = check_templates(args.directory, load_profile(args.profile or "shanxi-13"))
        for problem in problems:
            print(problem, file=sys.stderr)
        errors = sum(p.severity == "error" for p in problems)
        print(f"{args.directory}: {errors} error(s), {len(problems) - errors} warning(s)")
        return EXIT_FINDINGS if errors else EXIT_OK
    _err("disclosure templates: choose an action (export, check)")
    return EXIT_INPUT


def _add_workbook_commands(commands) -> None:
    i = commands.add_parser("init", help="write an empty budget model to fill in: an Excel workbook")
    _add_debug(i)
    i.add_argument("--xlsx", type=Path, required=True, metavar="FILE", help="the workbook to write, e.g. unit.xlsx")
    i.add_argument("--profile", help="report profile name or file (default shanxi-13)")
    i.add_argument("--force", action="store_true", help="replace FILE if it exists")
    c = commands.add_parser("convert", help="convert a model between YAML and an Excel workbook, losslessly")
    _add_debug(c)
    c.add_argument("source", type=Path, help="the model to read: unit.yaml or unit.xlsx")
    c.add_argument("target", type=Path, help="the file to write: unit.xlsx or unit.yaml (by its suffix)")
    c.add_argument("--force", action="store_true", help="replace TARGET if it exists")


def _run_init(args: argparse.Namespace) -> int:
    from .workbook.convert import init_workbook

    print(f"wrote {init_workbook(args.xlsx, profile=args.profile, force=args.force)}")
    return EXIT_OK


def _run_convert(args: argparse.Namespace) -> int:
    from .workbook.convert import convert

    convert(args.source, args.target, force=args.force)
    print(f"wrote {args.target}")
    return EXIT_OK


def _printable_anywhere() -> None:
    """A console or file that cannot encode a character (GBK on a Chinese Windows: 𠮷) gets it as \\U00020bb7:
    a report written must never end in an encoding error while its path is printed."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):  # not a text stream (a test's capture)
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def main(argv: Sequence[str] | None = None) -> int:
    raise_on_interrupt()
    _printable_anywhere()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    handlers = {"build": _run_build, "validate": _run_validate, "schema": _run_schema, "templates": _run_templates,
                "init": _run_init, "convert": _run_convert}
    try:
        return handlers[args.command](args)
    except LoadError as exc:
        _debug(args)
        for problem in exc.problems:
            _err(f"error: {problem}")
        return EXIT_INPUT
    except BuildRefused as exc:
        strict = getattr(args, "strict", False)
        _print_findings(exc.findings, exc.source, strict=strict)
        errors = sum(f.is_error or strict for f in exc.findings)
        _err(f"no report written: {errors} error(s)" + (" (warnings count as errors with --strict)" if strict else ""))
        return EXIT_FINDINGS
    except (UsageError, OSError) as exc:
        _debug(args)
        _err(f"error: {exc}")
        return EXIT_INPUT
    except KeyboardInterrupt:  # outputs staged so far were removed on the way out (files.StagedOutputs)
        return _interrupted()
    except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
        if interrupted_by_signal():  # Ctrl-C, wrapped by a library's native code into an error of its own
            return _interrupted()
        _debug(args)
        _err(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback, and please report it)")
        return ExitCode.BUG


def _interrupted() -> int:
    written = published()
    _err("interrupted: " + (f"wrote {', '.join(str(p) for p in written)}" if written else "nothing written"))
    return ExitCode.INTERRUPTED


def _debug(args: argparse.Namespace) -> None:
    """With --debug, print the traceback of the exception being handled."""
    if getattr(args, "debug", False):
        traceback.print_exc()
