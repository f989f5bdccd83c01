"""Colours from the house style: WCAG 2.1 contrast, nearest compliant shade, design tokens.

The theme never uses a colour the build has not checked. ``derive_palette``
computes every colour pair the templates use, checks its contrast ratio
(4.5:1 for text, 3:1 for focus indicators, UI components and chart series,
WCAG 2.1 SC 1.4.3 and 1.4.11) and either reports each failure with the
nearest compliant colour or, when ``brand.auto_adjust`` is on, uses that
colour and warns.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from panelsite.config.kept import kept
from panelsite.config.schema import Record
from panelsite.errors import Problem

TEXT = 4.5
NON_TEXT = 3.0
WHITE = "#ffffff"


def _channel(c: float) -> float:
    # sRGB → linear, the formula of WCAG 2.1's relative luminance definition
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, v)) * 255):02x}" for v in (r, g, b))


def luminance(hex_colour: str) -> float:
    r, g, b = (_channel(c) for c in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def nearest_compliant(colour: str, against: str, ratio: float) -> str:
    """The colour with the same hue and saturation and the closest lightness that reaches ``ratio``.

    Searching lightness in HSL keeps the shade recognisably the brand colour;
    we step outwards in both directions and take the first that passes.
    """
    if contrast(colour, against) >= ratio:
        return colour
    hue, own_lightness, saturation = colorsys.rgb_to_hls(*rgb(colour))
    for step in range(1, 1001):
        for direction in (-1, 1):
            lightness = own_lightness + direction * step / 1000
            if 0 <= lightness <= 1:
                candidate = to_hex(*colorsys.hls_to_rgb(hue, lightness, saturation))
                if contrast(candidate, against) >= ratio:
                    return candidate
    return "#000000" if contrast("#000000", against) >= ratio else WHITE


def mix(a: str, b: str, weight: float) -> str:
    """``weight`` of ``a`` mixed into ``b`` (sRGB, like CSS color-mix)."""
    ra, rb = rgb(a), rgb(b)
    return to_hex(*(x * weight + y * (1 - weight) for x, y in zip(ra, rb)))


def readable_on(background: str, *candidates: str) -> str:
    """The candidate with the highest contrast on ``background``."""
    return max(candidates, key=lambda c: contrast(c, background))


@dataclass
class Pair:
    name: str
    key: str  # the brand key that is adjusted when the pair fails
    foreground: str
    background: str
    required: float


def derive_palette(brand: Record, located, display: str, cache=None) -> tuple[Record, list[Problem], list[Problem]]:
    """All theme colours from the brand, with every used pair checked.

    Returns the palette, contrast problems (strict mode) and warnings (auto-adjust).
    ``cache``: the build cache, for the chart colours (:func:`chart_colours`).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    colours = {k: brand[k] for k in ("primary", "secondary", "text", "background")}
    colours["header"] = brand.get("header") or brand["primary"]

    def settle(pair: Pair) -> None:
        ratio = contrast(pair.foreground, pair.background)
        if ratio >= pair.required:
            return
        fixed = nearest_compliant(pair.foreground, pair.background, pair.required)
        path = f"brand.{pair.key}"
        text = (f"{pair.name}: {pair.foreground} on {pair.background} has contrast {ratio:.2f}:1, "
                f"needs {pair.required:g}:1")
        if brand.auto_adjust:
            warnings.append(located.problem(path, f"{text}; using nearest compliant colour {fixed}",
                                            severity="warning"))
            colours[pair.key] = fixed
        else:
            problems.append(located.problem(path, f"{text} (nearest compliant colour: {fixed}; "
                                                  f"or set brand.auto_adjust: true)"))

    bg = colours["background"]
    settle(Pair("body text", "text", colours["text"], bg, TEXT))
    # Links and the primary button sit on the page background.
    settle(Pair("links (primary colour)", "primary", colours["primary"], bg, TEXT))
    # Header and buttons: the header colour (brand.header, or else the primary colour as the
    # links use it) with white or dark text, whichever reads best.
    header_key = "header" if brand.get("header") else "primary"
    if header_key == "primary":
        colours["header"] = colours["primary"]
    header_fg = readable_on(colours["header"], WHITE, colours["text"])
    if contrast(header_fg, colours["header"]) < TEXT:
        settle(Pair(f"header text {header_fg} on the {header_key} colour", header_key, colours[header_key],
                    header_fg, TEXT))
        if header_key == "primary":
            colours["header"] = colours["primary"]
        header_fg = readable_on(colours["header"], WHITE, colours["text"])
    settle(Pair("accents and form borders (secondary colour)", "secondary", colours["secondary"], bg, NON_TEXT))

    primary, secondary, text = colours["primary"], colours["secondary"], colours["text"]
    surface = mix(primary, bg, 0.07)  # tinted panels (key figures, cards)
    muted = mix(text, bg, 0.8)
    if contrast(muted, surface) < TEXT:
        muted = nearest_compliant(muted, surface, TEXT)
    # Focus: a 3px outline in the text colour (or the design tokens' basis.focus.outline-color)
    # plus a background-coloured halo, visible on the page, on tinted panels and on the primary
    # header (WCAG 2.4.7, 1.4.11).
    if brand.get("focus"):
        colours["focus"] = brand["focus"]
        settle(Pair("focus outline", "focus", colours["focus"], bg, NON_TEXT))
        settle(Pair("focus outline on tinted panels", "focus", colours["focus"], surface, NON_TEXT))
    focus = colours.get("focus", text)
    focus_in_header = header_fg
    # A focused link may also get a background (basis.focus.background-color, like GOV.UK's
    # yellow) with its own text colour; without them the link keeps its colours.
    focus_background, focus_text = brand.get("focus_background"), brand.get("focus_text")
    if focus_background:
        colours["focus_text"] = focus_text or readable_on(focus_background, text, WHITE)
        settle(Pair(f"focused link text on the focus background {focus_background}", "focus_text",
                    colours["focus_text"], focus_background, TEXT))
        focus_text = colours["focus_text"]
    # Chart colours from the brand as given (a yellow darkened for links is mustard), never an
    # alert colour, colour-blind safe, 3:1 on page and surface (config.datapalette).
    categorical, sequential, labels = chart_colours(brand["primary"], brand["secondary"], bg, surface, text, cache)

    palette = Record(
        primary=primary,
        secondary=secondary,
        text=text,
        background=bg,
        header_background=colours["header"],
        header_text=header_fg,
        button_text=readable_on(primary, WHITE, text),
        surface=surface,
        muted=muted,
        link=primary,
        link_on_surface=nearest_compliant(primary, surface, TEXT),
        focus=focus,
        focus_halo=bg,
        focus_background=focus_background,  # None: a focused link keeps its own background
        focus_text=focus_text if focus_background else None,
        focus_in_header=focus_in_header,
        error="#b00020" if contrast("#b00020", bg) >= TEXT else nearest_compliant("#b00020", bg, TEXT),
        success="#1e6b30" if contrast("#1e6b30", bg) >= TEXT else nearest_compliant("#1e6b30", bg, TEXT),
        border=nearest_compliant(mix(text, bg, 0.55), bg, NON_TEXT),
        chart=list(categorical),
        chart_sequential=list(sequential),
        chart_labels=dict(labels),
    )
    return palette, problems, warnings


