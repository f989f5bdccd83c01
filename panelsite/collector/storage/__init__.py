"""Storage for the collector: one interface (:class:`Storage`), two backends.

* ``base``: transactions, submissions (idempotency key and rate limit in the same
  transaction), drafts, reads for exports;
* ``membership``: what each kind of submission changes (sign-up, leave, answers, messages),
  and confirming and leaving;
* ``outbox``: every mail as a row, claimed, handed over and finished by a sender;
* ``retention``: what ``panelsite retention`` deletes;
* ``schema``: the tables; ``sqlite`` and ``postgres``: the backends.

All of the collector's SQL is in this package.
"""

from __future__ import annotations

from pathlib import Path

from panelsite.collector.storage.base import DRAFT_MAX_AGE, Change, Rate, Storage, StorageError, Tx
from panelsite.collector.storage.membership import (
    CONFIRM_LEAVE,
    CONFIRM_SIGNUP,
    CONTACT_MESSAGE,
    FACTSHEET,
    INVITATION,
    REMINDER,
    ContactMessage,
    LeaveRequest,
    Mail,
    Response,
    SignUp,
)
from panelsite.collector.storage.postgres import PostgresStorage
from panelsite.collector.storage.retention import Periods
from panelsite.collector.storage.sqlite import SQLiteStorage

__all__ = [
    "CONFIRM_LEAVE", "CONFIRM_SIGNUP", "CONTACT_MESSAGE", "DRAFT_MAX_AGE", "FACTSHEET", "INVITATION", "REMINDER", "Change", "ContactMessage", "LeaveRequest",
    "Mail", "MissingDatabase", "Periods", "PostgresStorage", "Rate", "Response", "SQLiteStorage", "SignUp", "Storage",
    "StorageError", "Tx", "open_storage",
]


class MissingDatabase(ValueError):
    """The SQLite file an export or retention run was pointed at does not exist."""


def open_storage(database_url: str | None, project_root: Path, create: bool = True) -> Storage:
    """``None`` → SQLite in ``var/collector.sqlite3``; ``sqlite:///path`` or ``postgresql://…``.

    ``create=False`` (export, retention) refuses a SQLite file that does not exist yet: an
    operator who forgot ``--database-url`` would otherwise get a new, empty database, and
    an empty export or a retention run that deleted nothing, without a word.
    """
    if not database_url or database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):]) if database_url else project_root / "var" / "collector.sqlite3"
        if not create and str(path) != ":memory:" and not path.is_file():
            where = "the default database" if not database_url else "the database of --database-url"
            raise MissingDatabase(f"{where} {path.resolve()} does not exist (expected the database the collector "
                                  "writes to: pass --database-url or set PANELSITE_DATABASE_URL)")
        return SQLiteStorage(path)
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresStorage(database_url)
    raise ValueError(f'unsupported database URL "{database_url.split(":", 1)[0]}:…" '
                     "(expected sqlite:///path/to/file.sqlite3 or postgresql://…)")

