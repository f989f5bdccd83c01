"""A municipality's house style from its design tokens: ``brand.tokens`` names a JSON file.

NL Design System themes publish their tokens as JSON in the Design Tokens Community Group
format (DTCG: ``{"$value": …, "$type": …}``), as Style Dictionary reads and writes it, or in the
older Style Dictionary shape (``{"value": …}``). A file may also be a Tokens Studio export: token
sets side by side under ``$metadata.tokenSetOrder``, merged in that order, where the sets of
another colour scheme (``color-scheme-dark/…``) are left out as the NL Design System themes'
own build leaves them out.

Only the basis tokens the theme uses are read (:data:`COLOURS`, :data:`FONTS`,
:data:`PROPERTIES`); their aliases (``{basis.color.accent-1.color-default}``) are resolved
through the whole file. Colours become brand colours and go through
:func:`panelsite.config.brand.derive_palette`, the same contrast checks as colours written in
the YAML; a failing pair is reported at the token (file, line, token path) through
:class:`Locator`. The other tokens become CSS custom properties under their NL Design System
names (``--basis-border-radius-md``), checked for what CSS accepts.

A key written in the municipality's YAML wins over the token for the same role: the file gives
the house style, the YAML may change one colour of it for the panel site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panelsite.config import brand as brand_mod
from panelsite.config.schema import Record
from panelsite.errors import Problem, did_you_mean

# brand key (as brand.derive_palette reads it) ← basis token
COLOURS = {
    "text": "basis.color.default.color-document",
    "background": "basis.color.default.bg-document",
    "primary": "basis.color.action-1.color-default",
    "secondary": "basis.color.accent-1.color-default",
    "focus": "basis.focus.outline-color",
    "focus_background": "basis.focus.background-color",
    "focus_text": "basis.focus.color",
}
# brand key ← basis token: the text font is brand.font (pages, PDF, e-mail)
FONTS = {"font": "basis.text.font-family.default"}

SPACE_STEPS = {"sm": "0.25rem", "md": "0.5rem", "lg": "0.75rem", "xl": "1rem", "2xl": "1.25rem", "3xl": "1.5rem",
               "4xl": "2rem"}

# basis token → its value without a token file: what the theme looked like before it read tokens.
# Each becomes the custom property of the token's own name (basis.border-radius.md →
# --basis-border-radius-md), which the theme's stylesheets use.
PROPERTIES: dict[str, str] = {
    "basis.heading.font-family": "var(--basis-text-font-family-default)",
    "basis.border-radius.sm": "2px",
    "basis.border-radius.md": "4px",
    "basis.focus.outline-width": "3px",
    "basis.focus.outline-offset": "2px",
    "basis.focus.outline-style": "solid",
    **{f"basis.space.{axis}.{step}": size for axis in ("block", "inline", "row", "column")
       for step, size in SPACE_STEPS.items()},
}

OUTLINE_STYLES = ("solid", "dashed", "dotted", "double")
MIN_OUTLINE_WIDTH_PX = 2  # a thinner focus ring is hard to see (WCAG 2.2 SC 2.4.13 asks for 2px)
ROOT_FONT_PX = 16
GENERIC_FONTS = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif", "ui-sans-serif",
                 "ui-monospace", "ui-rounded", "emoji", "math", "fangsong", "-apple-system", "blinkmacsystemfont"}
FONT_NAME = re.compile(r"[\w .\-]+")
LENGTH = re.compile(r"(-?(?:\d+\.?\d*|\.\d+))(px|rem|em)?")
ALIAS = re.compile(r"\{([^{}]+)\}")


def css_name(token_path: str) -> str:
    """The custom property name/kebab of Style Dictionary gives (basis.space.block.md → --basis-space-block-md)."""
    return "--" + token_path.replace(".", "-")


def default_properties() -> dict[str, str]:
    """The theme's custom properties of :data:`PROPERTIES` when the municipality has no token file."""
    return {css_name(path): value for path, value in PROPERTIES.items()}


@dataclass(frozen=True)
class Raw:
    """One token as the file has it: its value (aliases unresolved), DTCG type and JSON pointer."""

    value: Any
    type: str | None
    pointer: str  # e.g. /common/basis/color/default/color-document/$value


