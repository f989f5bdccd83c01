"""The collector's mails, written from templates a municipality can override.

``email/<kind>.txt`` in the site's theme (``themes/<slug>/templates`` before
``themes/default/templates``, like every other template): the first line is the subject,
then an empty line, then the text. The kinds are those of :class:`storage.Mail`
(confirm-signup, confirm-leave, contact-message).
"""

from __future__ import annotations

from dataclasses import dataclass

from panelsite.collector.sites import FormSite
from panelsite.collector.storage import Mail


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def template_name(kind: str) -> str:
    return f"email/{kind}.txt"


def render(site: FormSite, mail: Mail, link: str | None = None) -> Text:
    """The subject and text of ``mail`` from its template; ``link`` is its signed link, if any."""
    text = site.env.get_template(template_name(mail.kind)).render(
        name=mail.name or "", link=link or "", fields={k: v for k, v in mail.fields.items() if v is not None})
    subject, _, body = text.lstrip("\n").partition("\n")
    # One line: a line break in a subject would start a header of its own.
    return Text(subject=" ".join(subject.split()), body=body.lstrip("\n"))
