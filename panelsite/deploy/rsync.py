"""A server reached with rsync: an rsync daemon (``rsync://``) or any host over SSH.

Each pass is one rsync run over exactly the files the plan names (``--files-from``), with
``--delay-updates``, so the files of a pass are put in place together at its end, each by a
rename. The SSH command comes from rsync's own ``RSYNC_RSH`` (``ssh -i key``), a daemon's
password from ``RSYNC_PASSWORD``: nothing secret is ever on the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from panelsite.deploy.plan import STATE_FILE, RemoteFile, SiteFile
from panelsite.deploy.targets import TargetError
from panelsite.errors import ConfigError, Problem

# --list-only: "-rw-r--r--           1234 2026/11/28 10:00:00 path" (--no-human-readable: no digit groups)
_LISTING = re.compile(r"^([-dlcbps])\S{9}\S*\s+(\d+) (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) (.*)$")
_MISSING = ("No such file or directory", "does not exist")
# An rsync daemon says what went wrong on a line of its own.
_DAEMON_ERROR = re.compile(r"@ERROR: (.*)")


class RsyncTarget:
    def __init__(self, spec: str, label: str, site_folder: Path, rsh: str | None = None):
        self.site_folder = site_folder
        self.spec = spec.rstrip("/")  # what rsync is given, without the trailing slash
        self.label = label
        self.rsh = rsh
        self.missing = False  # the folder does not exist yet: the first upload makes it
        self._listing: dict[str, RemoteFile] = {}

    @classmethod
    def from_spec(cls, dest: str, site_folder: Path) -> "RsyncTarget":
        if dest.startswith("rsync://"):
            parts = urlsplit(dest)
            if not parts.hostname or len(parts.path.strip("/")) == 0:
                raise ConfigError(Problem("--to", f'"{dest}" names no module (expected '
                                                  "rsync://[user@]host[:port]/module/path)"))
            return cls(dest, dest, site_folder)
        if dest.startswith("ssh://"):
            parts = urlsplit(dest)
            if not parts.hostname or not parts.path.strip("/"):
                raise ConfigError(Problem("--to", f'"{dest}" names no folder (expected ssh://[user@]host[:port]/path)'))
            user = f"{parts.username}@" if parts.username else ""
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            rsh = None
            if parts.port:
                rsh = f"{os.environ.get('RSYNC_RSH') or 'ssh'} -p {parts.port}"
            return cls(f"{user}{host}:{parts.path}", dest, site_folder, rsh)
        host, _, path = dest.partition(":")
        if not path.strip("/"):
            # "host:" is the login folder itself: a deploy would delete everything else in it
            raise ConfigError(Problem("--to", f'"{dest}" names no folder on {host} (expected [user@]host:path, '
                                              "e.g. deploy@web1:/srv/panels/lindenhaven)"))
        return cls(dest, dest, site_folder)

    # -- running rsync -----------------------------------------------------------------
    def _command(self, *args: str) -> list[str]:
        rsync = shutil.which("rsync")
        if rsync is None:
            raise TargetError("rsync is not installed on this machine (Debian: apt-get install rsync; "
                              "bash scripts/install.sh installs it)")
        return [rsync, *(["--rsh", self.rsh] if self.rsh else []), *args]

    def _run(self, *args: str, on_line: Callable[[str], None] | None = None) -> subprocess.CompletedProcess:
        command = self._command(*args)
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                    text=True)
            lines = []
            for line in proc.stdout:
                line = line.rstrip("\n")
                lines.append(line)
                if on_line:
                    on_line(line)
            proc.wait()
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
        return subprocess.CompletedProcess(command, proc.returncode, "\n".join(lines), stderr)

    def _failure(self, what: str, proc: subprocess.CompletedProcess) -> TargetError:
        said = _DAEMON_ERROR.search(proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("rsync error:")]
        # "ERROR: daemon refused …", "rsync: [receiver] mkstemp … failed: No space left on device (28)"
        telling = [line for line in lines if line.startswith(("ERROR:", "rsync:"))] or lines
        reason = said.group(1) if said else (telling[0] if telling else f"rsync exited with code {proc.returncode}")
        return TargetError(f"{what} {self.label}: {reason.strip()} (rsync exit code {proc.returncode})")

    @staticmethod
    def _absent(proc: subprocess.CompletedProcess) -> bool:
        return proc.returncode == 23 and any(m in proc.stderr for m in _MISSING)

    # -- the target --------------------------------------------------------------------
    def inventory(self) -> dict[str, RemoteFile]:
        proc = self._run("--list-only", "--recursive", "--no-human-readable", f"{self.spec}/")
        if self._absent(proc):
            self.missing = True
            self._listing = {}
            return {}
        if proc.returncode != 0:
            raise self._failure("cannot list", proc)
        found = {}
        for line in proc.stdout.splitlines():
            match = _LISTING.match(line)
            if not match or match.group(1) != "-":
                continue
            kind, size, mtime, path = match.groups()
            path = _unescape(path)
            found[path] = RemoteFile(path, int(size), f"{size}:{mtime}")
        self._listing = found
        return found

    def read_state(self) -> bytes | None:
        with tempfile.TemporaryDirectory(prefix="panelsite-deploy-") as scratch:
            proc = self._run(f"{self.spec}/{STATE_FILE}", f"{scratch}/")
            if self._absent(proc) or (self.missing and proc.returncode != 0):
                return None
            if proc.returncode != 0:
                raise self._failure("cannot read the deploy record of", proc)
            try:
                return (Path(scratch) / STATE_FILE).read_bytes()
            except FileNotFoundError:
                return None

    def upload(self, files: list[SiteFile], done: Callable[[SiteFile], None]) -> dict[str, str]:
        if not files:
            return {}
        by_path = {f.path: f for f in files}
        with tempfile.NamedTemporaryFile("wb", prefix="panelsite-deploy-", suffix=".list") as listing:
            listing.write(b"\0".join(p.encode() for p in by_path))
            listing.flush()
            args = ["--files-from", listing.name, "--from0",
                    "--ignore-times",  # the plan decided by content hash: send each one
                    "--times", "--perms", "--chmod=D755,F644", "--delay-updates", "--compress",
                    "--out-format=%n"]
            if self.missing:
                args.append("--mkpath")
            proc = self._run(*args, f"{self.site_folder}/", f"{self.spec}/",
                             on_line=lambda name: by_path.get(name) and done(by_path[name]))
        if proc.returncode != 0:
            raise self._failure("cannot upload to", proc)
        self.missing = False
        listing_now = self.inventory()
        missing = [p for p in by_path if p not in listing_now]
        if missing:
            raise TargetError(f"{self.label}: {missing[0]} is not there after rsync sent it")
        return {p: listing_now[p].fingerprint for p in by_path}

    def delete(self, paths: list[str], done: Callable[[str], None]) -> None:
        """rsync's own ``--delete`` against the site, sending nothing: it removes exactly what the
        site does not have (the plan's stale files) and the folders that leave empty."""
        if not paths:
            return
        stale = set(paths)
        proc = self._run("--recursive", "--delete", "--existing", "--ignore-existing", "--out-format=%n",
                         "--filter", f"P /{STATE_FILE}", f"{self.site_folder}/", f"{self.spec}/",
                         on_line=lambda line: line.startswith("deleting ") and line[9:] in stale
                         and done(line[9:]))
        if proc.returncode != 0:
            raise self._failure("cannot delete stale files at", proc)

    def write_state(self, data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="panelsite-deploy-") as scratch:
            (Path(scratch) / STATE_FILE).write_bytes(data)
            args = ["--chmod=F644", "--perms"] + (["--mkpath"] if self.missing else [])
            proc = self._run(*args, f"{scratch}/{STATE_FILE}", f"{self.spec}/")
        if proc.returncode != 0:
            raise self._failure("cannot write the deploy record to", proc)
        self.missing = False


def _unescape(name: str) -> str:
    r"""rsync writes unprintable bytes of a name as ``\#ooo`` (octal)."""
    return re.sub(r"\\#(\d{3})", lambda m: chr(int(m.group(1), 8)), name)