@dataclass
class DesignTokens:
    """The tokens a municipality's theme takes from its token file, checked and resolved."""

    file: str  # as the user sees it, for messages
    text: str = field(repr=False)  # the JSON, for line numbers when a problem is reported
    colours: dict[str, str] = field(default_factory=dict)  # brand key → #rrggbb
    fonts: dict[str, str] = field(default_factory=dict)  # brand key → CSS font stack
    properties: dict[str, str] = field(default_factory=dict)  # --basis-… → CSS value (only those in the file)
    origin: dict[str, tuple[str, str]] = field(default_factory=dict)  # brand key / property → (token path, pointer)
    _lines: dict | None = field(default=None, repr=False)

    def line(self, pointer: str) -> int | None:
        """The line of a JSON pointer (json-source-map, computed when a problem needs it)."""
        if self._lines is None:
            from json_source_map import calculate

            self._lines = calculate(self.text)
        entry = self._lines.get(pointer)
        return entry.value_start.line + 1 if entry else None

    def problem(self, token_path: str, pointer: str, message: str, severity: str = "error") -> Problem:
        return Problem(self.file, message, line=self.line(pointer), key=token_path, severity=severity)


def read(path: Path, display: str) -> tuple[DesignTokens | None, list[Problem]]:
    """The basis tokens of one token file, with every problem found in it."""
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from panelsite.errors import not_utf8

        return None, [not_utf8(display, raw_bytes, exc)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(display, f"not valid JSON: {exc.msg} at column {exc.colno} (expected a design-token "
                                       "file in the DTCG / Style Dictionary JSON format)", line=exc.lineno)]
    if not isinstance(data, dict):
        return None, [Problem(display, "the file must hold an object of token groups (expected a design-token file "
                                       "in the DTCG / Style Dictionary JSON format)", line=1)]
    design = DesignTokens(display, text)
    flat = _flatten_file(data)
    if not any(path.startswith("basis.") for path in flat):
        return None, [Problem(display, "has no basis tokens (expected NL Design System tokens like "
                                       "basis.color.default.color-document)", line=1)]
    problems: list[Problem] = []
    resolver = _Resolver(flat, design, problems)
    for key, token_path in COLOURS.items():
        if token_path in flat:
            colour = resolver.colour(token_path)
            if colour:
                design.colours[key] = colour
                design.origin[key] = (token_path, flat[token_path].pointer)
    for key, token_path in FONTS.items():
        if token_path in flat:
            stack = resolver.font(token_path)
            if stack:
                design.fonts[key] = stack
                design.origin[key] = (token_path, flat[token_path].pointer)
    for token_path in PROPERTIES:
        if token_path not in flat:
            continue
        if token_path.endswith("font-family"):
            value = resolver.font(token_path)
        elif token_path.endswith("outline-style"):
            value = resolver.outline_style(token_path)
        else:
            value = resolver.length(token_path, minimum_px=MIN_OUTLINE_WIDTH_PX
                                    if token_path.endswith("outline-width") else 0)
        if value:
            design.properties[css_name(token_path)] = value
            design.origin[css_name(token_path)] = (token_path, flat[token_path].pointer)
    return (None if problems else design), problems


def brand_with_tokens(brand: Record, written: dict, design: DesignTokens) -> Record:
    """The brand the site uses: what the YAML writes, else the token, else the schema's default.

    ``written`` is the brand mapping as the YAML has it (before defaults), so a default
    (text #1a1a1a) does not hide a token while a colour the editor wrote wins over it.
    """
    out = Record(brand)
    for key, value in {**design.colours, **design.fonts}.items():
        if written.get(key) is None:
            out[key] = value
    return out


