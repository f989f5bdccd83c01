"""X-Forwarded-For counts only from the configured proxies (issue 17, item 9): a client that
writes a new address into it with every request still meets the rate limit.

Over the network, with ``panelsite collect`` in its own process: the client's address is what
the server's socket sees.
"""

from __future__ import annotations

import httpx
import pytest

from panelsite.collector.security import BUCKETS_KEPT, Tokens, client_address

from .helpers import collect_process

ORIGIN = "https://panel.lindenhaven.nl"
MESSAGE = {"naam": "A", "email": "a@example.nl", "bericht": "Hoi"}


def _statuses(url: str, forwarded: list[str | None], source: str = "127.0.0.1") -> list[int]:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=url, transport=transport, headers={"Origin": ORIGIN, "Accept": "application/json"},
                      timeout=10) as client:
        out = []
        for n, value in enumerate(forwarded):
            headers = {"X-Forwarded-For": value} if value else {}
            out.append(client.post("/lindenhaven/contact", data={**MESSAGE, "_key": f"proxy-test-{n:04d}"},
                                   headers=headers).status_code)
        return out


def test_without_configured_proxies_the_header_is_ignored(tmp_path):
    with collect_process(tmp_path, "--rate-limit", "3/600") as (url, _log):
        rotating = [f"198.51.100.{n}" for n in range(6)]
        assert _statuses(url, rotating) == [200, 200, 200, 429, 429, 429]


def test_behind_a_configured_proxy_the_address_it_adds_counts(tmp_path):
    """nginx appends the address it saw ($proxy_add_x_forwarded_for); what the client wrote before it does not count."""
    with collect_process(tmp_path, "--rate-limit", "3/600", "--forwarded-allow-ips", "127.0.0.1") as (url, log):
        rotating = [f"198.51.100.{n}, 203.0.113.7" for n in range(5)]
        assert _statuses(url, rotating) == [200, 200, 200, 429, 429]
        assert _statuses(url, ["203.0.113.8"]) == [200]  # another resident behind the same proxy
        # a client that reaches the collector directly, not through the proxy, is counted by its own address
        assert _statuses(url, [f"203.0.113.{n}" for n in range(20, 25)], source="127.0.0.2") == [200, 200, 200, 429, 429]
    assert "198.51.100" not in log.read_text() and "203.0.113" not in log.read_text()


def test_trusting_every_address_is_refused(tmp_path, capsys, monkeypatch):
    from panelsite.cli import main

    from .helpers import SECRET, make_project

    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("started trusting every address"))
    monkeypatch.setattr("uvicorn.Server.run", lambda *a, **k: pytest.fail("started trusting every address"))
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    project = make_project(tmp_path / "project", "https://panel.lindenhaven.nl/")
    code = main(["--root", str(project), "collect", "--forwarded-allow-ips", "*", "--public-url", "http://x.nl/",
                 "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --forwarded-allow-ips: ") and "*" in err


@pytest.mark.parametrize("peer, header, expected", [
    ("10.0.0.10", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the proxy's own entry is the last
    ("10.0.0.10", "203.0.113.7, 10.0.0.11", "203.0.113.7"),  # two proxies in a row
    ("10.0.0.10", None, "10.0.0.10"),
    ("10.0.0.10", "not an address", "10.0.0.10"),
    ("10.0.0.10", "10.0.0.11", "10.0.0.11"),  # only proxies: the first of them
    ("192.0.2.5", "203.0.113.7", "192.0.2.5"),  # not a proxy: its header means nothing
])
def test_the_client_address(peer, header, expected):
    proxies = ["10.0.0.10", "10.0.0.0/30", "10.0.0.11"]
    headers = [(b"x-forwarded-for", header.encode())] if header else []
    assert client_address({"client": (peer, 1234), "headers": headers}, proxies) == expected


def test_a_client_keeps_its_rate_limit_bucket_when_the_kept_buckets_are_cleared():
    """The buckets of recent clients are kept to skip their HMAC; a busy round that clears them changes no count."""
    tokens = Tokens("a-secret-of-32-characters-or-so!")
    first = tokens.client_bucket("198.51.100.7", "lindenhaven")
    for n in range(BUCKETS_KEPT + 10):
        tokens.client_bucket(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", "lindenhaven")
    assert len(tokens._buckets) <= BUCKETS_KEPT
    assert tokens.client_bucket("198.51.100.7", "lindenhaven") == first
    assert Tokens("a-secret-of-32-characters-or-so!").client_bucket("198.51.100.7", "lindenhaven") == first
    assert tokens.client_bucket("198.51.100.7", "zeewolde") != first
    assert Tokens("another-secret-of-32-characters!").client_bucket("198.51.100.7", "lindenhaven") != first
