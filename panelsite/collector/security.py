"""Signed tokens, origin checks, the client's address and the key for rate limiting."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 86400  # a confirmation link works 7 days
LEAVE_MAX_AGE = 7 * 86400  # so does the link that confirms leaving the panel
FORM_MAX_AGE = 7 * 86400  # a page may stay open long (a questionnaire over lunch)
# The one-click leave link of a panel mailing (List-Unsubscribe): a factsheet is read months later.
UNSUBSCRIBE_MAX_AGE = 2 * 365 * 86400
BUCKETS_KEPT = 4096  # rate-limit buckets of recent clients, kept to skip their HMAC


@dataclass(frozen=True)
class Stamp:
    """A form's signed "shown at": how long ago, and whether it came with a form sent back to
    be checked (``review``: the answers are filled in already, so less time is needed)."""

    age: float
    review: bool


class Tokens:
    def __init__(self, secret: str):
        self._secret = secret.encode()
        self._buckets: dict[tuple[str, str], str] = {}
        self._timestamps = URLSafeTimedSerializer(secret, salt="panelsite-form-loaded")
        self._confirm = URLSafeTimedSerializer(secret, salt="panelsite-confirm")
        self._member = URLSafeTimedSerializer(secret, salt="panelsite-member")
        # Its own salt: a sign-up link cannot confirm leaving, nor a leave link a sign-up.
        self._leave = URLSafeTimedSerializer(secret, salt="panelsite-leave")
        # And one for the one-click leave link of panel mailings, which leaves at once (RFC 8058).
        self._unsubscribe = URLSafeTimedSerializer(secret, salt="panelsite-unsubscribe")

    def form_loaded(self, slug: str, review: bool = False) -> str:
        """A signed "the form was shown now" for the minimum fill time; ``review`` for a form
        sent back with its answers to be checked and sent again."""
        data = {"s": slug, "t": time.time()}
        if review:
            data["r"] = 1
        return self._timestamps.dumps(data)

    def stamp(self, token: str, slug: str) -> Stamp | None:
        """The stamp of :meth:`form_loaded`, or None when it is forged, foreign or too old."""
        try:
            data = self._timestamps.loads(token, max_age=FORM_MAX_AGE)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or data.get("s") != slug:
            return None
        try:
            return Stamp(age=time.time() - float(data.get("t", 0)), review=bool(data.get("r")))
        except (TypeError, ValueError):
            return None

    def confirmation(self, slug: str, member_id: str) -> str:
        return self._confirm.dumps({"s": slug, "m": member_id})

    def confirmed_member(self, token: str, slug: str, max_age: int = CONFIRM_MAX_AGE) -> str | None:
        try:
            data = self._confirm.loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None
        return data.get("m") if isinstance(data, dict) and data.get("s") == slug else None

    def leave(self, slug: str, member_id: str, request_id: str | None = None) -> str:
        """The link in the "confirm that you leave" e-mail; ``request_id`` names the pending
        request that holds the reason for leaving (table ``leave_requests``), if one was given."""
        data = {"s": slug, "m": member_id}
        if request_id:
            data["r"] = request_id
        return self._leave.dumps(data)

    def leaving_member(self, token: str, slug: str, max_age: int = LEAVE_MAX_AGE) -> tuple[str, str | None] | None:
        """(member id, request id or None), or None when the token is forged, foreign or too old."""
        try:
            data = self._leave.loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or data.get("s") != slug or not isinstance(data.get("m"), str):
            return None
        request_id = data.get("r")
        return data["m"], request_id if isinstance(request_id, str) else None

    def unsubscribe(self, slug: str, member_id: str) -> str:
        """The one-click leave link of a panel mailing (``List-Unsubscribe``)."""
        return self._unsubscribe.dumps({"s": slug, "m": member_id})

    def unsubscribing_member(self, token: str, slug: str) -> str | None:
        try:
            data = self._unsubscribe.loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or data.get("s") != slug or not isinstance(data.get("m"), str):
            return None
        return data["m"]

    def member(self, slug: str, member_id: str) -> str:
        """A member's invitation token (``_lid``): links answers to the member's background."""
        return self._member.dumps({"s": slug, "m": member_id})

    def member_id(self, token: str, slug: str) -> str | None:
        try:
            data = self._member.loads(token, max_age=365 * 86400)
        except (BadSignature, SignatureExpired):
            return None
        return data.get("m") if isinstance(data, dict) and data.get("s") == slug else None

    def client_bucket(self, client: str, slug: str) -> str:
        """Keyed hash of the client address: counts requests without storing the address.

        Kept for the clients seen lately (a resident posts a form several times, a round brings the
        same addresses back), so the HMAC is paid once per client rather than on every post.
        """
        bucket = self._buckets.get((client, slug))
        if bucket is None:
            bucket = hmac.new(self._secret, f"{slug}\0{client}".encode(), hashlib.sha256).hexdigest()[:32]
            if len(self._buckets) >= BUCKETS_KEPT:
                self._buckets.clear()
            self._buckets[(client, slug)] = bucket
        return bucket


@functools.lru_cache(maxsize=1024)  # the same few origins on every request
def origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None
    return f"{parsed.scheme}://{parsed.netloc}".lower()


def request_origin(headers) -> str | None:
    """The Origin header, or the origin of the Referer when a browser sent no Origin."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return origin_of(origin)
    if origin == "null":
        return None
    return origin_of(headers.get("referer"))


