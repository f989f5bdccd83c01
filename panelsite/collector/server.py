"""The collector's HTTP server: uvicorn (httptools, uvloop), with deadlines for slow clients and a cap on connections.

uvicorn waits for a request as long as the client likes: a connection that sends nothing, or a
header byte now and then, holds its socket for ever, and a thousand of them use up a default
limit of 1024 open files, after which uvicorn can accept no one and asyncio logs a traceback
for every refused accept (1,100 such connections wrote 657 MB of log in three minutes). So:

* a request must arrive within ``REQUEST_SECONDS`` of the connection (or of the previous
  response), and its body within ``BODY_SECONDS`` after its head; a connection that misses
  its deadline is closed, with one log line;
* at most ``max_connections`` connections are open, which with the listen backlog stays below
  the open-files limit (raised to the hard limit at start). Over the cap, the connection that
  has waited longest for a request of its own is closed to make room (one that never sent a
  whole request before a served client's keep-alive one); only when every connection is being
  answered is the new one refused. So slow clients push out each other, never a resident whose
  request is there.

X-Forwarded-For is not read here (``proxy_headers=False``): the app decides which proxies to
believe (security.client_address).
"""

from __future__ import annotations

import json
import logging

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("panelsite.collector")

REQUEST_SECONDS = 5.0  # from connecting (or the previous response) to the end of the request's head
BODY_SECONDS = 20.0  # from the head to the end of the body: 64 KB at 3 KB/s
MAX_CONNECTIONS = 4000
RESERVED_FILES = 200  # the database (three files per SQLite connection, a thread pool of 40), logs, mail


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (the C parser) with a deadline for receiving each request and a cap
    on connections.

    What the client owes is followed through the parser's callbacks: a request's head (from the
    connection or the previous answer until the head is in), then its body (until the message is
    complete); nothing while a whole request is being answered.
    """

    max_connections = MAX_CONNECTIONS
    request_seconds = REQUEST_SECONDS
    body_seconds = BODY_SECONDS

    def connection_made(self, transport) -> None:
        self._phase: str | None = None  # "request" or "body" while the client owes us one
        self._reading = "request"  # what the parser waits for: "request" (a head) or "body"
        self._unanswered = 0  # whole requests received and not answered yet
        self._partial = False  # part of a request is in (its first bytes at least)
        self._waiting_since = 0.0
        self._deadline = None
        self._served = 0
        super().connection_made(transport)
        if self._open_connections() > self.max_connections and not self._make_room():
            _refused("too_many_connections")
            self.transport.close()
            return
        self._watch()

    def connection_lost(self, exc) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_message_begin(self) -> None:
        self._partial = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._reading = "body"
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading, self._partial = "request", False
        if not self.cycle.response_complete:  # an answer sent before the body was read is no debt
            self._unanswered += 1
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._served += 1
        self._unanswered = max(0, self._unanswered - 1)
        super().on_response_complete()
        self._watch()

    # --- deadlines ----------------------------------------------------------------------

    def _watch(self) -> None:
        """Arm a deadline when the client starts to owe us a request or a body, drop it when it has sent it."""
        if self.transport.is_closing():
            self._cancel()
            return
        phase = None if self._unanswered else self._reading
        if phase == self._phase:
            return
        self._cancel()
        self._phase = phase
        if phase is not None:
            self._waiting_since = self.loop.time()
            seconds = self.request_seconds if phase == "request" else self.body_seconds
            self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        # A keep-alive connection that goes quiet after its answers is normal: closed without a word.
        if self._phase == "body" or self._served == 0 or self._partial:
            _refused("slow_client_closed", waiting_for=self._phase,
                     seconds=round(self.loop.time() - self._waiting_since, 1))
        self.transport.close()

    # --- the cap --------------------------------------------------------------------------

    def _open_connections(self) -> int:
        return sum(1 for c in self.connections if not c.transport.is_closing())

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for its client; False when all are busy.

        A connection that never brought a whole request goes first: a resident's keep-alive
        connection between two requests (its next one may be on its way) only when there is no other.
        """
        waiting = [c for c in self.connections if isinstance(c, GuardedProtocol) and c is not self
                   and c._phase is not None and not c.transport.is_closing()]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: (c._served > 0, c._waiting_since))
        if oldest._phase == "body" or oldest._served == 0 or oldest._partial:
            _refused("slow_client_closed", waiting_for=oldest._phase, reason="room for a new connection",
                     seconds=round(self.loop.time() - oldest._waiting_since, 1))
        oldest._cancel()
        oldest.transport.close()
        return True


def _refused(event: str, **detail) -> None:
    # One line per refused connection, and never its address (docs/collector.md: no IP addresses in logs).
    log.warning(json.dumps({"event": event, **detail}))


def open_files_limit() -> int | None:
    """The process's limit on open files, raised to the hard limit first; None where unknown."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return None if soft == resource.RLIM_INFINITY else soft


def limits(files: int | None, max_connections: int = MAX_CONNECTIONS) -> tuple[int, int]:
    """(the cap on connections, the listen backlog) for a process that may open ``files`` files.

    asyncio accepts up to ``backlog`` connections in one go before any of them is looked at, so
    the cap and the backlog together stay below the limit, with room for the database and logs.
    """
    if files is None:
        return max_connections, 2048
    budget = files - RESERVED_FILES
    backlog = max(16, min(2048, budget // 4))
    return max(16, min(max_connections, budget - backlog)), backlog


def protocol(max_connections: int, request_seconds: float = REQUEST_SECONDS,
             body_seconds: float = BODY_SECONDS) -> type[GuardedProtocol]:
    """The protocol class with these limits."""
    return type("CollectorProtocol", (GuardedProtocol,), {
        "max_connections": max_connections, "request_seconds": request_seconds, "body_seconds": body_seconds})


def settings(max_connections: int = MAX_CONNECTIONS, **deadlines) -> dict:
    """uvicorn's settings for the collector, for ``uvicorn.run`` and ``uvicorn.Config`` alike."""
    cap, backlog = limits(open_files_limit(), max_connections)
    return {"http": protocol(cap, **deadlines), "backlog": backlog, "proxy_headers": False, "access_log": False,
            "log_config": None, "timeout_keep_alive": int(REQUEST_SECONDS)}


def config(app, host: str, port: int, **options) -> uvicorn.Config:
    """How the collector is served, for a server run in a thread (the tests)."""
    return uvicorn.Config(app, host=host, port=port, lifespan="on", **settings(**options))


def run(app, host: str, port: int, **options) -> None:
    uvicorn.run(app, host=host, port=port, **settings(**options))
