"""The progress bar of a deploy: one line redrawn on a terminal, nothing in a CI log (which gets
one line per pass from the runner instead)."""

from __future__ import annotations

import sys
import threading

from panelsite.deploy.plan import size_text


class Progress:
    WIDTH = 24

    def __init__(self, files: int, size: int, stream=None):
        self.stream = stream or sys.stderr
        self.drawn = bool(getattr(self.stream, "isatty", lambda: False)())
        self.files, self.size = files, size
        self.done_files = self.done_size = 0
        self.step = ""
        self._lock = threading.Lock()  # S3 uploads finish on several threads

    def begin(self, step: str) -> None:
        self.step = step
        self._draw()

    def advance(self, size: int = 0) -> None:
        with self._lock:
            self.done_files += 1
            self.done_size += size
            self._draw()

    def _draw(self) -> None:
        if not self.drawn or not self.files:
            return
        filled = self.WIDTH * self.done_files // self.files
        sizes = f"{size_text(self.done_size)} of {size_text(self.size)}" if self.size else ""
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done_files}/{self.files} "
                          f"{sizes}  {self.step:<10}")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn and self.files:
            self.stream.write("\n")
            self.stream.flush()
