"""An Atom 1.0 feed of the published results: ``resultaten/feed.xml``.

A page family (panelsite.engine.family): :func:`prepare` sets ``site.assets.feed``,
so ``base.html`` links the feed from every page and the results index shows a
visible link; :func:`add_outputs` adds it.

The feed is reproducible: its ``updated`` is the latest ``publish_on`` of the
published surveys (never the wall clock), and entry ids are URNs that stay the
same when the site moves (a preview deploy, a new domain). A municipality
without published results gets no feed.
"""

from __future__ import annotations

import datetime as _dt
from xml.sax.saxutils import escape, quoteattr

from panelsite.engine.family import SiteInputs
from panelsite.engine.site import NavItem, Site

FEED_PATH = "resultaten/feed.xml"


def load(options, inputs: SiteInputs) -> None:
    """Nothing of its own to read: the feed lists the results family's published surveys."""


def navigation() -> list[NavItem]:
    return []  # linked from every page's head and from the results index, not from the menu


def prepare(site: Site) -> None:
    """Decide before any page is planned, so every page's key covers the feed link."""
    site.assets.feed = bool(site.inputs.results.published)


def add_outputs(site: Site) -> None:
    results = site.inputs.results
    if not results.published:
        return
    site.add_file(FEED_PATH, lambda: atom_feed(site.municipality, site.base_url, results.published), results.key)


def atom_feed(municipality, base_url: str, surveys: list) -> bytes:
    """The feed document; ``surveys`` newest first (as ``Results.published``)."""
    slug = municipality.slug
    updated = max(s.publish_on for s in surveys)
    title = f"{municipality.panel_name}: resultaten"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">',
        f"  <id>urn:panelsite:{slug}:resultaten</id>",
        f"  <title>{escape(title)}</title>",
        f"  <updated>{_timestamp(updated)}</updated>",
        f"  <author><name>{escape(municipality.name)}</name></author>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(base_url + FEED_PATH)}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(base_url + 'resultaten/')}/>",
        "  <generator>panelsite</generator>",
    ]
    for survey in sorted(surveys, key=lambda s: (s.publish_on, s.id), reverse=True):
        link = f"{base_url}resultaten/{survey.id}/"
        summary = survey.summary or f"De uitkomsten van het onderzoek '{survey.title}'."
        lines += [
            "  <entry>",
            f"    <id>urn:panelsite:{slug}:resultaten:{survey.id}</id>",
            f"    <title>{escape(survey.title)}</title>",
            f"    <updated>{_timestamp(survey.publish_on)}</updated>",
            f"    <published>{_timestamp(survey.publish_on)}</published>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(link)}/>",
            f"    <category term={quoteattr(survey.theme)} label={quoteattr(survey.theme_label)}/>",
            f"    <summary>{escape(' '.join(summary.split()))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _timestamp(day: _dt.date) -> str:
    """RFC 3339, as Atom requires: the start of the publication day in UTC."""
    return f"{day.isoformat()}T00:00:00Z"
