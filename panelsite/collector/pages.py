"""The pages the collector serves itself, in the site's house style.

They are the site's own templates (``forms/form_page.html``, ``forms/confirm.html``,
``forms/thanks.html``) with the site's menu; links and assets point at the published site,
since the page itself lives on the collector's host. The Dutch texts of these pages are here,
the texts of the forms in panelsite/forms.
"""

from __future__ import annotations

from starlette.responses import HTMLResponse

from panelsite.collector.sites import FormSite
from panelsite.collector.urls import LEAVE_PATH, UNSUBSCRIBE_PATH, Urls
from panelsite.engine.chrome import chrome
from panelsite.forms.model import Form
from panelsite.forms.pages import CLOSED_TITLE, closed_text

RETRY_AFTER = 60  # seconds; matches "over een minuut" in the texts below
NOT_STORED = "Uw antwoorden zijn nog niet opgeslagen. Probeer het over een minuut opnieuw."
TOO_MANY = "U hebt te vaak iets verstuurd. Probeer het over een paar minuten opnieuw."
NOT_FROM_HERE = "Dit formulier kan alleen vanaf de website van het panel worden verstuurd."
# What whoever asks to leave is told, whether or not the address is known (no account enumeration).
LEAVE_MAIL_SENT = "Kijk in uw e-mail: klik op de link om uw afmelding te bevestigen."
UNREADABLE = ("Uw browser stuurde het formulier op een manier die we niet kunnen lezen. "
              "Laad de pagina opnieuw en probeer het nog eens.")
SERVER_ERROR = "Er ging iets mis bij ons. Uw gegevens zijn misschien niet opgeslagen. Probeer het over een minuut opnieuw."
REFUSAL_HEADINGS = {429: "Te veel verzoeken", 400: "Het formulier kon niet worden gelezen"}
ANSWERED_BEFORE = ("U hebt deze vragenlijst al ingevuld. Uw eerste antwoorden tellen mee. "
                   "Deze antwoorden hebben we niet opgeslagen.")


