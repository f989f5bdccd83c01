"""The command line: ``python build.py …`` and ``panelsite …`` are the same program.

Every command is one row of :data:`COMMANDS`: its name, its help, the function that
adds its arguments and the function that runs it. Those live with the part they
belong to and import their heavy libraries only when they run, so ``--help`` stays
quick. Exit codes: 0 ok, 1 build error, 2 invalid input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, NamedTuple

from panelsite.authoring import commands as authoring
from panelsite.collector import commands as collector
from panelsite.deploy import commands as deploy
from panelsite.engine import commands as engine
from panelsite.errors import PanelsiteError, reporting
from panelsite.importing import commands as importing
from panelsite.panel import commands as panel_report
from panelsite.round import commands as round_commands


class Command(NamedTuple):
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS = [
    Command("build", "build every municipality (the default command)", engine.build_arguments, engine.build),
    Command("check", "validate everything and write nothing", engine.check_arguments, engine.check),
    Command("readability", "check the Dutch texts against the B1 guidance (warnings)",
            authoring.readability_arguments, authoring.readability),
    Command("serve", "build, serve locally, rebuild on change and reload the browser",
            authoring.serve_arguments, authoring.serve),
    Command("collect", "run the response collector (HTTP server the forms post to)",
            collector.collect_arguments, collector.collect),
    Command("import", "read a survey tool's export (SPSS, Excel, Qualtrics, LimeSurvey, CSV) into responses.csv",
            importing.import_arguments, importing.run_import),
    Command("export", "write responses.csv of a survey, or the member list",
            collector.export_arguments, collector.export),
    Command("mail", "a panel round's mailings: invitations, reminders, factsheet; status of the outbox",
            round_commands.mail_arguments, round_commands.mail),
    Command("retention", "delete what the privacy statement says is deleted",
            collector.retention_arguments, collector.retention),
    Command("new", "create a commented starting point", authoring.new_arguments, authoring.new),
    Command("schema", "write JSON Schemas of every input, for editors (VS Code's YAML extension) and the CMS",
            authoring.schema_arguments, authoring.schema),
    Command("cms", "write Decap CMS (editing in the browser) with a production backend, to deploy",
            authoring.cms_arguments, authoring.cms),
    Command("deploy", "upload a built site to a folder, an rsync or SSH server, or S3-compatible storage",
            deploy.deploy_arguments, deploy.deploy),
    Command("panel-report", "staff report on the panel's representativeness (not published)",
            panel_report.report_arguments, panel_report.report),
]


# Commands that read the collector's database: their unexpected errors are reported without their text.
PERSONAL_DATA = ("collect", "export", "retention")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="panelsite", description="Build the resident panel sites.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: current folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.arguments(sub.add_parser(command.name, help=command.help, description=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = make_parser().parse_args(_with_command(argv))
    run = {c.name: c.run for c in COMMANDS}[args.command]
    try:
        with reporting():  # warnings and progress lines: printed on stdout, counted
            return run(args)
    except PanelsiteError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(exc.closing(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line naming where, not a traceback
        if os.environ.get("PANELSITE_DEBUG"):
            raise
        from panelsite.engine.failures import internal_problem

        # The collector's commands handle personal data: the exception's own text stays out.
        print(f"error: {internal_problem(exc, f'in {args.command}', args.command not in PERSONAL_DATA)}",
              file=sys.stderr)
        print("PANELSITE_DEBUG=1 shows the traceback.", file=sys.stderr)
        return 1


def _with_command(argv: list[str]) -> list[str]:
    """``build`` is the default: ``python build.py --only x`` is ``python build.py build --only x``.

    Only --root may come before the command (``panelsite --root X export …``).
    """
    i = 0
    while i < len(argv) and (argv[i] == "--root" or argv[i].startswith("--root=")):
        i += 2 if argv[i] == "--root" else 1
    if i < len(argv) and argv[i] in ("-h", "--help"):
        return argv
    if i >= len(argv) or argv[i].startswith("-"):
        return [*argv[:i], "build", *argv[i:]]
    return argv