class Locator:
    """Where derive_palette's problem about ``brand.<key>`` belongs: the token it came from, or the YAML.

    It stands in for the municipality's Located, which is all derive_palette asks of it.
    """

    def __init__(self, located, design: DesignTokens, from_tokens: set[str]):
        self.located, self.design, self.from_tokens = located, design, from_tokens

    def problem(self, path: str, message: str, severity: str = "error") -> Problem:
        key = path.removeprefix("brand.")
        if key == "focus_text" and key not in self.from_tokens:
            key = "focus_background"  # the text colour was chosen for that background
        if key in self.from_tokens:
            token_path, pointer = self.design.origin[key]
            message = message.replace("or set brand.auto_adjust: true",
                                      f"or set brand.auto_adjust: true, or brand.{key} in {self.located.file}")
            return self.design.problem(token_path, pointer, message, severity)
        return self.located.problem(path, message, severity)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _flatten_file(data: dict) -> dict[str, Raw]:
    """Token path → Raw for every token; a Tokens Studio file's sets merged in their order."""
    metadata = data.get("$metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("tokenSetOrder"), list):
        flat: dict[str, Raw] = {}
        for name in _token_sets(data, metadata["tokenSetOrder"]):
            if isinstance(data.get(name), dict):
                flat.update(_flatten(data[name], [], None, "/" + _escape(name)))
        return flat
    return _flatten(data, [], None, "")


def _token_sets(data: dict, order: list) -> list[str]:
    """The sets that make the default theme: the first of ``$themes`` when it names any, else every set
    in order; never another colour scheme's (as the NL Design System themes build their CSS)."""
    themes = data.get("$themes")
    names = [n for n in order if isinstance(n, str)]
    if isinstance(themes, list) and themes and isinstance(themes[0], dict):
        selected = themes[0].get("selectedTokenSets") or {}
        if isinstance(selected, dict) and selected:
            names = [n for n in names if selected.get(n) in ("enabled", "source")]
    return [n for n in names if not n.startswith("color-scheme-")]


def _is_token(node: dict) -> bool:
    if "$value" in node:
        return True
    # the older Style Dictionary shape: {"value": …} beside type/comment/attributes, no child groups
    return "value" in node and not any(isinstance(v, dict) and ("value" in v or "$value" in v)
                                       for k, v in node.items() if k != "value")


def _flatten(node: dict, path: list[str], inherited: str | None, pointer: str) -> dict[str, Raw]:
    out: dict[str, Raw] = {}
    group_type = node.get("$type", inherited) if isinstance(node.get("$type", inherited), str) else inherited
    for name, child in node.items():
        if not isinstance(child, dict) or name.startswith("$"):
            continue
        child_pointer = f"{pointer}/{_escape(name)}"
        if _is_token(child):
            key = "$value" if "$value" in child else "value"
            token_type = child.get("$type", child.get("type", group_type))
            out[".".join([*path, name])] = Raw(child[key], token_type if isinstance(token_type, str) else None,
                                              f"{child_pointer}/{key}")
        else:
            out.update(_flatten(child, [*path, name], group_type, child_pointer))
    return out


class _Resolver:
    """Resolves aliases and checks the value of each token the theme reads."""

    def __init__(self, flat: dict[str, Raw], design: DesignTokens, problems: list[Problem]):
        self.flat, self.design, self.problems = flat, design, problems

    def report(self, token_path: str, message: str) -> None:
        self.problems.append(self.design.problem(token_path, self.flat[token_path].pointer, message))

    def value(self, token_path: str, seen: tuple[str, ...] = ()) -> Any:
        """The token's value with its aliases resolved; None (reported) when one cannot be."""
        if token_path in seen:
            chain = " → ".join((*seen, token_path))
            self.report(seen[0], f"its aliases go round in a circle ({chain}) (expected an alias that ends at a value)")
            return None
        raw = self.flat[token_path].value
        return self._resolve(raw, token_path, (*seen, token_path))

    def _resolve(self, raw: Any, token_path: str, seen: tuple[str, ...]) -> Any:
        if isinstance(raw, str):
            whole = ALIAS.fullmatch(raw.strip())
            if whole:
                return self._target(whole.group(1), token_path, seen)
            if ALIAS.search(raw):
                parts = []
                for piece in re.split(r"(\{[^{}]+\})", raw):
                    match = ALIAS.fullmatch(piece)
                    target = self._target(match.group(1), token_path, seen) if match else piece
                    if target is None:
                        return None
                    parts.append(str(target))
                return "".join(parts)
            return raw
        if isinstance(raw, dict):
            out = {}
            for k, v in raw.items():
                out[k] = self._resolve(v, token_path, seen)
                if out[k] is None and v is not None:
                    return None
            return out
        if isinstance(raw, list):
            items = [self._resolve(v, token_path, seen) for v in raw]
            return None if any(i is None for i in items) else items
        return raw

    def _target(self, alias: str, token_path: str, seen: tuple[str, ...]) -> Any:
        if alias not in self.flat:
            used_by = f" (used by {seen[0]})" if seen[0] != token_path else ""
            self.report(token_path, f"the alias {{{alias}}} names no token in this file{used_by}"
                                    f"{did_you_mean(alias, self.flat)} (expected the path of a token, like "
                                    "{basis.color.accent-1.color-default})")
            return None
        return self.value(alias, seen)

    def colour(self, token_path: str) -> str | None:
        value = self.value(token_path)
        if value is None:
            return None
        parsed = _parse_colour(value)
        if isinstance(parsed, str) and parsed.startswith("#"):
            return parsed
        self.report(token_path, f"{_show(value)} {parsed or 'is not a colour'} (expected an opaque colour like "
                                "#1a5f8e, rgb(26 95 142) or a DTCG colour object)")
        return None

    def font(self, token_path: str) -> str | None:
        value = self.value(token_path)
        if value is None:
            return None
        names = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else None
        names = [str(n).strip().strip("'\"").strip() for n in names or []]
        if not names or any(not n or not FONT_NAME.fullmatch(n) for n in names):
            self.report(token_path, f"{_show(value)} is not a list of font names (expected names like "
                                    '"Noto Sans, sans-serif" or ["Noto Sans", "sans-serif"])')
            return None
        return ", ".join(n if n.lower() in GENERIC_FONTS else f'"{n}"' for n in names)

    def outline_style(self, token_path: str) -> str | None:
        value = self.value(token_path)
        if value is None:
            return None
        if value not in OUTLINE_STYLES:
            self.report(token_path, f"{_show(value)} is not a visible outline style (expected one of "
                                    f"{', '.join(OUTLINE_STYLES)})")
            return None
        return value

    def length(self, token_path: str, minimum_px: float = 0) -> str | None:
        value = self.value(token_path)
        if value is None:
            return None
        css, px = _length(value)
        if css is None:
            self.report(token_path, f"{_show(value)} is not a length (expected a length like 8px or 0.5rem)")
            return None
        if px < minimum_px:
            self.report(token_path, f"{css} is too thin to see (expected at least {minimum_px}px)")
            return None
        if px < 0:
            self.report(token_path, f"{css} is negative (expected a length of 0 or more)")
            return None
        return css


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) < 60 else text[:57] + "…"


