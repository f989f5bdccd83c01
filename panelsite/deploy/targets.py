"""Where a site can go, and what every destination does for a deploy.

``--to`` is read the way rsync and the AWS tools read their arguments:

* ``s3://bucket/prefix``: S3-compatible storage through boto3 (:mod:`.s3`);
* ``rsync://[user@]host[:port]/module/path``: an rsync daemon (:mod:`.rsync`);
* ``[user@]host:path`` or ``ssh://[user@]host[:port]/path``: rsync over SSH;
* anything else, a folder on this machine (:mod:`.local`), created when missing.
  As in rsync, a colon before the first slash means a host: write ``./a:b`` for a folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Protocol

from panelsite.deploy.plan import RemoteFile, SiteFile
from panelsite.errors import ConfigError, Problem


class TargetError(Exception):
    """The destination refused or failed (unreachable, no permission, disk full): a sentence for the user."""


class Target(Protocol):
    label: str  # the destination as the user named it, for messages

    def inventory(self) -> dict[str, RemoteFile]:
        """Every file the destination holds under the site's folder or prefix (empty when there is none)."""

    def read_state(self) -> bytes | None:
        """The record the last deploy left there (plan.STATE_FILE), or None."""

    def upload(self, files: list[SiteFile], done: Callable[[SiteFile], None]) -> dict[str, str]:
        """Send ``files``, each replacing its old version at once; returns path → fingerprint of what is there now."""

    def delete(self, paths: list[str], done: Callable[[str], None]) -> None:
        """Remove stale files (and the folders they leave empty)."""

    def write_state(self, data: bytes) -> None:
        ...


_HOST_PATH = re.compile(r"^(?:[^@/:]+@)?(?:\[[^\]/]+\]|[^:/]+):(?!//)")  # rsync's rule: a colon before any slash


def open_target(dest: str, site_folder: Path) -> Target:
    """The destination named by ``--to``; a ConfigError (exit 2) when it cannot be one."""
    if not dest.strip():
        raise ConfigError(Problem("--to", "no destination given (expected a folder, rsync://host/module/path, "
                                          "user@host:path or s3://bucket/prefix)"))
    if dest.startswith("s3://"):
        from panelsite.deploy.s3 import S3Target

        return S3Target.from_url(dest)
    if dest.startswith(("rsync://", "ssh://")) or _HOST_PATH.match(dest):
        from panelsite.deploy.rsync import RsyncTarget

        return RsyncTarget.from_spec(dest, site_folder)
    if re.match(r"^[a-z][a-z0-9+.-]*://", dest, re.I):
        raise ConfigError(Problem("--to", f'"{dest}": unknown kind of destination (expected a folder, '
                                          "rsync://host/module/path, user@host:path, ssh://host/path or "
                                          "s3://bucket/prefix)"))
    from panelsite.deploy.local import FolderTarget

    return FolderTarget.from_path(Path(dest), site_folder)
