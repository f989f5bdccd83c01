"""Outgoing e-mail: SMTP in production, .eml files in a folder for local preview.

Every address goes through the one strict parser (config/email_address.py) before it becomes a
header, and the SMTP envelope (MAIL FROM, RCPT TO) is given explicitly: never read back from the
headers, where Python's address parser could find another address than the one checked.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from panelsite.config import email_address


@dataclass
class SMTPSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str | None = None  # From: address; default the municipality's contact address


@dataclass(frozen=True)
class Outgoing:
    """A message and its envelope."""

    message: EmailMessage
    sender: str
    recipient: str


def _address(text: str) -> Address:
    local, _, domain = email_address.parse(text).rpartition("@")
    return Address(username=local, domain=domain)


def message(sender: str, to: str, subject: str, body: str, reply_to: str | None = None) -> Outgoing:
    """A plain-text message; InvalidAddress when an address does not pass the parser."""
    sender_address, to_address = _address(sender), _address(to)
    msg = EmailMessage()
    msg["From"] = sender_address
    msg["To"] = to_address
    if reply_to:
        msg["Reply-To"] = _address(reply_to)
    msg["Subject"] = " ".join(subject.split())  # one line: a line break would start a header of its own
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender_address.domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, cte="8bit")  # no quoted-printable: the confirmation link stays on one line
    return Outgoing(msg, sender_address.addr_spec, to_address.addr_spec)


class FolderMailer:
    """Writes each message as ``<folder>/<time>-<id>.eml`` (written to a temp name, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sender = None

    def send(self, outgoing: Outgoing) -> None:
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(outgoing.message))
        os.replace(tmp, self.folder / name)


class SMTPMailer:
    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self.sender = settings.sender

    def send(self, outgoing: Outgoing) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=20) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(outgoing.message, from_addr=outgoing.sender, to_addrs=[outgoing.recipient])


class NoMailer:
    """No SMTP and no mail folder: messages are dropped (logged by the caller)."""

    sender = None

    def send(self, outgoing: Outgoing) -> None:
        pass
