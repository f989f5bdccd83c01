"""The factsheet as an e-mail: HTML that mail clients render, and its plain-text alternative.

Mail clients drop ``<style>`` blocks and external stylesheets, so every element
carries its own ``style``; layout is one centred table (``role="presentation"``)
of at most 600px; no images, so the message reads the same with images off.
Colours come from the municipality's checked palette (``m.palette``).
"""

from __future__ import annotations

import re
import textwrap
from html import unescape

from markupsafe import Markup

from panelsite.factsheets.figures import ROOT_LINK


def styles(palette, font: str) -> dict[str, str]:
    """Inline styles per element of the e-mail (also for the Markdown body)."""
    font = font.replace('"', "'")  # the style sits in a double-quoted attribute
    text = f"color:{palette.text};font-family:{font};"
    return {
        "h1": text + "font-size:26px;line-height:1.25;margin:0 0 12px;",
        "h2": text + "font-size:20px;line-height:1.3;margin:28px 0 8px;",
        "h3": text + "font-size:17px;line-height:1.3;margin:20px 0 6px;",
        "p": text + "font-size:16px;line-height:1.5;margin:0 0 14px;",
        "ul": text + "font-size:16px;line-height:1.5;margin:0 0 14px;padding-left:24px;",
        "ol": text + "font-size:16px;line-height:1.5;margin:0 0 14px;padding-left:24px;",
        "li": "margin:0 0 6px;",
        "a": f"color:{palette.link};text-decoration:underline;",
        "strong": "font-weight:700;",
        "muted": f"color:{palette.muted};font-family:{font};font-size:14px;line-height:1.5;margin:0 0 8px;",
    }


TAG = re.compile(r"<(h1|h2|h3|p|ul|ol|li|a|strong)(\s[^>]*)?>")


def inline_styles(html: str, style: dict[str, str]) -> Markup:
    """Give each element of a Markdown fragment its inline style.

    A body heading keeps its level, as on the web page and in the PDF ("## Afval scheiden" is a
    section beside "De belangrijkste cijfers", not inside it); only an h1 becomes an h2, the
    mail's title being its one h1.
    """
    html = re.sub(r"<(/?)h1([\s>])", r"<\1h2\2", html)

    def add(m):
        attrs = m.group(2) or ""
        attrs = re.sub(r'\s(id|class)="[^"]*"', "", attrs)
        return f'<{m.group(1)}{attrs} style="{style[m.group(1)]}">'

    return Markup(TAG.sub(add, html))


def absolute_links(html: str, base_url: str) -> str:
    """Site-root links of the body ("/resultaten/x/") as absolute URLs: an e-mail has no site around it."""
    return ROOT_LINK.sub(lambda m: f'{m.group(1)}="{base_url}{m.group(2)}{m.group(3)}"', html)


MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def markdown_to_text(markdown: str, base_url: str, width: int = 72) -> str:
    """Plain text from the Markdown body: headings underlined, links as "text (URL)", lines wrapped."""
    def link(m):
        target = m.group(2)
        if target.startswith("/"):
            target = base_url + target.lstrip("/")
        return f"{m.group(1)} ({target})"

    out = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = MD_LINK.sub(link, block.strip())
        block = re.sub(r"(\*\*|__)(.+?)\1", r"\2", block)
        heading = re.match(r"#{1,6}\s+(.*)", block)
        if heading:
            title = heading.group(1).strip()
            out.append(f"{title}\n{'-' * len(title)}")
        elif re.match(r"[-*]\s", block):
            items = re.split(r"\n[-*]\s+", "\n" + block)[1:]
            out.append("\n".join(wrap(i.strip(), width, indent="- ") for i in items))
        else:
            out.append(wrap(unescape(" ".join(block.split())), width))
    return "\n\n".join(out)


def wrap(text: str, width: int = 72, indent: str = "") -> str:
    """Lines of at most ``width``; a web address is never split, or it no longer works when
    clicked or pasted (it may stand longer on a line of its own)."""
    return textwrap.fill(" ".join(str(text).split()), width, initial_indent=indent,
                         subsequent_indent=" " * len(indent), break_long_words=False, break_on_hyphens=False)
