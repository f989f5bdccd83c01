"""When a questionnaire is open: fieldwork days are Dutch calendar days.

``fieldwork.start`` opens at 00:00 in Europe/Amsterdam; ``fieldwork.end`` is the last day, so
the questionnaire closes at 24:00 that day, plus ``fieldwork.grace`` hours for answers that
were under way. The site, built per day, says "closed" from the day after ``end``; the
collector, which sees the clock, refuses answers from :func:`closes_at` on. Invitations go
from :func:`opens_at`, reminders until :func:`closes_at`; a factsheet mailing waits for
``publish_on`` (:func:`publication_at`).
"""

from __future__ import annotations

import datetime as _dt
import functools

try:
    from zoneinfo import ZoneInfo

    DUTCH = ZoneInfo("Europe/Amsterdam")
except (ImportError, KeyError, OSError):  # no time zone data on the machine
    DUTCH = _dt.timezone.utc


def _midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(0), DUTCH)


def opens_at(survey) -> _dt.datetime:
    """The first moment of fieldwork: 00:00 of ``fieldwork.start``, Dutch time."""
    return _midnight(survey.fieldwork_start)


def closes_at(survey) -> _dt.datetime:
    """The moment answers are refused: 24:00 of ``fieldwork.end``, Dutch time, plus the grace hours."""
    return _closing(survey.fieldwork_end, survey.fieldwork_grace or 0)


@functools.lru_cache(maxsize=1024)  # the collector asks at every answer; a few surveys per site
def _closing(end: _dt.date, grace_hours: float) -> _dt.datetime:
    return _midnight(end + _dt.timedelta(days=1)) + _dt.timedelta(hours=grace_hours)


def publication_at(survey) -> _dt.datetime:
    """00:00 of ``publish_on``, Dutch time: the embargo ends."""
    return _midnight(survey.publish_on)


def is_closed(survey, now: _dt.datetime) -> bool:
    return now >= closes_at(survey)


def closed_on(survey, day: _dt.date) -> bool:
    """For the build, which knows only the day: closed from the day after the last day of fieldwork."""
    return day > survey.fieldwork_end


def now() -> _dt.datetime:
    return _dt.datetime.now(DUTCH)
