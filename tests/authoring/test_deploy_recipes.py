"""The deploy recipes kept in the repository: they parse, name scripts that exist, and every
``python build.py …`` command in them is one the command line accepts."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from panelsite.cli import make_parser

from .conftest import REPO

RECIPES = [REPO / ".github" / "workflows" / "deploy.yml", REPO / ".gitlab-ci.yml"]
BUILD_COMMAND = re.compile(r"python3? build\.py\b[^\n]*")


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def shell_text(node) -> list[str]:
    """Every string in the recipe (run:, script: …), where commands live."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in shell_text(value)]
    if isinstance(node, list):
        return [text for value in node for text in shell_text(value)]
    return [node] if isinstance(node, str) else []


def build_commands(path) -> list[list[str]]:
    commands = []
    for text in shell_text(load(path)):
        for line in BUILD_COMMAND.findall(text.replace("\\\n", " ")):
            # CI expressions and shell variables stand for one argument each
            line = re.sub(r"\$\{\{[^}]*\}\}", "X", line)
            line = re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "X", line)
            commands.append(shlex.split(line)[2:])
    return commands


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_recipe_parses_and_names_existing_scripts(path):
    data = load(path)
    assert isinstance(data, dict)
    scripts = set(re.findall(r"\bscripts/[\w.-]+\.sh\b", path.read_text(encoding="utf-8")))
    assert {"scripts/install.sh", "scripts/test.sh"} <= scripts
    for script in scripts:
        assert (REPO / script).is_file(), f"{path.name} runs {script}, which does not exist"


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_every_build_command_parses(path):
    commands = build_commands(path)
    assert commands, f"no python build.py command in {path.name}"
    parser = make_parser()
    for args in commands:
        if not args or args[0].startswith("-"):
            args = ["build", *args]  # as panelsite.cli.main does
        parsed = parser.parse_args(args)  # exits (SystemExit) on an unknown option
        assert parsed.command in ("build", "check", "readability")
    assert any("--base-url" in args for args in commands), "no preview build with --base-url"


def test_github_workflow_deploys_to_pages_s3_and_rsync():
    workflow = load(RECIPES[0])
    jobs = workflow["jobs"]
    assert set(jobs) == {"test-and-build", "pages", "s3", "rsync"}
    for name, job in jobs.items():
        for need in [job.get("needs")] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert need in jobs, f"{name} needs unknown job {need}"
    uses = {step["uses"].split("@")[0] for job in jobs.values() for step in job["steps"] if "uses" in step}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    text = RECIPES[0].read_text(encoding="utf-8")
    assert "aws s3 sync" in text and "--endpoint-url" in text and "rsync -az" in text
    # YAML 1.1 reads the key "on" as True
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers


def test_gitlab_ci_has_pages_and_each_deploy_needs_the_build():
    ci = load(RECIPES[1])
    assert ci["pages"]["artifacts"]["paths"] == ["public"]
    for name in ("pages", "s3", "rsync"):
        assert ci[name]["needs"] == ["test-and-build"]
        assert ci[name]["stage"] in ci["stages"]
