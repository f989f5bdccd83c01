"""The collector's commands (see panelsite.cli): collect, export, retention.

    panelsite collect [--host H] [--port P] [--database-url URL] [--mail-dir DIR] [--smtp-host …]
    panelsite export <slug> <survey-id|members> [--out FILE] [--database-url URL]
    panelsite retention [--dry-run] [--database-url URL]

Settings may also come from the environment: PANELSITE_SECRET (signing key),
PANELSITE_DATABASE_URL, PANELSITE_MAIL_DIR, PANELSITE_SMTP_HOST/PORT/USER/PASSWORD/
STARTTLS/FROM/RATE, PANELSITE_EXPORT_TOKEN_<SLUG> (one per municipality), PANELSITE_PREVIEW_ORIGINS
(comma-separated), PANELSITE_PUBLIC_URL, PANELSITE_FORWARDED_ALLOW_IPS.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import time
from pathlib import Path

from panelsite.engine.options import add_root_argument


def collect_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    database_arguments(parser)
    mail_arguments(parser)
    parser.add_argument("--preview-origin", action="append", default=_env_list("PANELSITE_PREVIEW_ORIGINS"),
                        help="also accept forms from this origin (repeatable), e.g. http://localhost:8000")
    parser.add_argument("--preview-site-url", default=os.environ.get("PANELSITE_PREVIEW_SITE_URL"),
                        help="local preview only: where the sites are served, with {slug}, e.g. "
                             "http://127.0.0.1:8000/{slug}/ (thank-you pages and links go there)")
    public_url_argument(parser)
    parser.add_argument("--rate-limit", default="30/600", help="requests/seconds per client and municipality")
    parser.add_argument("--min-seconds", type=float, default=3.0, help="minimum time to fill in a form")
    parser.add_argument("--forwarded-allow-ips", default=os.environ.get("PANELSITE_FORWARDED_ALLOW_IPS"),
                        help="proxies whose X-Forwarded-For is believed, comma-separated addresses or networks "
                             "(behind a load balancer); without it the header is ignored")


def mail_arguments(parser: argparse.ArgumentParser) -> None:
    """How mail leaves: SMTP (PANELSITE_SMTP_*), or .eml files in a folder; the same for collect and mail."""
    parser.add_argument("--mail-dir", type=Path, default=_env_path("PANELSITE_MAIL_DIR"),
                        help="write e-mails as .eml files here instead of sending them (local preview)")
    parser.add_argument("--smtp-host", default=os.environ.get("PANELSITE_SMTP_HOST"))
    parser.add_argument("--smtp-port", type=int, default=int(os.environ.get("PANELSITE_SMTP_PORT", "587")),
                        help="587 (STARTTLS, the default) or 465 (TLS from the start)")
    parser.add_argument("--smtp-user", default=os.environ.get("PANELSITE_SMTP_USER"),
                        help="login name; the password only from PANELSITE_SMTP_PASSWORD")
    parser.add_argument("--smtp-from", default=os.environ.get("PANELSITE_SMTP_FROM"),
                        help="envelope sender (bounces), and From where a municipality sets no mail.from")
    parser.add_argument("--smtp-no-starttls", action="store_true")
    parser.add_argument("--smtp-rate", type=float, default=_env_float("PANELSITE_SMTP_RATE", 20.0),
                        help="at most this many messages per second per sender (default 20; 0: no limit)")


def public_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--public-url", default=os.environ.get("PANELSITE_PUBLIC_URL"),
                        help="the collector's public URL, for links in mails and pages (default: each "
                             "municipality's collector.url; required when one has none)")


def smtp_settings(opts):
    """The SMTPSettings of ``mail_arguments`` (the password from the environment only), or None."""
    from panelsite.collector.mail import SMTPSettings

    if not opts.smtp_host:
        return None
    if opts.smtp_rate < 0:
        raise ValueError(f"--smtp-rate: {opts.smtp_rate:g} is below 0 (expected messages per second, 0 for no limit)")
    return SMTPSettings(host=opts.smtp_host, port=opts.smtp_port, username=opts.smtp_user,
                        password=os.environ.get("PANELSITE_SMTP_PASSWORD"),
                        # the flag, or PANELSITE_SMTP_STARTTLS=0 (as the other settings, from the environment)
                        starttls=not opts.smtp_no_starttls and _env_true("PANELSITE_SMTP_STARTTLS", True),
                        sender=opts.smtp_from, rate=opts.smtp_rate or None)


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug")
    parser.add_argument("what", metavar="survey-id|members")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    database_arguments(parser)


def retention_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    database_arguments(parser)


def collect(opts: argparse.Namespace) -> int:
    return operator_errors(_collect, opts)


def export(opts: argparse.Namespace) -> int:
    return operator_errors(_export, opts)


def retention(opts: argparse.Namespace) -> int:
    return operator_errors(_retention, opts)


def operator_errors(run, opts) -> int:
    """Run a collector command; what goes wrong at start is the operator's to fix: one line, no traceback."""
    _configure_logging()
    from panelsite.collector.storage import StorageError

    try:
        return run(opts)
    except ValueError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except StorageError as exc:
        cause = str(exc.__cause__ or exc).splitlines()[0]
        print(f"error: cannot use {_database_name(opts)}: {exc.kind}: {cause} "
              "(expected a database the collector can write: check the disk, its permissions and --database-url)",
              file=sys.stderr)
        return 2
    except OSError as exc:  # var/ on a read-only or full disk: the secret or the mail folder
        print(f"error: cannot write {exc.filename or 'a file'}: {exc.strerror or exc} "
              "(expected a writable project folder, or PANELSITE_SECRET and --database-url elsewhere)", file=sys.stderr)
        return 2


