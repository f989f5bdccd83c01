"""Reload the open browser pages after a rebuild: Server-Sent Events, no extra library.

The preview server injects :func:`Notifier.script` into every HTML response (never
into the files in dist/). The script knows the build version its page was served
from and the site it belongs to (its slug). The server keeps, per site, the
version of the last build that changed it (``"*"``: every page, e.g. after the
problem list changed); a page reloads when its site or ``"*"`` changed after it
was served, so a tab on /lindenhaven/ ignores a rebuild that only touched
/brugwaard/. The version starts at the server's start time, so restarting
``serve`` reloads the pages that were open too.

Chromium allows six connections per host, and an ``EventSource`` holds one for as
long as the page is open: one stream per tab would make the seventh tab wait
forever. So one tab (the holder of a Web Lock) keeps the stream and passes every
change to the other tabs over a ``BroadcastChannel``; when it closes, another tab
takes over. Each page also asks once for the current state (a short request),
which covers a rebuild between serving the page and running the script. Where
Web Locks are missing (plain http on another address than localhost) the pages
poll that short request instead.
"""

from __future__ import annotations

import json
import threading
import time

PATH = "/__panelsite/livereload"
KEEPALIVE_SECONDS = 15
EVERYTHING = "*"

SCRIPT = """<script>/* panelsite serve: live reload (not in the built site) */
(function () {{
  var site = {site}, served = {version}, path = "{path}", reloading = false;
  function check(state) {{
    var changed = (state && state.changed) || {{}};
    if (reloading) return;
    if ((changed["*"] || 0) > served || (site && (changed[site] || 0) > served)) {{
      reloading = true;
      location.reload();
    }}
  }}
  function ask() {{
    return fetch(path + "?state", {{cache: "no-store"}})
      .then(function (r) {{ return r.json(); }}).then(check, function () {{}});
  }}
  if (window.BroadcastChannel && navigator.locks && window.EventSource) {{
    var channel = new BroadcastChannel("panelsite-livereload");
    channel.onmessage = function (event) {{ check(event.data); }};
    navigator.locks.request("panelsite-livereload", function () {{
      return new Promise(function () {{
        var source = new EventSource(path);
        source.addEventListener("change", function (event) {{
          var state = JSON.parse(event.data);
          channel.postMessage(state);
          check(state);
        }});
      }});
    }});
    ask();
  }} else {{
    ask();
    setInterval(ask, 1000);
  }}
}})();
</script>"""


class Notifier:
    """The build version, and per site the version that last changed it; clients can wait on it."""

    def __init__(self):
        self.version = int(time.time() * 1000)
        self.changed: dict[str, int] = {EVERYTHING: self.version}
        self._changed = threading.Condition()
        self.closed = False

    def bump(self, sites=None) -> int:
        """A new version that changed ``sites`` (slugs; None: every page). No sites: nothing changes."""
        keys = [EVERYTHING] if sites is None else list(sites)
        with self._changed:
            if keys:
                self.version += 1
                self.changed.update(dict.fromkeys(keys, self.version))
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

    def state(self) -> str:
        with self._changed:
            return json.dumps({"version": self.version, "changed": self.changed}, sort_keys=True)

    def script(self, site: str | None = None) -> str:
        return SCRIPT.format(path=PATH, version=self.version, site=json.dumps(site))


def inject(html: bytes, script: str) -> bytes:
    """``html`` with ``script`` before ``</body>`` (or at the end when there is none)."""
    snippet = script.encode()
    index = html.lower().rfind(b"</body>")
    if index == -1:
        return html + snippet
    return html[:index] + snippet + b"\n" + html[index:]


def send_state(handler, notifier: Notifier) -> None:
    """The current state as JSON, at once: the request is short, so it never holds a connection."""
    data = notifier.state().encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("Cache-Control", "no-store")
    handler.end_headers()
    try:
        handler.wfile.write(data)
    except OSError:
        pass


def stream(handler, notifier: Notifier) -> None:
    """Answer an EventSource request on ``handler`` (a BaseHTTPRequestHandler): the state now and
    after every change, until the browser goes away or the server stops."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    try:
        handler.wfile.write(b"retry: 500\n\n")
        seen = None
        while not notifier.closed:
            if seen != notifier.version:
                state = notifier.state()
                seen = json.loads(state)["version"]
                handler.wfile.write(f"event: change\ndata: {state}\n\n".encode())
            else:
                handler.wfile.write(b": keep-alive\n\n")  # notices a closed tab
            handler.wfile.flush()
            notifier.wait_for_change(seen, KEEPALIVE_SECONDS)
    except OSError:  # the browser went away
        return
