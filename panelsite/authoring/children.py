"""The helper processes ``serve`` starts (the collector, Decap's local backend)."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen | None) -> None:
    """Ask a child to stop, and kill it when it has not within five seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
