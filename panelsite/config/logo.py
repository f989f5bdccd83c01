"""The logo in the header: its size, with the file's own aspect ratio, and its contrast.

A wide wordmark forced into a square is squashed, and a logo in the header's own colour
vanishes. ``read_logo`` reads a logo's natural size and the colours it paints, with the
share of the drawing each covers:

* SVG: the ``width``/``height`` or ``viewBox`` of the root, and the ``fill`` and ``stroke``
  of every shape (attributes, ``style``, inherited from groups), each weighted by the area
  of its bounding box (a stroke by its length times its width). Colours set by a
  stylesheet or a gradient are not seen; a logo whose colours cannot be read is not judged.
* PNG, JPEG, WebP: the pixels (Pillow), each opaque pixel (alpha of 128 or more) counting
  once, colours grouped into steps of 8 per channel.

``contrast_problem`` then asks how much of the drawing reaches 3:1 against the header's
background (WCAG 2.1 SC 1.4.11 for graphics): under ``VANISHES`` of it, the logo would
disappear (an error); under ``WEAK``, much of it blends in (a warning).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NON_TEXT = 3.0
VANISHES = 0.10  # share of the drawing at 3:1 or more below which the logo disappears (error)
WEAK = 0.50  # below this, most of the logo blends into the header (warning)
MAX_HEIGHT = 48  # CSS px in the header
MAX_WIDTH = 200


@dataclass(frozen=True)
class Logo:
    file: Path
    width: float  # natural size, CSS px
    height: float
    colours: dict  # "#rrggbb" → share of the painted drawing (0–1); empty when unknown

    @property
    def ratio(self) -> float:
        return self.width / self.height

    def display_size(self, max_width: int = MAX_WIDTH, max_height: int = MAX_HEIGHT) -> tuple[int, int]:
        """Width and height in the header: as large as fits in the box, in the file's proportions."""
        scale = min(max_width / self.width, max_height / self.height)
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))


class LogoError(ValueError):
    """The file is not an image we can read (the message says what is wrong)."""


def read_logo(file: Path) -> Logo:
    if file.suffix.lower() == ".svg":
        return _read_svg(file)
    return _read_raster(file)


def share_readable(logo: Logo, background: str) -> float:
    """The share of the logo's drawing that stands out from ``background`` by 3:1 or more."""
    from coloraide import Color  # a tenth of a second: only when a logo is judged (config.kept)

    return sum(share for colour, share in logo.colours.items()
               if Color(colour).contrast(background, method="wcag21") >= NON_TEXT)


def contrast_problem(logo: Logo, background: str) -> tuple[str, str] | None:
    """``("error" | "warning", what is wrong)`` when the logo blends into ``background``."""
    if not logo.colours:
        return None
    share = share_readable(logo, background)
    if share >= WEAK:
        return None
    dominant = max(logo.colours, key=logo.colours.get)
    from coloraide import Color

    ratio = Color(dominant).contrast(background, method="wcag21")
    said = (f"{_percent(share)} of the logo reaches 3:1 against the header colour {background} "
            f"(its main colour {dominant} has {ratio:.2f}:1)")
    return ("error" if share < VANISHES else "warning"), said


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


# --------------------------------------------------------------------------- raster


def _read_raster(file: Path) -> Logo:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            width, height = image.size
            small = image.convert("RGBA")
            small.thumbnail((96, 96))
            pixels = list(getattr(small, "get_flattened_data", small.getdata)())  # getdata goes in Pillow 14
    except (UnidentifiedImageError, OSError) as exc:
        raise LogoError(f"is not an image Pillow can read ({exc})") from None
    counts: dict[str, int] = {}
    for r, g, b, a in pixels:
        if a >= 128:
            key = "#" + "".join(f"{min(255, (v // 8) * 8 + 4):02x}" for v in (r, g, b))
            counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    return Logo(file, float(width), float(height), {c: n / total for c, n in counts.items()} if total else {})


