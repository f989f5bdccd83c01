"""A folder on this machine: a web server's document root, a mounted share.

Each file is written beside its place and renamed over the old one, so a visitor gets either the
old or the new file, never half of one. Modes are 0755 for folders and 0644 for files (less the
umask), whatever the modes in dist/, so a web server running as another user can read them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from panelsite.deploy.plan import STATE_FILE, RemoteFile, SiteFile, emptied_folders
from panelsite.deploy.targets import TargetError
from panelsite.engine.writer import dir_mode, file_mode
from panelsite.errors import ConfigError, Problem


class FolderTarget:
    def __init__(self, root: Path, label: str):
        self.root = root
        self.label = label
        self._files: set[str] = set()

    @classmethod
    def from_path(cls, path: Path, site_folder: Path) -> "FolderTarget":
        root = path.expanduser().resolve()
        site = site_folder.resolve()
        if root == site or site in root.parents or root in site.parents:
            raise ConfigError(Problem("--to", f'"{path}" is the built site or holds it (expected a folder '
                                              f"outside {site_folder})"))
        return cls(root, str(path))

    @staticmethod
    def _fingerprint(info: os.stat_result) -> str:
        return f"{info.st_size}:{info.st_mtime_ns}"

    def inventory(self) -> dict[str, RemoteFile]:
        if not self.root.exists():
            return {}
        if not self.root.is_dir():
            raise TargetError(f"{self.label} is a file, not a folder")
        found = {}
        try:
            for directory, _dirs, names in os.walk(self.root, onerror=_raise):
                for name in names:
                    local = Path(directory) / name
                    info = local.lstat()
                    path = local.relative_to(self.root).as_posix()
                    found[path] = RemoteFile(path, info.st_size, self._fingerprint(info))
        except OSError as exc:
            raise TargetError(f"cannot read {self.label}: {exc.strerror or exc}") from None
        self._files = set(found)
        return found

    def read_state(self) -> bytes | None:
        try:
            return (self.root / STATE_FILE).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TargetError(f"cannot read {self.label}/{STATE_FILE}: {exc.strerror or exc}") from None

    def upload(self, files: list[SiteFile], done: Callable[[SiteFile], None]) -> dict[str, str]:
        fingerprints = {}
        for file in files:
            try:
                fingerprints[file.path] = self._fingerprint(self._place(file.path, file.local.read_bytes()))
            except OSError as exc:
                raise TargetError(f"cannot write {self.label}/{file.path}: {exc.strerror or exc}") from None
            self._files.add(file.path)
            done(file)
        return fingerprints

    def _place(self, path: str, data: bytes) -> os.stat_result:
        dest = self.root / path
        self._make_folders(dest.parent)
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)  # the old site had a folder where the new one has a file
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".deploy", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, file_mode())
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return dest.stat()

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            if path.exists() or path.is_symlink():
                path.unlink()  # the old site had a file where the new one has a folder: stale anyway
            path.mkdir(mode=0o755)
            os.chmod(path, dir_mode())

    def delete(self, paths: list[str], done: Callable[[str], None]) -> None:
        for path in paths:
            try:
                (self.root / path).unlink(missing_ok=True)
            except IsADirectoryError:
                shutil.rmtree(self.root / path, ignore_errors=True)
            except OSError as exc:
                raise TargetError(f"cannot delete {self.label}/{path}: {exc.strerror or exc}") from None
            self._files.discard(path)
            done(path)
        for folder in emptied_folders(paths, self._files):
            try:
                (self.root / folder).rmdir()
            except OSError:
                pass  # not empty after all (a file that is not the site's): leave it

    def write_state(self, data: bytes) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._place(STATE_FILE, data)
        except OSError as exc:
            raise TargetError(f"cannot write {self.label}/{STATE_FILE}: {exc.strerror or exc}") from None


def _raise(exc: OSError) -> None:
    raise exc
