"""Reload the open browser page after a rebuild: Server-Sent Events, no extra library.

The preview server injects :data:`SCRIPT` into every HTML response (never into
the files in dist/). The page opens an ``EventSource`` on :data:`PATH` with the
build version it was served from; the server answers ``event: reload`` as soon
as the version differs, so a rebuild that finished between serving the page and
opening the stream is not missed. The version starts at the server's start time,
so restarting ``serve`` reloads the pages that were open too.
"""

from __future__ import annotations

import threading
import time

PATH = "/__panelsite/livereload"
KEEPALIVE_SECONDS = 15

SCRIPT = """<script>/* panelsite serve: live reload (not in the built site) */
(function () {{
  if (!window.EventSource) return;
  var source = new EventSource("{path}?v={version}");
  source.addEventListener("reload", function () {{ source.close(); location.reload(); }});
}})();
</script>"""


class Notifier:
    """A build version that waiting clients can block on."""

    def __init__(self):
        self.version = int(time.time() * 1000)
        self._changed = threading.Condition()
        self.closed = False

    def bump(self) -> int:
        with self._changed:
            self.version += 1
            self._changed.notify_all()
            return self.version

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """The current version, once it differs from ``seen`` or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version

    def script(self) -> str:
        return SCRIPT.format(path=PATH, version=self.version)


def inject(html: bytes, script: str) -> bytes:
    """``html`` with ``script`` before ``</body>`` (or at the end when there is none)."""
    snippet = script.encode()
    index = html.lower().rfind(b"</body>")
    if index == -1:
        return html + snippet
    return html[:index] + snippet + b"\n" + html[index:]


def stream(handler, notifier: Notifier, seen: int) -> None:
    """Answer an EventSource request on ``handler`` (a BaseHTTPRequestHandler) until a reload."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    try:
        handler.wfile.write(b"retry: 500\n\n")
        handler.wfile.flush()
        while not notifier.closed:
            version = notifier.wait_for_change(seen, KEEPALIVE_SECONDS)
            if version != seen:
                handler.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
                handler.wfile.flush()
                return
            handler.wfile.write(b": keep-alive\n\n")  # notices a closed tab
            handler.wfile.flush()
    except OSError:  # the browser went away
        return
