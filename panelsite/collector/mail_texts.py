"""The collector's mails, written from templates a municipality can override.

``email/<kind>.txt`` in the site's theme (``themes/<slug>/templates`` before
``themes/default/templates``, like every other template): the first line is the subject,
then an empty line, then the text; ``email/<kind>.html`` beside it, where a theme has one,
is the HTML alternative. The kinds: confirm-signup, confirm-leave, contact-message (for a
submission, :class:`storage.Mail`) and invitation, reminder (a round's mailings;
collector/letters.py gives each its values).

Text typed into a form never becomes a link in a mail program: everything a template prints
passes :func:`plain`, which "defangs" what a mail program would turn into a link
(``https://evil.example`` becomes ``https[:]//evil[.]example``), still readable for whoever
reads it. Only the links the collector makes itself (:class:`Trusted`) pass as they are. This
holds for a municipality's own templates too: it is the environment's ``finalize``, not a
filter a template could forget.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import jinja2

# "https://", "ftp://" …; and schemes that make a link without slashes
URL_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20}):(?=//)")
BARE_SCHEME = re.compile(r"(?i)\b(mailto|javascript|vbscript|data|tel|sms|callto|file):")
# Anything a mail program may read as a host name: evil.example, www.evil.example, anna@example.nl
HOST = re.compile(r"(?i)\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,63}\b")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Trusted(str):
    """Text the collector made itself (its signed links): printed as it is."""


def defang(text: str) -> str:
    """``text`` with every would-be link broken up, and control characters (bar line breaks and tabs) left out."""
    text = "".join(ch for ch in text if ch in "\n\t" or not (ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc"))
    text = URL_SCHEME.sub(r"\1[:]", text)
    text = BARE_SCHEME.sub(r"\1[:]", text)
    return HOST.sub(lambda m: m.group(0).replace(".", "[.]"), text)


def plain(value) -> str:
    """The ``finalize`` of the mail templates: every printed value, unless :class:`Trusted`."""
    if value is None:
        return ""
    if isinstance(value, Trusted):
        return str(value)
    return defang(str(value))


def environment(site_env: jinja2.Environment) -> jinja2.Environment:
    """The site's template environment (same folders, same globals) with :func:`plain` on every value."""
    return site_env.overlay(finalize=plain)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    html: str | None = None


def template_name(kind: str, suffix: str = "txt") -> str:
    return f"email/{kind}.{suffix}"


def render(env: jinja2.Environment, kind: str, values: dict, html: bool = False) -> Text:
    """The subject and text of a mail of ``kind`` from its template; with ``html``, also
    ``email/<kind>.html`` when the theme has one (never for mails to the municipality, whose
    values come from form fields). Values the collector made itself (links) are :class:`Trusted`."""
    text = env.get_template(template_name(kind)).render(**values)
    subject, _, body = text.lstrip("\n").partition("\n")
    alternative = None
    if html:
        try:
            template = env.get_template(template_name(kind, "html"))
        except jinja2.TemplateNotFound:
            template = None
        if template is not None:
            alternative = template.render(**values)
    # One line: a line break in a subject would start a header of its own.
    return Text(subject=" ".join(subject.split()), body=body.lstrip("\n"), html=alternative)
