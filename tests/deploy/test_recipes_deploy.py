"""The deploy steps of .github/workflows/deploy.yml and .gitlab-ci.yml, run as the CI runner runs
them (bash, the job's environment, dist/ from the build job) against a real S3-compatible server and
over rsync's SSH mode. Only the install lines (pip, apt-get) are left out: this venv has panelsite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from panelsite.deploy import plan

from .conftest import REPO

GITHUB = REPO / ".github" / "workflows" / "deploy.yml"
GITLAB = REPO / ".gitlab-ci.yml"


def workspace(site_copy: Path, tmp_path: Path) -> Path:
    """A checkout with dist/ downloaded from the build job."""
    work = tmp_path / "checkout"
    work.mkdir()
    shutil.copytree(site_copy, work / "dist")
    (work / "build.py").symlink_to(REPO / "build.py")
    return work


def run_shell(script: str, cwd: Path, env: dict[str, str], extra_path: Path | None = None):
    path = os.pathsep.join(str(p) for p in (extra_path, Path(sys.executable).parent) if p) + os.pathsep + \
        os.environ["PATH"]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RSYNC_"))}
    # GitHub runs `bash --noprofile --norc -eo pipefail`; GitLab stops at the first failing line too
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**base, **env, "PATH": path}, capture_output=True, text=True, timeout=300)


def github_step(job: str, name: str) -> tuple[dict, dict]:
    jobs = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"]
    step = next(s for s in jobs[job]["steps"] if s.get("name") == name)
    return {**jobs[job].get("env", {}), **step.get("env", {})}, step


def gitlab_script(job: str) -> tuple[dict, str]:
    spec = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))[job]
    lines = [line for line in spec["script"] if "pip install" not in line and "apt-get" not in line]
    return spec, "\n".join(lines)


def assert_deployed(client, bucket: str, prefix: str, site: Path) -> None:
    keys = {item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", ())}
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert keys == {prefix + f for f in files | {plan.STATE_FILE}}
    head = client.head_object(Bucket=bucket, Key=prefix + "index.html")
    assert (head["ContentType"], head["CacheControl"]) == ("text/html; charset=utf-8", "no-cache")


def test_github_s3_job_deploys_every_municipality(site_copy, s3_server, tmp_path):
    work, bucket = workspace(site_copy, tmp_path), s3_server.new_bucket()
    env, step = github_step("s3", "Deploy each municipality")
    secrets = s3_server.env()
    # the job's env with its expressions as GitHub fills them in for a pull request from this repository
    filled = {"AWS_ACCESS_KEY_ID": secrets["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": secrets["AWS_SECRET_ACCESS_KEY"],
              "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": s3_server.url, "S3_BUCKET": bucket,
              "SLUGS": "lindenhaven", "PREFIX": "previews/pr-7/"}
    assert set(env) == set(filled), "the s3 job's environment changed: update this test"
    proc = run_shell(step["run"], work, filled)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_deployed(s3_server.client(), bucket, "previews/pr-7/lindenhaven/", site_copy / "lindenhaven")


def test_gitlab_s3_job_deploys_every_municipality(site_copy, s3_server, tmp_path):
    work, bucket = workspace(site_copy, tmp_path), s3_server.new_bucket()
    shutil.copytree(site_copy / "lindenhaven", work / "dist" / "eikendaal")
    spec, script = gitlab_script("s3")
    prefix = next(rule["variables"]["PREFIX"] for rule in spec["rules"] if "CI_DEFAULT_BRANCH" in rule["if"])
    secrets = s3_server.env()
    proc = run_shell(script, work, {"S3_ENDPOINT_URL": s3_server.url, "S3_BUCKET": bucket, "PREFIX": prefix,
                                    "AWS_ACCESS_KEY_ID": secrets["AWS_ACCESS_KEY_ID"],
                                    "AWS_SECRET_ACCESS_KEY": secrets["AWS_SECRET_ACCESS_KEY"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for slug in ("lindenhaven", "eikendaal"):
        assert_deployed(s3_server.client(), bucket, f"{slug}/", work / "dist" / slug)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_github_rsync_job_deploys_over_ssh(site_copy, fake_ssh, tmp_path):
    work = workspace(site_copy, tmp_path)
    env, step = github_step("rsync", "Deploy each municipality")
    home = tmp_path / "home"
    home.mkdir()
    filled = {"SLUGS": "lindenhaven", "DEPLOY_SSH_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\n…",
              "DEPLOY_KNOWN_HOSTS": "web1.example.nl ssh-ed25519 AAAA…", "DEPLOY_HOST": "web1.example.nl",
              "DEPLOY_USER": "deploy", "DEPLOY_PATH": str(tmp_path / "srv" / "panels")}
    assert set(env) == set(filled), "the rsync job's environment changed: update this test"
    proc = run_shell(step["run"], work, {**filled, "HOME": str(home)}, extra_path=fake_ssh.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = tree(tmp_path / "srv" / "panels" / "lindenhaven")
    assert got.pop(plan.STATE_FILE) and got == tree(site_copy / "lindenhaven")
    assert set((fake_ssh.parent / "hosts").read_text().split()) == {"web1.example.nl"}
    assert (home / ".ssh" / "id_deploy").stat().st_mode & 0o777 == 0o600


def test_gitlab_rsync_job_deploys_over_ssh(site_copy, fake_ssh, tmp_path):
    work = workspace(site_copy, tmp_path)
    _spec, script = gitlab_script("rsync")
    home = tmp_path / "home"
    home.mkdir()
    key = tmp_path / "deploy_key"  # a GitLab file variable: the path of a file holding the key
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n…\n", encoding="utf-8")
    proc = run_shell(script, work, {"HOME": str(home), "DEPLOY_SSH_KEY": str(key),
                                    "DEPLOY_KNOWN_HOSTS": "web1.example.nl ssh-ed25519 AAAA…",
                                    "DEPLOY_HOST": "web1.example.nl", "DEPLOY_USER": "deploy",
                                    "DEPLOY_PATH": str(tmp_path / "srv")}, extra_path=fake_ssh.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = tree(tmp_path / "srv" / "lindenhaven")
    assert got.pop(plan.STATE_FILE) and got == tree(site_copy / "lindenhaven")