class TrustedProxies:
    """The proxies (addresses or networks, ``10.0.0.10`` or ``10.0.0.0/24``) whose
    X-Forwarded-For is believed. ``*`` is refused: every client could then name its own address
    and get a fresh rate limit with every request."""

    def __init__(self, addresses: Iterable[str] = ()):
        self.networks = []
        for text in addresses:
            text = text.strip()
            if not text:
                continue
            if text == "*":
                raise ValueError('"*" would let every client name its own address and escape the rate limit '
                                 "(expected the addresses of the proxies in front of the collector, like 10.0.0.10)")
            try:
                self.networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f'"{text}" is not an IP address or network (expected addresses like 10.0.0.10 '
                                 "or 10.0.0.0/24, comma-separated)") from None

    def __contains__(self, host: str) -> bool:
        if not self.networks:  # the usual case, asked on every request: no address to parse
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __bool__(self) -> bool:
        return bool(self.networks)


def client_address(scope, proxies: TrustedProxies | Iterable[str]) -> str:
    """The address a request came from: the peer, unless the peer is a trusted proxy; then the
    last address in X-Forwarded-For that is not one of the proxies (each proxy appends the
    address it saw, so entries left of that are what the client itself wrote)."""
    if not isinstance(proxies, TrustedProxies):
        proxies = TrustedProxies(proxies)
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer not in proxies:
        return peer
    forwarded = [value.decode("latin-1") for name, value in scope.get("headers") or () if name == b"x-forwarded-for"]
    hops = [hop.strip() for hop in ",".join(forwarded).split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # not written by a proxy of ours: nothing in the header can be believed
        if hop not in proxies:
            return hop
    return hops[0] if hops else peer


# --- export tokens ----------------------------------------------------------------------------

EXPORT_TOKEN_VARIABLE = "PANELSITE_EXPORT_TOKEN"
MIN_TOKEN_LENGTH = 32
MIN_TOKEN_CHARACTERS = 10  # distinct ones: "aaaa…" or "abab…" is long and still guessed at once
TOKEN_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def export_token_variable(slug: str) -> str:
    """``PANELSITE_EXPORT_TOKEN_LINDENHAVEN``: where the export token of a municipality comes from."""
    return f"{EXPORT_TOKEN_VARIABLE}_{slug.upper().replace('-', '_')}"


def export_tokens_from(environ, slugs: Iterable[str]) -> dict[str, str]:
    """The export tokens in the environment, by slug; ValueError for the one token of before."""
    if environ.get(EXPORT_TOKEN_VARIABLE):
        examples = ", ".join(export_token_variable(slug) for slug in sorted(slugs)) or export_token_variable("<slug>")
        raise ValueError(f"{EXPORT_TOKEN_VARIABLE}: one token for every municipality is not used any more (expected a "
                         f"token per municipality: {examples})")
    prefix = EXPORT_TOKEN_VARIABLE + "_"
    return {name[len(prefix):].lower().replace("_", "-"): value
            for name, value in environ.items() if name.startswith(prefix) and value}


def check_export_tokens(tokens: dict[str, str], slugs: Iterable[str]) -> None:
    """ValueError naming every token that is too short, too regular, shared or for no municipality."""
    slugs = set(slugs)
    problems, seen = [], {}
    for slug, token in sorted(tokens.items()):
        variable = export_token_variable(slug)
        expected = f"at least {MIN_TOKEN_LENGTH} random characters, like the output of {TOKEN_HINT}"
        if slug not in slugs:
            problems.append(f'{variable}: no municipality "{slug}" (expected one of: '
                            f'{", ".join(export_token_variable(s) for s in sorted(slugs))})')
        elif len(token) < MIN_TOKEN_LENGTH:
            problems.append(f"{variable}: is {len(token)} characters (expected {expected})")
        elif len(set(token)) < MIN_TOKEN_CHARACTERS:
            problems.append(f"{variable}: repeats {len(set(token))} characters (expected {expected})")
        elif token in seen:
            problems.append(f"{variable}: is also the token of {export_token_variable(seen[token])} (expected a token "
                            "of its own for each municipality)")
        seen.setdefault(token, slug)
    if problems:
        raise ValueError("\n".join(problems))


def token_matches(given: str, expected: str) -> bool:
    """Constant time: how much of a guess was right must not show in how long the answer takes."""
    return hmac.compare_digest(given.encode(), expected.encode())