def chart_colours(primary: str, secondary: str, background: str, surface: str,
                  text: str, cache=None) -> tuple[tuple[str, ...], tuple[str, ...], dict]:
    """(categorical, sequential, labels) of config.datapalette for these colours, kept in the
    build cache by them (config.kept)."""
    colours = (primary, secondary, background, surface, text)

    def make() -> tuple:
        from panelsite.config.datapalette import data_palette  # ColorAide: only for colours not seen before

        data = data_palette(*colours)
        return data.categorical, data.sequential, dict(data.labels)

    return kept(cache, "palette", "\0".join(colours), make)


def checked_pairs(palette: Record) -> list[Pair]:
    """Every foreground/background pair the theme uses, for tests and the a11y report."""
    p = palette
    pairs = [
        Pair("body text", "text", p.text, p.background, TEXT),
        Pair("muted text", "text", p.muted, p.background, TEXT),
        Pair("muted text on surface", "text", p.muted, p.surface, TEXT),
        Pair("text on surface", "text", p.text, p.surface, TEXT),
        Pair("links", "primary", p.link, p.background, TEXT),
        Pair("links on surface", "primary", p.link_on_surface, p.surface, TEXT),
        Pair("header text", "primary", p.header_text, p.header_background, TEXT),
        Pair("button text", "primary", p.button_text, p.primary, TEXT),
        Pair("secondary accents", "secondary", p.secondary, p.background, NON_TEXT),
        Pair("focus outline", "text", p.focus, p.background, NON_TEXT),
        Pair("focus outline on surface", "text", p.focus, p.surface, NON_TEXT),
        Pair("focus outline in header", "primary", p.focus_in_header, p.header_background, NON_TEXT),
        Pair("form borders", "text", p.border, p.background, NON_TEXT),
        Pair("error text", "text", p.error, p.background, TEXT),
        Pair("success text", "text", p.success, p.background, TEXT),
    ]
    if p.get("focus_background"):
        pairs.append(Pair("focused link text", "focus_text", p.focus_text, p.focus_background, TEXT))
    for name, colours in (("chart series", p.chart), ("chart scale step", p.chart_sequential)):
        for i, c in enumerate(colours):
            pairs.append(Pair(f"{name} {i + 1}", "chart", c, p.background, NON_TEXT))
            pairs.append(Pair(f"{name} {i + 1} on surface", "chart", c, p.surface, NON_TEXT))
            pairs.append(Pair(f"value written on {name} {i + 1}", "chart", p.chart_labels[c], c, TEXT))
    return pairs


