"""``build.py import <slug> <survey-id> <file>``: its arguments and how it runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("slug", help="the municipality (municipalities/<slug>.yaml)")
    p.add_argument("survey_id", metavar="survey-id", help="the survey: content/<slug>/surveys/<survey-id>/")
    p.add_argument("file", type=Path, help="the export: .sav/.zsav (SPSS), .xlsx (Excel), .csv (Qualtrics, "
                                           "LimeSurvey, the collector, any spreadsheet)")
    p.add_argument("--mapping", type=Path, help="import.yaml to use (default: the one beside survey.yaml, if any)")
    p.add_argument("--sheet", help="the Excel sheet to read (default: the first)")
    p.add_argument("--include-partial", action="store_true", help="keep respondents who did not finish")
    p.add_argument("--dry-run", action="store_true", help="check everything and print the plan; write nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run_import(args: argparse.Namespace) -> int:
    from panelsite.errors import PanelsiteError, problem_count
    from panelsite.importing.report import Progress
    from panelsite.importing.run import Request, run

    root = args.root.resolve()
    file = args.file if args.file.is_absolute() else Path.cwd() / args.file
    request = Request(root=root, slug=args.slug, survey_id=args.survey_id, file=file, mapping=args.mapping,
                      sheet=args.sheet, include_partial=args.include_partial, dry_run=args.dry_run,
                      progress=Progress())
    try:
        report = run(request)
    except PanelsiteError as exc:
        if args.json:
            print(json.dumps({"ok": False, "problems": [str(p) for p in exc.problems],
                              "count": problem_count(exc.problems)}, ensure_ascii=False, indent=2))
        raise
    if args.json:
        print(json.dumps({"ok": True, **report.as_dict()}, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(report.lines()))
        if report.draft and not args.dry_run:
            print(f"\nNext: check content/{args.slug}/surveys/{args.survey_id}/survey.yaml (every # check), then "
                  f"preview with:\n  python build.py serve --only {args.slug} --drafts", file=sys.stdout)
    return 0
