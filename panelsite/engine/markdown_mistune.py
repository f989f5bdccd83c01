"""The complete Markdown engine: mistune with its table, footnote, definition list and
abbreviation plugins (what Python-Markdown's "extra" gave the pages before), and what the pages
add, written as parts of mistune's renderer (on its tokens, not over the finished HTML).

It is used for a text with a definition list or an abbreviation, which cmark-gfm does not read;
the rest goes through the fast engine (markdown_cmark), which gives the same document.
"""

from __future__ import annotations

import html as _html

import mistune
from mistune.plugins.abbr import abbr
from mistune.plugins.def_list import def_list
from mistune.plugins.footnotes import footnotes
from mistune.plugins.table import table
from mistune.util import escape, safe_entity, striptags

from panelsite.engine.markdown_headings import Headings


def render(text: str) -> tuple[str, Headings]:
    """The HTML of a Markdown text, and its headings."""
    html, state = _MARKDOWN.parse(text, state=None)
    return html, state.env.get("headings") or Headings()


class _Renderer(mistune.HTMLRenderer):
    """mistune's HTML, with heading ids, Dutch footnotes and scrollable tables; void
    elements written as HTML (``<br>``, not ``<br />``)."""

    def render_token(self, token: dict, state) -> str:
        kind = token["type"]
        if kind == "heading":
            return self._heading(token, state)
        if kind == "table":
            return self._table(token, state)
        if kind == "footnote_ref":
            return self._footnote_ref(token, state)
        return super().render_token(token, state)

    def _heading(self, token: dict, state) -> str:
        level = token["attrs"]["level"]
        inner = self.render_tokens(token["children"], state)
        headings = state.env.setdefault("headings", Headings())  # env is shared by quotes, lists, footnotes
        heading_id = headings.add(level, _plain(token["children"]))
        return f'<h{level} id="{self.escape_attribute(heading_id)}">{inner}</h{level}>\n'

    def _table(self, token: dict, state) -> str:
        head = next((t for t in token["children"] if t["type"] == "table_head"), None)
        headers = [_plain(cell["children"]) for cell in (head["children"] if head else [])]
        label = "Tabel: " + ", ".join(h for h in headers if h) if any(headers) else "Tabel"
        return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
                f'<table>\n{self.render_tokens(token["children"], state)}</table></div>\n')

    def _footnote_ref(self, token: dict, state) -> str:
        key = _label(token["raw"])
        index = token["attrs"]["index"]
        # A second reference to the same note gets an id of its own (ids are unique on a page).
        seen = state.env.setdefault("footnote_refs", {})
        seen[key] = seen.get(key, 0) + 1
        ref_id = f"fnref:{key}" if seen[key] == 1 else f"fnref{seen[key]}:{key}"
        return (f'<sup id="{ref_id}"><a class="footnote-ref" href="#fn:{key}" '
                f'aria-label="Voetnoot {index}">{index}</a></sup>')

    def footnotes(self, text: str) -> str:
        return f'<div class="footnote">\n<hr>\n<ol>\n{text}</ol>\n</div>\n'

    def footnote_item(self, text: str, key: str, index: int) -> str:
        key = _label(key)
        # Words give the link a name and a target bigger than an arrow (hidden from screen readers).
        back = (f'&#160;<a class="footnote-backref" href="#fnref:{key}" title="Terug naar voetnoot {index} in de '
                f'tekst"><span aria-hidden="true">↩</span> Terug naar de tekst</a>')
        text = text.rstrip()
        text = text[:-4] + back + "</p>" if text.endswith("</p>") else text + "\n<p>" + back + "</p>"
        return f'<li id="fn:{key}">\n{text}\n</li>\n'

    def text(self, text: str) -> str:
        return escape(_html.unescape(text), quote=False) if "&" in text else escape(text, quote=False)

    def table_cell(self, text: str, align: str | None = None, head: bool = False) -> str:
        tag = "th" if head else "td"
        style = f' style="text-align: {align};"' if align else ""
        return f"<{tag}{style}>{text}</{tag}>\n"

    def table_head(self, text: str) -> str:
        return "<thead>\n<tr>\n" + text + "</tr>\n</thead>\n"

    def table_body(self, text: str) -> str:
        return "<tbody>\n" + text + "</tbody>\n"

    def table_row(self, text: str) -> str:
        return "<tr>\n" + text + "</tr>\n"

    def image(self, text: str, url: str, title: str | None = None) -> str:
        title = f' title="{safe_entity(title)}"' if title else ""
        return f'<img src="{self.safe_url(url)}" alt="{escape(striptags(text))}"{title}>'

    def linebreak(self) -> str:
        return "<br>\n"

    def thematic_break(self) -> str:
        return "<hr>\n"


def _plain(tokens: list[dict]) -> str:
    """The text of inline tokens as a reader sees it: no markup, no raw HTML, no footnote numbers."""
    parts: list[str] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            kind = token["type"]
            if kind in ("footnote_ref", "inline_html"):
                continue
            if kind == "image":
                continue  # as the fast engine: an image's alt text is not part of the heading's words
            if "children" in token:
                walk(token["children"])
            elif kind in ("text", "codespan"):
                parts.append(_html.unescape(token["raw"]) if kind == "text" else token["raw"])
            elif kind in ("softbreak", "linebreak"):
                parts.append(" ")

    walk(tokens)
    return " ".join("".join(parts).split())


def _label(key: str) -> str:
    """A footnote's label as an id part (mistune keeps labels in upper case), safe in an attribute."""
    return escape(key.lower().replace(" ", "-"))


_MARKDOWN = mistune.Markdown(renderer=_Renderer(escape=False), plugins=[table, footnotes, def_list, abbr])
