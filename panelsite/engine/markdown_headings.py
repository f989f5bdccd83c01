"""Heading ids and the table of contents, the same for both Markdown engines.

Every heading gets an id made from its text as a reader sees it (``wie-mag-meedoen``; a second
one with the same text ``wie-mag-meedoen_1``), and the h2 and h3 headings make the table of
contents: a nested list of ``{"level", "id", "name", "children"}`` (``name`` is HTML text).
"""

from __future__ import annotations

import html
import re
import unicodedata

TOC_LEVELS = (2, 3)


def slugify(value: str, separator: str = "-") -> str:
    """A heading id or web address part: lowercase, accents folded, hyphens (over-het-panel)."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[\s_-]+", separator, value) or "kop"


class Headings:
    """The ids used so far in one document and its h2/h3 headings, in document order."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.listed: list[dict] = []

    def add(self, level: int, text: str) -> str:
        """The id of a heading whose plain text is ``text``; h2 and h3 also go in the contents."""
        heading_id = _unique(slugify(text), self.used)
        self.used.add(heading_id)
        if level in TOC_LEVELS:
            self.listed.append({"level": level, "id": heading_id, "name": html.escape(text, quote=False)})
        return heading_id

    def toc(self) -> list[dict]:
        """h2/h3 in document order → h2 items with their h3 items as ``children``."""
        toc: list[dict] = []
        stack: list[dict] = []
        for heading in self.listed:
            item = {**heading, "children": []}
            while stack and stack[-1]["level"] >= item["level"]:
                stack.pop()
            (stack[-1]["children"] if stack else toc).append(item)
            stack.append(item)
        return toc


def _unique(value: str, used: set[str]) -> str:
    """``value``, or ``value_1``, ``value_2`` … when a heading before had the same id."""
    if value not in used:
        return value
    n = 1
    while f"{value}_{n}" in used:
        n += 1
    return f"{value}_{n}"