def tokens(brand: Record, palette: Record, basis: dict[str, str] | None = None) -> dict[str, str]:
    """CSS custom properties in NL Design System's three layers.

    Brand tokens (``--ps-brand-*``) hold the house style; common tokens
    (``--ps-basis-*``) give them roles; component tokens refer to common ones,
    so a theme can restyle one component without touching the rest. The basis tokens the
    theme shares with NL Design System keep their names (``--basis-…``): the checked colours
    and the text font here, radius, spacing, focus ring and heading font in ``basis``
    (config.tokens: from the municipality's design tokens, or the theme's defaults).
    """
    t = {
        # NL Design System basis tokens, under their own names
        "--basis-color-default-color-document": palette.text,
        "--basis-color-default-bg-document": palette.background,
        "--basis-color-action-1-color-default": palette.primary,
        "--basis-color-accent-1-color-default": palette.secondary,
        "--basis-focus-outline-color": palette.focus,
        "--basis-focus-background-color": palette.get("focus_background") or "transparent",
        "--basis-focus-color": palette.get("focus_text") or "currentColor",
        "--basis-text-font-family-default": brand.font,
        **(basis or {}),
        # brand layer
        "--ps-brand-primary": palette.primary,
        "--ps-brand-secondary": palette.secondary,
        "--ps-brand-header": palette.header_background,
        "--ps-brand-text": palette.text,
        "--ps-brand-background": palette.background,
        "--ps-brand-font-family": brand.font,
        # common (basis) layer
        "--ps-basis-color-document": "var(--ps-brand-text)",
        "--ps-basis-color-bg-document": "var(--ps-brand-background)",
        "--ps-basis-color-muted": palette.muted,
        "--ps-basis-color-surface": palette.surface,
        "--ps-basis-color-border": palette.border,
        "--ps-basis-color-accent": "var(--ps-brand-secondary)",
        "--ps-basis-color-error": palette.error,
        "--ps-basis-color-success": palette.success,
        "--ps-basis-focus-outline-color": palette.focus,
        "--ps-basis-focus-halo-color": palette.focus_halo,
        "--ps-basis-pointer-target-min-size": "48px",
        "--ps-basis-text-font-family": "var(--ps-brand-font-family)",
        # component layer
        "--ps-link-color": palette.link,
        "--ps-link-on-surface-color": palette.link_on_surface,
        "--ps-header-background-color": "var(--ps-brand-header)",
        "--ps-header-color": palette.header_text,
        "--ps-header-focus-outline-color": palette.focus_in_header,
        "--ps-button-primary-background-color": "var(--ps-brand-primary)",
        "--ps-button-primary-color": palette.button_text,
        "--ps-form-control-border-color": palette.border,
    }
    for i, colour in enumerate(palette.chart, start=1):
        t[f"--ps-chart-series-{i}-color"] = colour
        t[f"--ps-chart-series-{i}-label-color"] = palette.chart_labels[colour]
    for i, colour in enumerate(palette.chart_sequential, start=1):
        t[f"--ps-chart-step-{i}-color"] = colour
        t[f"--ps-chart-step-{i}-label-color"] = palette.chart_labels[colour]
    return t


def tokens_css(brand: Record, palette: Record, basis: dict[str, str] | None = None) -> str:
    lines = [f"  {k}: {v};" for k, v in tokens(brand, palette, basis).items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"