def _length(value: Any) -> tuple[str | None, float]:
    """A DTCG dimension (``"8px"``, ``{"value": 8, "unit": "px"}``, Tokens Studio's bare 8) as CSS, and in px."""
    if isinstance(value, dict) and set(value) >= {"value", "unit"}:
        value = f"{value['value']}{value['unit']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value}px"
    if not isinstance(value, str):
        return None, 0
    match = LENGTH.fullmatch(value.strip())
    if not match:
        return None, 0
    number, unit = float(match.group(1)), match.group(2)
    if unit is None and number != 0:
        unit = "px"  # Tokens Studio writes pixels without a unit
    css = f"{match.group(1)}{unit or ''}"
    return css, number * (ROOT_FONT_PX if unit in ("rem", "em") else 1)


def _parse_colour(value: Any) -> str | None:
    """``#rrggbb`` for an opaque colour; else why not (a sentence after the value), or None."""
    from tinycss2 import color4

    if isinstance(value, dict):  # DTCG 2025: {"colorSpace": "srgb", "components": [r, g, b], "alpha": 1, "hex": …}
        alpha = value.get("alpha", 1)
        if isinstance(value.get("hex"), str):
            text = value["hex"]
        elif isinstance(value.get("colorSpace"), str) and isinstance(value.get("components"), list):
            components = " ".join(str(c) for c in value["components"])
            space = value["colorSpace"]
            text = f"{space}({components})" if space in ("hsl", "hwb", "lab", "lch", "oklab", "oklch") \
                else f"color({space} {components})"
        else:
            return None
        if alpha != 1:
            return "has transparency, so its contrast cannot be checked"
        value = text
    if not isinstance(value, str):
        return None
    parsed = color4.parse_color(value.strip())
    if parsed is None or parsed == "currentcolor":
        return None
    if parsed.alpha < 1:
        return "has transparency, so its contrast cannot be checked"
    srgb = parsed.to("srgb")
    return brand_mod.to_hex(*srgb.coordinates)
