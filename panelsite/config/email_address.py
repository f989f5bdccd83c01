"""The one parser for e-mail addresses: residents' (forms, collector) and the municipality's own.

Strict on purpose, with the ``email-validator`` package: a plain ``local@domain.tld`` and
nothing that mail software may read differently from us. Refused: comments and display names
(Python's address parser reads ``postmaster(x@evil.example`` as ``postmaster``, so smtplib would
send to ``RCPT TO:<postmaster>`` on the local server), encoded-words (``=?utf-8?q?…?=``, which
header decoding can turn into another address), quoted local parts, IP-address domains, names
without a dot (``localhost``), non-ASCII local parts (they need SMTPUTF8 on every hop), NUL and
other control characters. No DNS lookup: the address is checked as written.

The address that comes back is the one to use everywhere after: the ASCII form (an
international domain in punycode), domain lower-cased, local part as typed.
"""

from __future__ import annotations

import re
import unicodedata

import email_validator

ENCODED_WORD = re.compile(r"=\?.*\?=", re.S)
MAX_LENGTH = 254  # RFC 5321's path limit, less the angle brackets


class InvalidAddress(ValueError):
    """Why an address is refused, in English (for configuration problems and logs)."""


def parse(text: str) -> str:
    """The address to use (see the module text), or InvalidAddress."""
    if not isinstance(text, str):
        raise InvalidAddress("it is not text")
    address = text.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in address):
        raise InvalidAddress("it holds a control character")
    if ENCODED_WORD.search(address):
        raise InvalidAddress("it holds an encoded word (=?…?=)")
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(f"it is longer than {MAX_LENGTH} characters")
    try:
        result = email_validator.validate_email(
            address, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
            allow_domain_literal=False, allow_display_name=False, allow_empty_local=False, globally_deliverable=True)
    except email_validator.EmailNotValidError as exc:
        raise InvalidAddress(str(exc)) from None
    return result.ascii_email


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidAddress:
        return False
    return True