def _database_name(opts) -> str:
    url = getattr(opts, "database_url", None)
    if url and url.startswith(("postgresql://", "postgres://")):
        return "the PostgreSQL database of --database-url"  # the URL may hold a password
    if url:
        return f"the database {url[len('sqlite:///'):]}"
    return f"the database {(opts.root / 'var' / 'collector.sqlite3').resolve()}"


def database_arguments(p: argparse.ArgumentParser) -> None:
    add_root_argument(p)
    p.add_argument("--database-url", default=os.environ.get("PANELSITE_DATABASE_URL"),
                   help="sqlite:///file.sqlite3 or postgresql://… (default: var/collector.sqlite3)")


def _env_path(name: str) -> Path | None:
    return Path(os.environ[name]) if os.environ.get(name) else None


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _env_list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def secret_for(root: Path) -> str:
    """PANELSITE_SECRET, or for local use a random key kept in var/collector.secret."""
    secret = os.environ.get("PANELSITE_SECRET")
    if secret:
        return secret
    path = root / "var" / "collector.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
        logging.getLogger("panelsite.collector").warning(json.dumps(
            {"event": "generated_secret", "detail": "PANELSITE_SECRET not set; using var/collector.secret"}))
    return path.read_text().strip()


def _collect(opts) -> int:
    from panelsite.collector import server
    from panelsite.collector.app import create_app
    from panelsite.collector.security import TrustedProxies, export_tokens_from

    root = opts.root.resolve()
    try:
        proxies = TrustedProxies((opts.forwarded_allow_ips or "").split(","))
    except ValueError as exc:
        raise ValueError(f"--forwarded-allow-ips: {exc}") from None
    export_tokens = export_tokens_from(os.environ, (p.stem for p in (root / "municipalities").glob("*.yaml")))
    smtp = smtp_settings(opts)
    count, seconds = (int(x) for x in opts.rate_limit.split("/"))
    app = create_app(root, database_url=opts.database_url, secret=secret_for(root), mail_dir=opts.mail_dir, smtp=smtp,
                     preview_origins=opts.preview_origin, preview_site_url=opts.preview_site_url,
                     public_url=opts.public_url, rate_limit=(count, seconds), min_seconds=opts.min_seconds,
                     export_tokens=export_tokens, trusted_proxies=proxies)
    server.run(app, opts.host, opts.port)
    return 0


def _export(opts) -> int:
    from panelsite.collector.export import export_files
    from panelsite.collector.sites import load_sites
    from panelsite.collector.storage import open_storage
    from panelsite.errors import relpath
    from panelsite.surveys import private

    root = opts.root.resolve()
    sites = load_sites(root, [opts.slug])
    site = sites[opts.slug]
    storage = open_storage(opts.database_url, root, create=False)
    try:
        text, private_path, private_data, count = export_files(storage, site, opts.what, root)
    except KeyError:
        known = ", ".join(s.id for s in site.surveys) or "none with collect: true"
        print(f'error: no survey "{opts.what}" to export for {opts.slug} (expected members or a survey id: {known})',
              file=sys.stderr)
        return 2
    finally:
        storage.close()
    if private_data is not None:  # what respondents typed: never beside responses.csv in content/
        private.write(root, private_path, private_data)
        print(f"wrote {relpath(private_path, root)} ({count} text{'s' if count != 1 else ''}; private: git-ignored, "
              "never commit or publish it)", file=sys.stderr)
    if opts.out:
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = opts.out.with_name(opts.out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, opts.out)
        print(f"wrote {opts.out} ({text.count(chr(10)) - 1} rows)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _retention(opts) -> int:
    from panelsite.collector import retention
    from panelsite.collector.storage import open_storage
    from panelsite.config.municipality import load_municipalities
    from panelsite.errors import captured

    root = opts.root.resolve()
    with captured():  # the build reports the configuration's warnings
        municipalities = load_municipalities(root)
    storage = open_storage(opts.database_url, root, create=False)
    try:
        report = retention.apply(storage, municipalities, time.time(), dry_run=opts.dry_run)
    finally:
        storage.close()
    verb = "would delete" if opts.dry_run else "deleted"
    for slug, counts in report.items():
        shown = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items() if n) or "nothing"
        print(f"{slug}: {verb} {shown}")
    return 0


class _JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = {"message": text}
        if not isinstance(payload, dict):
            payload = {"message": text}
        if record.exc_info and record.exc_info[0] is not None:
            # The class and where it was raised, never the message or the traceback text: a
            # database error's message quotes the values (e-mail addresses) of the statement.
            payload["exception"] = record.exc_info[0].__name__
            tb = record.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                payload["where"] = f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
        return json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                           "logger": record.name, **payload})


def _env_true(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in ("0", "false", "no", "off")


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JSONFormatter())
    # asyncio too: without it, a refused accept (no file descriptors left) is a traceback per attempt.
    for name in ("panelsite.collector", "uvicorn", "uvicorn.error", "asyncio"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