# --------------------------------------------------------------------------- SVG

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*(px)?\s*$")
_SHAPES = {"rect", "circle", "ellipse", "path", "polygon", "polyline", "line", "text"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_svg(file: Path) -> Logo:
    try:
        root = ET.fromstring(file.read_bytes())
    except ET.ParseError as exc:
        raise LogoError(f"is not a readable SVG file ({exc})") from None
    if _local(root.tag) != "svg":
        raise LogoError("is not an SVG file (expected an <svg> root element)")
    box = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    width, height = _length(root.get("width")), _length(root.get("height"))
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width and not height:
            height = width * box[3] / box[2]
        elif height and not width:
            width = height * box[2] / box[3]
        elif not width and not height:
            width, height = box[2], box[3]
    if not width or not height:
        raise LogoError("has no size (expected a viewBox, or width and height, on its <svg> element)")
    areas: dict[str, float] = {}
    _paint(root, {"fill": "#000000", "stroke": None, "stroke-width": "1"}, areas)
    total = sum(areas.values())
    return Logo(file, width, height, {c: a / total for c, a in areas.items()} if total else {})


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


def _style(element) -> dict:
    out = {k: element.get(k) for k in ("fill", "stroke", "stroke-width", "opacity", "fill-opacity",
                                      "stroke-opacity", "display", "visibility") if element.get(k) is not None}
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = (s.strip() for s in part.split(":", 1))
            out[key] = value
    return out


def _paint(element, inherited: dict, areas: dict) -> None:
    tag = _local(element.tag)
    if tag in ("defs", "clipPath", "mask", "symbol", "title", "desc", "metadata", "style", "linearGradient",
               "radialGradient", "pattern", "filter"):
        return
    style = {**inherited, **_style(element)}
    if style.get("display") == "none" or style.get("visibility") == "hidden" or _opacity(style.get("opacity")) == 0:
        return
    if tag in _SHAPES:
        box = _bbox(tag, element)
        if box:
            w, h = box
            fill = _colour(style.get("fill"), style.get("fill-opacity"))
            stroke = _colour(style.get("stroke"), style.get("stroke-opacity"))
            if fill and tag not in ("line", "polyline"):
                areas[fill] = areas.get(fill, 0.0) + _area(tag, w, h)
            if stroke:
                width = _length(style.get("stroke-width")) or 1.0
                areas[stroke] = areas.get(stroke, 0.0) + _perimeter(tag, w, h) * width
    for child in element:
        _paint(child, {k: v for k, v in style.items() if k not in ("opacity", "display")}, areas)


def _opacity(value) -> float:
    try:
        return float(value) if value is not None else 1.0
    except ValueError:
        return 1.0


def _colour(value: str | None, opacity) -> str | None:
    if not value or value in ("none", "transparent", "currentColor", "inherit") or value.startswith("url("):
        return None
    from coloraide import Color

    try:
        colour = Color(value)
    except ValueError:
        return None
    if colour.alpha() * _opacity(opacity) < 0.5:
        return None
    return colour.convert("srgb").fit("srgb").to_string(hex=True, alpha=False)


def _attr(element, name: str) -> float:
    match = _NUMBER.search(element.get(name) or "")
    return float(match.group()) if match else 0.0


def _bbox(tag: str, e) -> tuple[float, float] | None:
    if tag == "rect":
        return _attr(e, "width"), _attr(e, "height")
    if tag == "circle":
        return 2 * _attr(e, "r"), 2 * _attr(e, "r")
    if tag == "ellipse":
        return 2 * _attr(e, "rx"), 2 * _attr(e, "ry")
    if tag == "line":
        return abs(_attr(e, "x2") - _attr(e, "x1")), abs(_attr(e, "y2") - _attr(e, "y1"))
    if tag in ("polygon", "polyline"):
        points = [float(v) for v in _NUMBER.findall(e.get("points") or "")]
        return _extent(list(zip(points[::2], points[1::2])))
    if tag == "path":
        return _extent(_path_points(e.get("d") or ""))
    if tag == "text":
        size = _length(e.get("font-size")) or 16.0
        return size * 0.6 * len((e.text or "").strip()), size
    return None


def _area(tag: str, w: float, h: float) -> float:
    return math.pi * w * h / 4 if tag in ("circle", "ellipse") else w * h


def _perimeter(tag: str, w: float, h: float) -> float:
    if tag in ("line", "polyline", "path"):
        return max(w, h) + min(w, h) / 2  # an open line is about as long as its extent
    return math.pi * (w + h) / 2 if tag in ("circle", "ellipse") else 2 * (w + h)


def _extent(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return max(xs) - min(xs), max(ys) - min(ys)


_COMMAND = re.compile(r"([MmLlHhVvCcSsQqTtAaZz])([^MmLlHhVvCcSsQqTtAaZz]*)")
_ARITY = {"M": 2, "L": 2, "T": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "A": 7, "Z": 0}


def _path_points(d: str) -> list[tuple[float, float]]:
    """The end and control points of a path (absolute): enough for its bounding box."""
    points: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    for command, args in _COMMAND.findall(d):
        upper, relative = command.upper(), command.islower()
        numbers = [float(v) for v in _NUMBER.findall(args)]
        arity = _ARITY[upper]
        if arity == 0:
            x, y = start_x, start_y
            continue
        for i in range(0, len(numbers) - arity + 1, arity):
            chunk = numbers[i:i + arity]
            if upper == "H":
                x = x + chunk[0] if relative else chunk[0]
            elif upper == "V":
                y = y + chunk[0] if relative else chunk[0]
            elif upper == "A":
                x, y = (x + chunk[5], y + chunk[6]) if relative else (chunk[5], chunk[6])
            else:
                pairs = list(zip(chunk[::2], chunk[1::2]))
                ox, oy = (x, y) if relative else (0.0, 0.0)
                points.extend((ox + px, oy + py) for px, py in pairs[:-1])
                x, y = ox + pairs[-1][0], oy + pairs[-1][1]
            points.append((x, y))
            if upper == "M" and i == 0:
                start_x, start_y = x, y
    return points
