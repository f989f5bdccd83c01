"""What each outbox row says: its text from the theme's templates, its headers, its envelope.

Rendered when it is sent, from what is stored then: a member who left in between, or whose
contact data are gone, gets nothing (:meth:`Letters.compose` returns None). Sender, name and
reply address are the municipality's ``mail`` settings; the Message-ID is the row's id, so it is
the same in every attempt. Panel mailings (invitation, reminder, factsheet) carry the member's
one-click leave link in ``List-Unsubscribe`` (RFC 8058); mails to the municipality itself are text
only, whatever templates a theme adds.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from panelsite import i18n
from panelsite.collector import mail_texts
from panelsite.collector.mail import Outgoing, Signer, load_signer, message
from panelsite.collector.mail_texts import Trusted
from panelsite.collector.security import Tokens
from panelsite.collector.sites import FormSite
from panelsite.collector.storage import (
    CONFIRM_LEAVE,
    CONFIRM_SIGNUP,
    CONTACT_MESSAGE,
    FACTSHEET,
    INVITATION,
    REMINDER,
    Storage,
)
from panelsite.collector.storage.outbox import PANEL_MAILINGS, Item
from panelsite.collector.urls import Urls
from panelsite.config import email_address


class Unsendable(Exception):
    """A row that can never be sent as it stands (its survey is gone, a template fails): marked failed."""


class Letters:
    def __init__(self, sites: dict[str, FormSite], tokens: Tokens, urls: Urls, storage: Storage,
                 envelope_sender: str | None = None, signers: dict[str, Signer] | None = None):
        self.sites = sites
        self.tokens = tokens
        self.urls = urls
        self.storage = storage
        self.envelope_sender = envelope_sender  # --smtp-from: bounces go there
        self.signers = signers or {}

    def sender(self, site: FormSite) -> str:
        m = site.municipality
        return m.mail.get("from") or self.envelope_sender or m.contact.email

    def message_id(self, site: FormSite, row_id: str) -> str:
        return f"<{row_id}@{self.sender(site).rpartition('@')[2]}>"

    def compose(self, item: Item, same_text: tuple[str, str, str | None] | None = None) -> Outgoing | None:
        """The message for ``item``, or None when it is not to be sent any more. ``same_text``: the
        (subject, text, html) of a factsheet mailing not stored yet (a dry run)."""
        site = self.sites.get(item.slug)
        if site is None:
            raise Unsendable(f"no municipality {item.slug} is loaded")
        if not item.current:
            return None
        m = site.municipality
        reply_to = m.mail.get("reply_to") or m.contact.email
        if item.kind == CONTACT_MESSAGE:
            fields = self.storage.contact_fields(item.ref)
            if fields is None:
                return None
            text = self._render(site, item.kind, {"fields": {k: str(v) for k, v in fields.items() if v not in (None, "")}},
                                html=False)
            visitor = fields.get("email")
            return self._message(site, item, m.contact.email, text, reply_to=visitor if visitor else None)
        if item.email is None:
            return None  # the contact data went (retention, leaving)
        unsubscribe = None
        if item.kind in PANEL_MAILINGS:
            unsubscribe = self.urls.unsubscribe(site, self.tokens.unsubscribe(site.slug, item.member_id))
        if item.kind == FACTSHEET:
            stored = same_text or self.storage.mailing_text(item.slug, item.kind, item.mailing)
            if stored is None:
                raise Unsendable(f"no text stored for the mailing {item.kind} {item.mailing}")
            text = _with_leave_link(site, mail_texts.Text(*stored), unsubscribe)
        else:
            text = self._render(site, item.kind, self._values(site, item), html=True)
        return self._message(site, item, item.email, text, reply_to=reply_to, unsubscribe=unsubscribe)

    def _message(self, site: FormSite, item: Item, to: str, text: mail_texts.Text, reply_to: str | None,
                 unsubscribe: str | None = None) -> Outgoing:
        m = site.municipality
        try:
            return message(self.sender(site), to, text.subject, text.body, reply_to=reply_to, html=text.html,
                           sender_name=m.mail.get("from_name") or m.panel_name,
                           message_id=self.message_id(site, item.id), unsubscribe=unsubscribe,
                           envelope_sender=self.envelope_sender, signer=self.signers.get(site.slug))
        except email_address.InvalidAddress as exc:
            raise Unsendable(f"an address is refused: {exc}") from None

    def _render(self, site: FormSite, kind: str, values: dict, html: bool) -> mail_texts.Text:
        try:
            return mail_texts.render(site.mail_env, kind, values, html=html)
        except Exception as exc:  # noqa: BLE001 - a municipality's template: say which, keep the others going
            raise Unsendable(f"email/{kind}.txt: {type(exc).__name__}: {exc}") from None

    def _values(self, site: FormSite, item: Item) -> dict:
        m = site.municipality
        values = {"name": item.name or "", "contact_email": Trusted(m.contact.email),
                  "contact_phone": Trusted(m.contact.get("phone") or "")}
        if item.kind == CONFIRM_SIGNUP:
            values["link"] = Trusted(self.urls.confirm_signup(site, self.tokens.confirmation(site.slug, item.member_id)))
        elif item.kind == CONFIRM_LEAVE:
            values["link"] = Trusted(self.urls.confirm_leave(site, self.tokens.leave(site.slug, item.member_id, item.ref)))
        elif item.kind in (INVITATION, REMINDER):
            try:
                survey = site.survey(item.mailing)
                form = site.forms[f"vragenlijst-{survey.id}"]
            except KeyError:
                raise Unsendable(f"survey {item.mailing} has no online questionnaire (collect: true) any more") from None
            token = self.tokens.member(site.slug, item.member_id)
            values.update(
                survey=survey, link=Trusted(self.urls.invitation(site, survey.id, token)),
                closes_on=i18n.date(survey.fieldwork_end), results_on=i18n.date(survey.publish_on),
                paper_link=Trusted(self.urls.site(site) + form.paper_path),
                unsubscribe=Trusted(self.urls.unsubscribe(site, self.tokens.unsubscribe(site.slug, item.member_id))))
        return values

    def sample(self, site: FormSite, kind: str, mailing: str,
               same_text: tuple[str, str, str | None] | None = None) -> Outgoing | None:
        """One message of a mailing as it would go, to a made-up member (``--dry-run``)."""
        item = Item(id="0" * 32, slug=site.slug, kind=kind, mailing=mailing, member_id="voorbeeld", ref=None,
                    attempts=0, created=0.0, email="voorbeeld@example.org", name="Naam Voorbeeld", current=True)
        return self.compose(item, same_text)


def _with_leave_link(site: FormSite, text: mail_texts.Text, link: str) -> mail_texts.Text:
    """The factsheet is one text for everyone: each member's own leave link goes under it."""
    panel = site.municipality.panel_name
    footer = (f"U krijgt deze e-mail omdat u meedoet aan {panel}.\n"
              f"Wilt u niet meer meedoen? Meld u af met deze link:\n{link}\n")
    html = text.html
    if html is not None:
        paragraph = (f'<p style="font-size:14px">U krijgt deze e-mail omdat u meedoet aan {escape(panel)}. '
                     f'<a href="{escape(link)}">Meld u af</a> als u niet meer wilt meedoen.</p>')
        at = html.lower().rfind("</body>")
        html = html[:at] + paragraph + html[at:] if at >= 0 else html + paragraph
    return mail_texts.Text(text.subject, text.body.rstrip("\n") + "\n\n" + footer, html)


def load_signers(sites: dict[str, FormSite], root: Path, envelope_sender: str | None = None) -> dict[str, Signer]:
    """The DKIM signer of each municipality with ``mail.dkim``; ValueError naming every key that cannot be used."""
    signers, problems = {}, []
    for slug, site in sites.items():
        dkim = site.municipality.mail.get("dkim")
        if not dkim:
            continue
        sender = site.municipality.mail.get("from") or envelope_sender or site.municipality.contact.email
        key_file = Path(dkim.key_file)
        if not key_file.is_absolute():
            key_file = root / key_file
        try:
            signers[slug] = load_signer(key_file, dkim.selector, dkim.get("domain") or sender.rpartition("@")[2])
        except ValueError as exc:
            problems.append(f"{site.municipality.source}: mail.dkim.key_file: {exc}")
    if problems:
        raise ValueError("\n".join(problems))
    return signers
