"""Signed tokens, origin checks and the client key for rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlparse

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 86400  # a confirmation link works 7 days
LEAVE_MAX_AGE = 7 * 86400  # so does the link that confirms leaving the panel
FORM_MAX_AGE = 7 * 86400  # a page may stay open long (a questionnaire over lunch)


class Tokens:
    def __init__(self, secret: str):
        self._secret = secret.encode()
        self._timestamps = URLSafeTimedSerializer(secret, salt="panelsite-form-loaded")
        self._confirm = URLSafeTimedSerializer(secret, salt="panelsite-confirm")
        self._member = URLSafeTimedSerializer(secret, salt="panelsite-member")
        # Its own salt: a sign-up link cannot confirm leaving, nor a leave link a sign-up.
        self._leave = URLSafeTimedSerializer(secret, salt="panelsite-leave")

    def form_loaded(self, slug: str) -> str:
        """A signed "the form was loaded now" for the minimum fill time."""
        return self._timestamps.dumps({"s": slug, "t": time.time()})

    def seconds_since_loaded(self, token: str, slug: str) -> float | None:
        """Seconds since the form was loaded, or None when the token is forged, foreign or too old."""
        try:
            data = self._timestamps.loads(token, max_age=FORM_MAX_AGE)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or data.get("s") != slug:
            return None
        return time.time() - float(data.get("t", 0))

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
        """Keyed hash of the client address: counts requests without storing the address."""
        return hmac.new(self._secret, f"{slug}\0{client}".encode(), hashlib.sha256).hexdigest()[:32]


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
