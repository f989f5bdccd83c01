"""Outgoing e-mail: SMTP in production, .eml files in a folder for local preview."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


@dataclass
class SMTPSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str | None = None  # From: address; default the municipality's contact address


def message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, cte="8bit")  # no quoted-printable: the confirmation link stays on one line
    return msg


class FolderMailer:
    """Writes each message as ``<folder>/<time>-<id>.eml`` (written to a temp name, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sender = None

    def send(self, msg: EmailMessage) -> None:
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(msg))
        os.replace(tmp, self.folder / name)


class SMTPMailer:
    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self.sender = settings.sender

    def send(self, msg: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=20) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(msg)


class NoMailer:
    """No SMTP and no mail folder: messages are dropped (logged by the caller)."""

    sender = None

    def send(self, msg: EmailMessage) -> None:
        pass
