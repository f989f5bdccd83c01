"""Who gets a mailing, and whether it may go now.

An invitation goes from ``fieldwork.start`` (earlier only with ``--now``) until the
questionnaire closes; a reminder only to members whose invitation went out and who have not
responded, and never after closing; the factsheet to every active member, not before
``publish_on``. Members who left, or never confirmed, get nothing (storage/outbox.recipients).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from panelsite import i18n
from panelsite.collector.storage import FACTSHEET, INVITATION, REMINDER
from panelsite.surveys import fieldwork

KINDS = {"invitations": INVITATION, "reminders": REMINDER, "factsheet": FACTSHEET}


class NotNow(ValueError):
    """The mailing may not go at this moment (exit 2, one line that says why and when)."""


@dataclass(frozen=True)
class Plan:
    kind: str
    survey_id: str
    recipients: list[str]  # member ids, every one that should have it
    already: int  # of them, how many have a row for it already (never twice)

    @property
    def new(self) -> int:
        return len(self.recipients) - self.already


def _when(moment: _dt.datetime) -> str:
    return f"{i18n.date(moment.date())} {moment:%H:%M}"


def check_time(kind: str, survey, now: _dt.datetime, early: bool = False) -> None:
    """NotNow when ``kind`` may not go for ``survey`` at ``now``."""
    if kind == FACTSHEET:
        if now < fieldwork.publication_at(survey):
            raise NotNow(f"the factsheet of {survey.id} is under embargo until publish_on "
                         f"{survey.publish_on.isoformat()} (expected the mailing on or after that day)")
        return
    if fieldwork.is_closed(survey, now):
        raise NotNow(f"the questionnaire {survey.id} closed at {_when(fieldwork.closes_at(survey))} "
                     f"(fieldwork.end {survey.fieldwork_end.isoformat()}{_grace(survey)}): no {kind}s after closing")
    if kind == INVITATION and now < fieldwork.opens_at(survey) and not early:
        raise NotNow(f"the questionnaire {survey.id} opens on fieldwork.start {survey.fieldwork_start.isoformat()} "
                     "(expected the invitations from that day, or --now to send them earlier)")
    if kind == REMINDER and now < fieldwork.opens_at(survey):
        raise NotNow(f"the questionnaire {survey.id} opens on fieldwork.start {survey.fieldwork_start.isoformat()}: "
                     "no reminders before it opened")


def _grace(survey) -> str:
    return f" plus {survey.fieldwork_grace} hours of fieldwork.grace" if survey.fieldwork_grace else ""


def plan(storage, slug: str, kind: str, survey_id: str) -> Plan:
    members, already = storage.mailing_recipients(slug, kind, survey_id)
    return Plan(kind, survey_id, members, already)
