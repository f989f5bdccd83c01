from __future__ import annotations

import httpx
import pytest

from panelsite.collector.app import create_app

from .helpers import SECRET, database, free_port, make_project, serve_app

SITE = "https://panel.lindenhaven.nl/"
ORIGIN = "https://panel.lindenhaven.nl"


@pytest.fixture(autouse=True)
def _keep_logging():
    """main() sets up the process's JSON logging, as a server should; other tests' caplog needs it back."""
    import logging

    names = ("panelsite.collector", "uvicorn", "uvicorn.error", "asyncio")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names}
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same tests run against both storage backends."""
    with database(request.param, tmp_path) as url:
        yield url


class Collector:
    """A running collector: ``.url``, ``.client`` (httpx, sends the site's Origin), ``.app``, ``.mail_dir``."""

    def __init__(self, url, app, mail_dir, project):
        self.url = url
        self.app = app
        self.mail_dir = mail_dir
        self.project = project
        self.state = app.state.collector
        self.storage = self.state.storage
        self.client = httpx.Client(base_url=url, headers={"Origin": ORIGIN}, follow_redirects=False, timeout=10)

    def post(self, form: str, data: dict, json: bool = False, **kw):
        headers = {"Accept": "application/json"} if json else {}
        headers.update(kw.pop("headers", {}))
        return self.client.post(f"/lindenhaven/{form}", data=data, headers=headers, **kw)

    def mails(self):
        return sorted(self.mail_dir.glob("*.eml"))


@pytest.fixture
def make_collector(tmp_path, database_url):
    """Start a collector with options: ``make_collector(min_seconds=0, rate_limit=(1000, 60))``; also
    ``forms_yaml`` (appended to the municipality) and ``left_members_days`` (privacy.retention)."""
    started = []

    def start(**options):
        project = make_project(tmp_path / f"project{len(started)}", SITE, options.pop("forms_yaml", ""),
                               options.pop("left_members_days", None))
        mail_dir = tmp_path / "mail"
        port = free_port()
        options.setdefault("min_seconds", 0)
        options.setdefault("rate_limit", (1000, 60))
        options.setdefault("public_url", f"http://127.0.0.1:{port}/")  # links come only from configuration
        app = create_app(project, database_url=database_url, secret=SECRET, mail_dir=mail_dir, **options)
        ctx = serve_app(app, port)
        url = ctx.__enter__()
        started.append(ctx)
        return Collector(url, app, mail_dir, project)

    yield start
    for ctx in started:
        ctx.__exit__(None, None, None)


@pytest.fixture
def collector(make_collector):
    return make_collector()
