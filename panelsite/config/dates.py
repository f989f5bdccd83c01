"""The dates of a demonstration site move with the build date.

A demo with fixed dates decays: its embargoes lift and its round in fieldwork closes as the
calendar moves on. A municipality file with ``demo: {as_of: 2026-11-28}`` says its dates, and
those of everything it loads (survey fieldwork and embargoes, factsheet measures, the member
register, the accessibility statement, page dates), were written as of that day. Each build
moves them all by the same number of whole weeks, the number that brings that day nearest to
the build date (``SOURCE_DATE_EPOCH``, or today in the Netherlands): a round in fieldwork stays
in fieldwork, an embargo stays ahead, weekdays stay weekdays.

The move is held in a context variable while a municipality's files are read (``moved_by``);
every reader of a date calls :func:`moved`. A site without ``demo`` moves nothing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from contextvars import ContextVar

from panelsite.errors import ConfigError, Problem

NO_MOVE = _dt.timedelta(0)
_MOVE: ContextVar[_dt.timedelta] = ContextVar("panelsite_date_move", default=NO_MOVE)


def move_for(as_of: _dt.date | None, today: _dt.date) -> _dt.timedelta:
    """Whole weeks from ``as_of`` to the week of ``today`` (none without ``as_of``)."""
    if as_of is None:
        return NO_MOVE
    return _dt.timedelta(weeks=round((today - as_of).days / 7))


@contextlib.contextmanager
def moved_by(delta: _dt.timedelta):
    token = _MOVE.set(delta)
    try:
        yield
    finally:
        _MOVE.reset(token)


def moved(day: _dt.date) -> _dt.date:
    """``day`` as the site shows it: moved while a demo's files are read."""
    delta = _MOVE.get()
    return day + delta if delta else day


def current_move() -> _dt.timedelta:
    return _MOVE.get()


def build_date() -> _dt.date:
    """Today in the Netherlands, or the date there of SOURCE_DATE_EPOCH (to rebuild as of a day).

    The date is what the output depends on (embargo, open questionnaires), never the time,
    so two builds on one day are byte-identical. A publish_on is a Dutch calendar day: a CI
    runner's clock in UTC would lift an embargo an hour or two late.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), dutch_time()).date()
        except (ValueError, OverflowError, OSError):
            raise ConfigError(Problem("SOURCE_DATE_EPOCH", f'"{epoch}" is not a build date (expected whole seconds '
                                                           "since 1970 like 1767225600, as `git log -1 --format=%ct` "
                                                           "prints; or leave it unset for today)")) from None
    return _dt.datetime.now(dutch_time()).date()


def dutch_time() -> _dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Amsterdam")
    except (ImportError, KeyError, OSError):  # no time zone data on the machine
        return _dt.timezone.utc
