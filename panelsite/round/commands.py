"""``mail``: a panel round's mailings (see panelsite.cli and docs/round.md).

    panelsite mail invitations <slug> <survey-id> [--now] [--dry-run] [--queue-only]
    panelsite mail reminders <slug> <survey-id> [--dry-run] [--queue-only]
    panelsite mail factsheet <slug> <survey-id> [--dry-run] [--queue-only]
    panelsite mail status <slug>

A mailing is first one outbox row per member (one transaction; queueing it again adds nobody
twice), then sent: by this command, with a progress bar, when it has SMTP settings
(``PANELSITE_SMTP_*``, as ``collect``) or a mail folder; else, or with ``--queue-only``, by the
running collector's sender, which looks for due rows every second. ``--dry-run`` counts and
shows one rendered message, and queues nothing.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from panelsite.collector import commands as collector_commands

MAILINGS = {
    "invitations": "queue and send the invitations to a questionnaire: one per active member",
    "reminders": "queue and send reminders to members who were invited and have not responded",
    "factsheet": "queue and send the factsheet e-mail (HTML and text) to every active member, from publish_on",
}


def mail_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="mailing", metavar="invitations|reminders|factsheet|status", required=True)
    for name, text in MAILINGS.items():
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("slug")
        p.add_argument("survey_id", metavar="survey-id")
        p.add_argument("--dry-run", action="store_true",
                       help="count the recipients and show one message; queue nothing")
        if name == "invitations":
            p.add_argument("--now", action="store_true", help="send before fieldwork.start")
        p.add_argument("--smtp-connections", type=int, default=4, metavar="N",
                       help="send over this many SMTP connections at once (default 4; --smtp-rate is for all)")
        p.add_argument("--queue-only", action="store_true",
                       help="only queue the mailing: the running collector's sender sends it")
        collector_commands.database_arguments(p)
        collector_commands.mail_arguments(p)
        collector_commands.public_url_argument(p)
    status = sub.add_parser("status", help="queued, sent and failed messages per mailing",
                            description="queued, sent and failed messages per mailing, and why messages failed")
    status.add_argument("slug")
    collector_commands.database_arguments(status)


def mail(opts: argparse.Namespace) -> int:
    return collector_commands.operator_errors(_status if opts.mailing == "status" else _mailing, opts)


# --- a mailing ----------------------------------------------------------------------------


def _mailing(opts) -> int:
    from panelsite.collector.letters import Letters, load_signers
    from panelsite.collector.mail import FolderTransport, SMTPTransport
    from panelsite.collector.security import Tokens
    from panelsite.collector.sites import load_sites
    from panelsite.collector.storage import FACTSHEET, open_storage
    from panelsite.collector.urls import Urls
    from panelsite.round import mailings
    from panelsite.surveys import fieldwork

    root = opts.root.resolve()
    kind = mailings.KINDS[opts.mailing]
    sites = load_sites(root, [opts.slug])
    site = sites[opts.slug]
    text = None
    if kind == FACTSHEET:
        from panelsite.round import factsheet

        rendered = factsheet.render(root, opts.slug, opts.survey_id)
        survey = rendered.survey
        text = (rendered.subject, rendered.text, rendered.html)
    else:
        try:
            survey = site.survey(opts.survey_id)
        except KeyError:
            known = ", ".join(s.id for s in site.surveys) or "none"
            raise ValueError(f'content/{opts.slug}/surveys/{opts.survey_id}: no questionnaire "{opts.survey_id}" to '
                             f"invite to (expected a survey with collect: true: {known})") from None
    mailings.check_time(kind, survey, fieldwork.now(), early=getattr(opts, "now", False))
    smtp = collector_commands.smtp_settings(opts)
    urls = Urls(opts.public_url, [], None)
    urls.own(site)  # ValueError when the links in the mail would have nowhere to point
    storage = open_storage(opts.database_url, root, create=False)
    try:
        tokens = Tokens(collector_commands.secret_for(root))
        letters = Letters(sites, tokens, urls, storage, smtp.sender if smtp else None,
                          load_signers(sites, root, smtp.sender if smtp else None))
        plan = mailings.plan(storage, opts.slug, kind, opts.survey_id)
        label = f"{opts.slug} {opts.mailing} {opts.survey_id}"
        if opts.dry_run:
            print(f"{label}: {len(plan.recipients)} recipients, {plan.already} queued before, "
                  f"{plan.new} would be queued now (dry run: nothing queued)")
            sample = letters.sample(site, kind, opts.survey_id, text)
            print("\n--- one message, to a made-up member ---")
            print(sample.data().decode("utf-8", "replace").replace("\r\n", "\n") if sample else "(nothing to send)")
            return 0
        added = storage.queue_mailing(opts.slug, kind, opts.survey_id, plan.recipients, time.time(), text)
        print(f"{label}: queued {added} new message(s) "
              f"({plan.already} queued before; {len(plan.recipients)} recipients)")
        transport = SMTPTransport(smtp) if smtp else FolderTransport(opts.mail_dir) if opts.mail_dir else None
        if transport is None or opts.queue_only:
            why = "--queue-only" if opts.queue_only else "no SMTP host (PANELSITE_SMTP_HOST) and no --mail-dir"
            print(f"{why}: the collector's sender sends them (python build.py collect, with the same "
                  "PANELSITE_DATABASE_URL and PANELSITE_SMTP_* settings)")
            return 0
        connections = 1 if not smtp else max(1, opts.smtp_connections)  # a mail folder: one writer is plenty
        return _send(storage, letters, transport, (opts.slug, kind, opts.survey_id), label, connections)
    finally:
        storage.close()


def _send(storage, letters, transport, scope: tuple, label: str, connections: int) -> int:
    from panelsite.collector.mail import SetupFailure
    from panelsite.collector.sender import Sender
    from panelsite.collector.storage.outbox import FAILED, QUEUED, SENDING, SENT, UNCONFIRMED
    from panelsite.deploy.progress import Progress

    before = storage.mailing_counts(*scope)
    progress = Progress(before[QUEUED] + before[SENDING], 0)
    done: dict[str, int] = {}
    lock = threading.Lock()

    def advance(_item, status: str) -> None:
        with lock:  # one call per message, from each connection's thread
            done[status] = done.get(status, 0) + 1
        progress.advance()

    sender = Sender(storage, letters, transport, scope=scope, on_progress=advance)
    progress.begin("sending")
    try:
        sender.drain(connections)
    except SetupFailure as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.close()
        print("stopped: what was not sent stays queued; run the command again or start the collector",
              file=sys.stderr)
        return 130
    progress.close()
    after = storage.mailing_counts(*scope)
    print(f"{label}: sent {done.get(SENT, 0)} now; in all {after[SENT]} sent, "
          f"{after[QUEUED] + after[SENDING]} waiting, {after[FAILED]} failed, {after[UNCONFIRMED]} unconfirmed")
    waiting = after[QUEUED]
    if waiting:
        due = storage.next_due(scope)
        when = time.strftime("%H:%M:%S", time.localtime(due)) if due else "later"
        print(f"{waiting} wait for another attempt (next at {when}): the collector's sender, or this command run "
              "again, sends them; python build.py mail status shows why")
    return 1 if after[FAILED] else 0


# --- status -------------------------------------------------------------------------------


def _status(opts) -> int:
    from panelsite.collector.storage import open_storage
    from panelsite.collector.storage.outbox import CANCELLED, FAILED, QUEUED, SENDING, SENT, TRANSACTIONAL, UNCONFIRMED

    root: Path = opts.root.resolve()
    storage = open_storage(opts.database_url, root, create=False)
    try:
        rows, errors = storage.mail_status(opts.slug)
    finally:
        storage.close()
    columns = (QUEUED, SENDING, SENT, UNCONFIRMED, FAILED, CANCELLED)
    table: dict[tuple[str, str], dict[str, int]] = {}
    for kind, mailing, state, count in rows:
        name = (kind, mailing or ("(per request)" if kind in TRANSACTIONAL else ""))
        table.setdefault(name, dict.fromkeys(columns, 0))[state] += count
    if not table:
        print(f"{opts.slug}: no mail in the outbox")
        return 0
    width = max(len(f"{k} {m}") for k, m in table) + 2
    print(f"{'mailing':<{width}}" + "".join(f"{c:>12}" for c in columns))
    for (kind, mailing), counts in sorted(table.items()):
        print(f"{kind + ' ' + mailing:<{width}}" + "".join(f"{counts[c]:>12}" for c in columns))
    if errors:
        print("\nwhy (messages failed, waiting for another attempt, or unconfirmed):")
        for kind, mailing, error, count in errors:
            print(f"  {kind} {mailing}: {count} × {error}")
    return 0
