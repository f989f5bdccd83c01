"""Outgoing e-mail: the message and its headers, DKIM, and the transports (SMTP, or .eml files).

Every address goes through the one strict parser (config/email_address.py) before it becomes a
header, and the SMTP envelope (MAIL FROM, RCPT TO) is given explicitly: never read back from the
headers, where Python's address parser could find another address than the one checked.

A transport's connection sends a message in two steps, so that the outbox can record the hand-over
in between (collector/sender.py): :meth:`stage` sends everything up to the final dot of DATA (a
server discards a message whose connection ends before that dot), :meth:`finish` sends the dot
and reads the reply.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import time
import uuid
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from panelsite.config import email_address

# Headers a DKIM signature covers: what a forger would change, and RFC 8058's two list headers.
DKIM_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"list-unsubscribe",
                b"list-unsubscribe-post", b"auto-submitted", b"mime-version", b"content-type")


@dataclass
class SMTPSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True  # port 465 is TLS from the first byte instead (SMTPS)
    sender: str | None = None  # envelope sender (bounces); the From when the municipality sets no mail.from
    rate: float | None = None  # messages per second, per sender; None: as fast as the server takes them
    timeout: float = 30.0


@dataclass(frozen=True)
class Signer:
    """DKIM signing for one domain (dkimpy), from ``mail.dkim`` of a municipality."""

    selector: str
    domain: str
    key: bytes = field(repr=False)

    def sign(self, data: bytes) -> bytes:
        import dkim

        present = {name.lower() for name in re.findall(rb"(?m)^([A-Za-z0-9-]+):", data.split(b"\r\n\r\n", 1)[0])}
        signature = dkim.sign(data, self.selector.encode(), self.domain.encode(), self.key,
                              canonicalize=(b"relaxed", b"relaxed"),
                              include_headers=[h for h in DKIM_HEADERS if h in present])
        return signature + data


def load_signer(key_file: Path, selector: str, domain: str) -> Signer:
    """ValueError naming the file when the key cannot be read or is no private key dkimpy can use."""
    try:
        key = Path(key_file).read_bytes()
    except OSError as exc:
        raise ValueError(f"{key_file}: {exc.strerror or exc} (expected the PEM private key of mail.dkim.key_file)") from None
    try:
        import dkim

        dkim.sign(b"From: a@b.example\r\nSubject: x\r\n\r\nx\r\n", selector.encode(), domain.encode(), key)
    except Exception as exc:  # noqa: BLE001 - dkimpy raises several kinds for a bad key
        raise ValueError(f"{key_file}: not a private key dkimpy can sign with ({type(exc).__name__}) "
                         "(expected an RSA or Ed25519 private key in PEM)") from None
    return Signer(selector, domain, key)


@dataclass(frozen=True)
class Outgoing:
    """A message and its envelope; ``data`` the bytes as they go on the wire (CRLF, signed)."""

    message: EmailMessage
    sender: str
    recipient: str
    signer: Signer | None = None

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def data(self) -> bytes:
        # 998, the line limit of RFC 5322: with 78 a long header without spaces (the one-click link
        # of List-Unsubscribe) would be folded into encoded words, which no mail program reads as a URL.
        raw = self.message.as_bytes(policy=self.message.policy.clone(linesep="\r\n", max_line_length=998))
        return self.signer.sign(raw) if self.signer else raw


def _address(text: str, name: str | None = None) -> Address:
    local, _, domain = email_address.parse(text).rpartition("@")
    return Address(display_name=" ".join((name or "").split()), username=local, domain=domain)


def message(sender: str, to: str, subject: str, body: str, reply_to: str | None = None, *, html: str | None = None,
            sender_name: str | None = None, message_id: str | None = None, unsubscribe: str | None = None,
            envelope_sender: str | None = None, signer: Signer | None = None) -> Outgoing:
    """A text message (with an HTML alternative when ``html`` is given); InvalidAddress when an
    address does not pass the parser. ``unsubscribe`` is the one-click leave link of a panel
    mailing: ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058)."""
    sender_address, to_address = _address(sender, sender_name), _address(to)
    msg = EmailMessage()
    msg["From"] = sender_address
    msg["To"] = to_address
    if reply_to:
        msg["Reply-To"] = _address(reply_to)
    msg["Subject"] = " ".join(subject.split())  # one line: a line break would start a header of its own
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@{sender_address.domain}>"
    # RFC 3834: no vacation replies or other automatic answers to these.
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(body, cte="8bit")  # no quoted-printable: a link stays on one line
    if html is not None:
        msg.add_alternative(html, subtype="html", cte="8bit")
    envelope = email_address.parse(envelope_sender) if envelope_sender else sender_address.addr_spec
    return Outgoing(msg, envelope, to_address.addr_spec, signer)


# --- sending ----------------------------------------------------------------------------------


class TemporaryFailure(Exception):
    """A 4xx reply or a connection problem before the hand-over: try again later."""


class PermanentFailure(Exception):
    """A 5xx reply: this message will not go (marked failed)."""


class NoReply(Exception):
    """The connection broke after the final dot, before the reply: the server may have the message."""


class SetupFailure(Exception):
    """The server refuses the login or TLS: nothing can go until the settings are fixed (no attempt counted)."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:300]