class Pages:
    def __init__(self, urls: Urls):
        self.urls = urls

    def render(self, site: FormSite, template: str, status: int = 200, path: str = "", **context) -> HTMLResponse:
        ctx = chrome(site.municipality, self.urls.site(site), path)
        ctx["navigation"] = site.navigation
        ctx["page"].title = context.pop("title", "")
        ctx.update(context)
        html = site.env.get_template(template).render(**ctx)
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    def message(self, site: FormSite, status: int, heading: str, text: str) -> HTMLResponse:
        return self.render(site, "forms/thanks.html", status, title=heading, heading=heading, paragraphs=[text],
                           links=[_home(site)])

    def refusal(self, site: FormSite, status: int, text: str) -> HTMLResponse:
        return self.message(site, status, REFUSAL_HEADINGS.get(status, "Niet toegestaan"), text)

    def retry_later(self, response: HTMLResponse) -> HTMLResponse:
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    # --- forms --------------------------------------------------------------------------

    def form(self, site: FormSite, form: Form, action: str, hidden: dict, values: dict | None = None,
             errors: dict | None = None, status: int = 200) -> HTMLResponse:
        """A form as a page: fresh (GET), with the messages of an error page, or after a failed write."""
        return self.render(site, "forms/form_page.html", status, path=form.path, title=form.title, form=form,
                           action=action, values=values or {}, errors=errors or {}, hidden=hidden, paper_path=None)

    @staticmethod
    def closed_text(survey) -> str:
        return closed_text(survey)

    def closed(self, site: FormSite, form: Form) -> HTMLResponse:
        """A questionnaire after its closing time (410 Gone: it will not open again); nothing is stored."""
        return self.render(site, "forms/thanks.html", 410, path=form.path, title=CLOSED_TITLE,
                           heading=CLOSED_TITLE, paragraphs=[self.closed_text(form.survey)],
                           links=[_home(site)])

    def answered_before(self, site: FormSite, form: Form) -> HTMLResponse:
        return self.render(site, "forms/thanks.html", 409, path=form.path, title="U hebt al meegedaan",
                           heading="U hebt al meegedaan", paragraphs=[ANSWERED_BEFORE, "Bedankt voor uw antwoorden."],
                           links=[_home(site)])

    # --- confirming a sign-up -----------------------------------------------------------

    def confirm_signup(self, site: FormSite, action: str | None, token: str, status: int = 200,
                       text: str | None = None) -> HTMLResponse:
        """The page behind the link in the sign-up mail: a button (``action``), or None for a
        link that does not work (any more)."""
        valid = action is not None
        heading = "Bevestig uw aanmelding" if valid else "Deze link werkt niet meer"
        default = ("Klik op de knop om uw aanmelding voor " + site.municipality.panel_name + " te bevestigen." if valid
                   else "De link is verlopen of niet juist. Een link werkt 7 dagen. Meld u opnieuw aan.")
        return self.render(site, "forms/confirm.html", status, path="bevestigen/", title=heading, heading=heading,
                           text=text or default, action=action, token=token)

    def signup_not_stored(self, site: FormSite, action: str, token: str) -> HTMLResponse:
        # The same page and button again: the link stays valid, so pressing it later works.
        return self.retry_later(self.confirm_signup(
            site, action, token, 503, "Uw bevestiging is nog niet opgeslagen. Probeer het over een minuut opnieuw."))

    # --- leaving ------------------------------------------------------------------------

    def confirm_leave(self, site: FormSite, action: str, token: str, status: int = 200,
                      text: str | None = None) -> HTMLResponse:
        panel = site.municipality.panel_name
        return self.render(site, "forms/confirm.html", status, path=LEAVE_PATH + "/", title="Bevestig uw afmelding",
                           heading="Bevestig uw afmelding",
                           text=text or f"Klik op de knop om u af te melden voor {panel}.",
                           action=action, token=token, button="Ja, meld mij af")

    def leave_not_stored(self, site: FormSite, action: str, token: str) -> HTMLResponse:
        return self.retry_later(self.confirm_leave(
            site, action, token, 503, "Uw afmelding is nog niet opgeslagen. Probeer het over een minuut opnieuw."))

    def leave_link_expired(self, site: FormSite, status: int = 200) -> HTMLResponse:
        return self.render(site, "forms/confirm.html", status, path=LEAVE_PATH + "/", title="Deze link werkt niet meer",
                           heading="Deze link werkt niet meer",
                           text="De link is verlopen of niet juist. Een link werkt 7 dagen. Vraag een nieuwe link aan: "
                                "vul uw e-mailadres nog een keer in.",
                           action=None, retry={"path": "afmelden/", "text": "Vraag een nieuwe link aan"})

    def unsubscribe(self, site: FormSite, action: str, token: str) -> HTMLResponse:
        """The one-click leave link opened in a browser: a button (a link scanner's GET changes nothing)."""
        panel = site.municipality.panel_name
        return self.render(site, "forms/confirm.html", 200, path=UNSUBSCRIBE_PATH + "/", title="Afmelden",
                           heading="Afmelden", text=f"Klik op de knop. Dan bent u meteen afgemeld voor {panel}.",
                           action=action, token=token, button="Ja, meld mij af")

    def unsubscribe_link_expired(self, site: FormSite, status: int = 200) -> HTMLResponse:
        return self.render(site, "forms/confirm.html", status, path=UNSUBSCRIBE_PATH + "/",
                           title="Deze link werkt niet meer", heading="Deze link werkt niet meer",
                           text="De link is niet juist of te oud. Meld u af met uw e-mailadres.",
                           action=None, retry={"path": "afmelden/", "text": "Naar het afmeldformulier"})

    def already_left(self, site: FormSite) -> HTMLResponse:
        return self.message(site, 200, "U bent al afgemeld",
                            "U hebt uw afmelding al bevestigd. U hoeft niets meer te doen. U krijgt geen uitnodigingen meer.")

    def left(self, site: FormSite, outcome: str, left_days: int) -> HTMLResponse:
        contact = ("We hebben uw naam en e-mailadres verwijderd." if outcome == "deleted" else
                   f"We verwijderen uw naam en e-mailadres binnen {left_days} dagen.")
        return self.render(site, "forms/thanks.html", path=LEAVE_PATH + "/", title="U bent afgemeld",
                           heading="U bent afgemeld",
                           paragraphs=[f"{contact} U krijgt geen uitnodigingen meer. Uw eerdere antwoorden blijven "
                                       "bewaard, maar zijn niet meer aan u gekoppeld.", "Bedankt dat u hebt meegedaan."],
                           links=[_home(site)])


def _home(site: FormSite) -> dict:
    return {"path": "", "text": f"Naar de startpagina van {site.municipality.panel_name}"}
