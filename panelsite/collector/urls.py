"""Where things are: the collector's own URL, the sites, the origins a post may come from.

Every link the collector hands out (in mails, on its pages, in redirects) and every origin
it accepts is derived here from configuration: the municipality's ``base_url`` and
``collector.url``, ``--public-url``, and for the local preview ``--preview-origin`` and
``--preview-site-url``.
"""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request

from panelsite.collector.security import origin_of, request_origin
from panelsite.collector.sites import FormSite

CONFIRM_PATH = "bevestigen"
LEAVE_PATH = "afmelden/bevestigen"
UNSUBSCRIBE_PATH = "afmelden/direct"  # the one-click leave link of panel mailings (List-Unsubscribe)


class Urls:
    def __init__(self, public_url: str | None, preview_origins: list[str], preview_site_url: str | None):
        self.public_url = public_url.rstrip("/") + "/" if public_url else None
        self.preview_origins = [o for o in map(origin_of, preview_origins) if o]
        # Local preview only: the sites are served at this URL ({slug}) instead of their base_url.
        self.preview_site_url = preview_site_url
        self._policies: dict[str, str] = {}
        self._own: dict[str, set[str]] = {}

    # --- the collector ---------------------------------------------------------------

    def own(self, site: FormSite) -> str:
        """The collector's URL as residents reach it, ending in "/": ``--public-url``, else the
        municipality's ``collector.url``. Never the request's Host header, which the client writes
        (a sign-up with ``Host: evil.example`` would mail its victim a link to evil.example)."""
        base = self.public_url or site.collector_url
        if not base:
            raise ValueError(missing_public_url(site))
        return base if base.endswith("/") else base + "/"

    def form_action(self, site: FormSite, form_id: str) -> str:
        return self.own(site) + f"{site.slug}/{form_id}"

    def confirm_signup(self, site: FormSite, token: str | None = None) -> str:
        return self.own(site) + f"{site.slug}/{CONFIRM_PATH}" + (f"?t={token}" if token else "")

    def confirm_leave(self, site: FormSite, token: str | None = None) -> str:
        return self.own(site) + f"{site.slug}/{LEAVE_PATH}" + (f"?t={token}" if token else "")

    def unsubscribe(self, site: FormSite, token: str | None = None) -> str:
        return self.own(site) + f"{site.slug}/{UNSUBSCRIBE_PATH}" + (f"?t={token}" if token else "")

    def invitation(self, site: FormSite, survey_id: str, member_token: str) -> str:
        """A member's personal link to a questionnaire: the form, served by the collector, with ``?lid=``."""
        return self.own(site) + f"{site.slug}/vragenlijst-{survey_id}?lid={member_token}"

    def error_page(self, site: FormSite, form_id: str, draft: str) -> str:
        return self.own(site) + f"{site.slug}/{form_id}/fout/{draft}"

    def check(self, sites: dict[str, FormSite]) -> None:
        """ValueError naming every municipality without a public URL for the collector."""
        missing = [missing_public_url(site) for site in sites.values() if not (self.public_url or site.collector_url)]
        if missing:
            raise ValueError("\n".join(missing))

    # --- the site -----------------------------------------------------------------------

    def site(self, site: FormSite) -> str:
        """The site as residents reach it: its base_url, or the local preview's URL."""
        return self.preview_site_url.format(slug=site.slug) if self.preview_site_url else site.base_url

    def site_base(self, site: FormSite, origin: str | None) -> str:
        """Where the thank-you page lives: the site, or a preview origin the form came from."""
        if origin and origin in self.preview_origins:
            if self.preview_site_url:
                return self.preview_site_url.format(slug=site.slug)
            return origin + urlparse(site.base_url).path
        return site.base_url

    # --- origins ------------------------------------------------------------------------

    def allowed_origin(self, request: Request, site: FormSite) -> str | None:
        """The request's origin when a post from there is accepted, else None."""
        origin = request_origin(request.headers)
        if origin is None:
            return None
        # Never the Host header: a request names its own Host, so a page on evil.example could
        # post with Host: evil.example and pass. The collector's own pages (the error page, the
        # confirmation page) post from where it is configured to be.
        if origin == site.origin or origin in self.preview_origins or origin in self._own_origins(site):
            return origin
        return None

    def _own_origins(self, site: FormSite) -> set[str]:
        own = self._own.get(site.slug)
        if own is None:  # asked on every post: worked out once per municipality
            own = self._own[site.slug] = {o for o in (origin_of(self.public_url), origin_of(site.collector_url)) if o}
        return own

    def content_security_policy(self, site: FormSite | None) -> str:
        if site is None:  # /healthz, 404s: nothing to load
            return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        if site.slug not in self._policies:
            # The pages are the site's templates: CSS, forms.js, logo and favicon come from the
            # site (or the local preview), not from the collector. Forms post to the collector,
            # which answers with a redirect to the site's thank-you page; browsers check that
            # redirect against form-action too, so the site is allowed there.
            site_origins = {site.origin, origin_of(self.site(site)), *self.preview_origins} - {None}
            own = self._own_origins(site)
            assets = " ".join(sorted(site_origins))
            posts = " ".join(["'self'", *sorted(own)])
            self._policies[site.slug] = (
                f"default-src 'none'; style-src {assets}; script-src {assets}; img-src {assets}; "
                f"connect-src {posts}; form-action {posts} {assets}; frame-ancestors 'none'; base-uri 'none'")
        return self._policies[site.slug]


def missing_public_url(site: FormSite) -> str:
    return (f"{site.municipality.source}: collector.url: is not set, and no --public-url was given (expected the "
            "collector's public URL, where residents reach it: links in its mails and pages come only from "
            "configuration, never from a request's Host header)")