def _raise_for(code: int, text, what: str) -> None:
    if 400 <= code < 500 or code == -1:
        raise TemporaryFailure(f"{what}: {_reply(code, text)}")
    raise PermanentFailure(f"{what}: {_reply(code, text)}")


LINE_ENDS = re.compile(rb"\r\n|\r|\n")
LEADING_DOT = re.compile(rb"(?m)^\.")


class SMTPConnection:
    """One SMTP session: EHLO, STARTTLS (or TLS on port 465), AUTH; then messages one by one."""

    def __init__(self, settings: SMTPSettings):
        self.settings = s = settings
        try:
            if s.port == 465:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            # The final dot goes in a write of its own after the message (the hand-over is recorded
            # in between): without this, Nagle's algorithm holds it until the server's delayed ACK.
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo()
            if s.starttls and s.port != 465:
                if not self.smtp.has_extn("starttls"):
                    raise SetupFailure(f"{s.host}:{s.port} offers no STARTTLS (expected a server that does, "
                                       "or PANELSITE_SMTP_STARTTLS=0 for a relay on this machine)")
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if s.username:
                self.smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            raise SetupFailure(f"{s.host}:{s.port} refused the login of {s.username} ({_reply(exc.smtp_code, exc.smtp_error)}) "
                               "(expected PANELSITE_SMTP_USER and PANELSITE_SMTP_PASSWORD that the server accepts)") from None
        except ssl.SSLError as exc:
            self._drop()
            raise SetupFailure(f"{s.host}:{s.port}: TLS failed ({exc.reason or exc}) (expected a certificate this "
                               "machine trusts; a private CA: SSL_CERT_FILE)") from None
        except smtplib.SMTPNotSupportedError as exc:
            self._drop()
            raise SetupFailure(f"{s.host}:{s.port}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TemporaryFailure(f"cannot reach {s.host}:{s.port}: {type(exc).__name__}") from None
        self.broken = False

    def _drop(self) -> None:
        try:
            self.smtp.close()
        except Exception:  # noqa: BLE001
            pass

    def stage(self, outgoing: Outgoing) -> None:
        """MAIL FROM, RCPT TO, DATA and the message, all but the final dot."""
        data = outgoing.data()
        try:
            options = ["BODY=8BITMIME"] if self.smtp.has_extn("8bitmime") and max(data, default=0) > 127 else []
            code, text = self.smtp.mail(outgoing.sender, options)
            if code != 250:
                self._reset()
                _raise_for(code, text, "MAIL FROM")
            code, text = self.smtp.rcpt(outgoing.recipient)
            if code not in (250, 251):
                self._reset()
                _raise_for(code, text, "RCPT TO")
            self.smtp.putcmd("data")
            code, text = self.smtp.getreply()
            if code != 354:
                self._reset()
                _raise_for(code, text, "DATA")
            body = LEADING_DOT.sub(b"..", LINE_ENDS.sub(b"\r\n", data))
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            self.smtp.send(body)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.broken = True
            raise TemporaryFailure(f"connection lost: {type(exc).__name__}") from None

    def finish(self) -> None:
        """The final dot, and the server's answer to the whole message."""
        try:
            self.smtp.send(b".\r\n")
            code, text = self.smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.broken = True
            raise NoReply(f"no reply to the end of the message: {type(exc).__name__}") from None
        if code != 250:
            _raise_for(code, text, "end of DATA")

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.broken = True

    def abort(self) -> None:
        """End the connection in the middle of DATA: the server discards the message."""
        self.broken = True
        try:
            self.smtp.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self._drop()

    def close(self) -> None:
        if self.broken:
            self._drop()
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._drop()


class SMTPTransport:
    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self.sender = settings.sender
        self.rate = settings.rate

    def connect(self) -> SMTPConnection:
        return SMTPConnection(self.settings)


class FolderConnection:
    """Each message as ``<folder>/<time>-<id>.eml``: written under a hidden name, renamed by :meth:`finish`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: tuple[Path, Path] | None = None
        self.broken = False

    def stage(self, outgoing: Outgoing) -> None:
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
        tmp = self.folder / f".{name}.tmp"
        try:
            tmp.write_bytes(outgoing.data())
        except OSError as exc:
            raise TemporaryFailure(f"cannot write {tmp}: {exc.strerror or exc}") from None
        self.pending = (tmp, self.folder / name)

    def finish(self) -> None:
        tmp, final = self.pending
        self.pending = None
        os.replace(tmp, final)

    def abort(self) -> None:
        if self.pending:
            self.pending[0].unlink(missing_ok=True)
            self.pending = None

    def close(self) -> None:
        self.abort()


class FolderTransport:
    """The local preview's mail: .eml files in a folder, at once."""

    rate = None

    def __init__(self, folder: Path, sender: str | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sender = sender

    def connect(self) -> FolderConnection:
        return FolderConnection(self.folder)
