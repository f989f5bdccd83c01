"""The collector's command line: export and retention never invent an empty database."""

from __future__ import annotations

import json
import sys

import pytest

from panelsite.cli import main
from panelsite.collector.storage import open_storage

from .helpers import make_project

SITE = "https://panel.lindenhaven.nl/"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("PANELSITE_DATABASE_URL", raising=False)
    return make_project(tmp_path / "project", SITE)


@pytest.mark.parametrize("command", [["export", "lindenhaven", "members"], ["retention"], ["retention", "--dry-run"]])
def test_without_a_database_url_a_missing_default_database_is_refused(project, command, capsys):
    assert main(["--root", str(project), *command]) == 2
    err = capsys.readouterr().err
    default = project.resolve() / "var" / "collector.sqlite3"
    assert str(default) in err
    assert "--database-url" in err and "PANELSITE_DATABASE_URL" in err
    assert not default.exists()


def test_a_database_url_naming_a_missing_file_is_refused(project, tmp_path, capsys):
    missing = tmp_path / "elders" / "collector.sqlite3"
    assert main(["--root", str(project), "retention", "--database-url", f"sqlite:///{missing}"]) == 2
    assert str(missing) in capsys.readouterr().err
    assert not missing.exists() and not missing.parent.exists()


def test_the_environment_names_the_database_too(project, tmp_path, monkeypatch, capsys):
    database = tmp_path / "collector.sqlite3"
    open_storage(f"sqlite:///{database}", project).close()  # what `collect` creates on its first start
    monkeypatch.setenv("PANELSITE_DATABASE_URL", f"sqlite:///{database}")
    assert main(["--root", str(project), "retention", "--dry-run"]) == 0
    assert "lindenhaven: would delete nothing" in capsys.readouterr().out
    assert main(["--root", str(project), "export", "lindenhaven", "members"]) == 0
    assert capsys.readouterr().out.startswith("member_id,")


def test_collect_has_no_workers_option(project, monkeypatch, capsys):
    # One process per instance: SQLite's group-commit writer lives in the process, and more
    # instances go behind a load balancer with PostgreSQL (docs/deploy.md).
    def serve(*args, **kwargs):
        raise AssertionError(f"collect started with {kwargs}")

    monkeypatch.setattr("uvicorn.run", serve)
    monkeypatch.setenv("PANELSITE_SECRET", "test-secret")
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(project), "collect", "--workers", "4"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --workers 4" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["/proc/collector.sqlite3", "/proc/panelsite/collector.sqlite3"],
                         ids=["read-only-folder", "folder-cannot-be-made"])
def test_collect_on_a_read_only_disk_stops_with_one_line(project, monkeypatch, capsys, where):
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("started without a database"))
    monkeypatch.setenv("PANELSITE_SECRET", "test-secret-0123456789abcdef")
    assert main(["--root", str(project), "collect", "--database-url", f"sqlite:///{where}",
                 "--public-url", "http://127.0.0.1:8001/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the database /proc/") and err.count("\n") == 1
    assert "Traceback" not in err


def test_logged_exceptions_name_the_class_and_never_the_message():
    import logging
    import sqlite3

    from panelsite.collector.commands import _JSONFormatter

    try:
        raise sqlite3.IntegrityError("UNIQUE constraint failed: Key (email)=(anna@example.nl)")
    except sqlite3.IntegrityError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application",
                                   None, sys.exc_info())
    line = json.loads(_JSONFormatter().format(record))
    assert line["exception"] == "IntegrityError" and line["where"].startswith("test_cli.py:")
    assert "anna" not in json.dumps(line)


@pytest.mark.parametrize("env, expected", [(None, True), ("0", False), ("false", False), ("1", True)])
def test_starttls_follows_the_environment_too(project, monkeypatch, env, expected):
    seen = {}

    def create_app(root, **kwargs):
        seen["smtp"] = kwargs["smtp"]
        return object()

    monkeypatch.setattr("panelsite.collector.app.create_app", create_app)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)
    monkeypatch.setenv("PANELSITE_SECRET", "test-secret")
    if env is None:
        monkeypatch.delenv("PANELSITE_SMTP_STARTTLS", raising=False)
    else:
        monkeypatch.setenv("PANELSITE_SMTP_STARTTLS", env)
    main(["--root", str(project), "collect", "--smtp-host", "smtp.example.nl", "--mail-dir", str(project / "mail")])
    assert seen["smtp"].starttls is expected
