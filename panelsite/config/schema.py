"""A small declarative schema for YAML inputs, in the spirit of MkDocs' config options.

A schema is a :class:`Mapping` of named :class:`Option` objects. ``validate``
walks the parsed YAML, fills in defaults, converts values and collects *every*
problem as ``file:line: key.path: what is wrong (expected …)`` instead of
stopping at the first one. Unknown keys are rejected with a "did you mean".

Validated mappings come back as :class:`Record` (a dict with attribute access),
which Jinja templates and Python code can both read naturally; :func:`freeze` makes
a validated document read-only (:class:`Frozen`) once it is complete.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from panelsite.config import dates
from panelsite.config.yamlfile import Located
from panelsite.errors import did_you_mean, warn

MISSING = object()


class Record(dict):
    """A dict whose keys read as attributes (``m.brand.primary``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class Frozen(Record):
    """A Record that can no longer change: validated configuration, read by every step after loading.

    What a step loads or computes lives in its own objects (panelsite.engine.family.SiteInputs),
    never in the configuration, so every reader sees what the file says.
    """

    def _read_only(self, *args, **kwargs):
        raise TypeError("validated configuration is read-only")

    __setattr__ = __setitem__ = __delitem__ = _read_only
    update = setdefault = pop = popitem = clear = __ior__ = _read_only

    def __reduce__(self):
        # pickle (a process pool) and copy rebuild a dict subclass item by item through
        # __setitem__; give them the whole mapping at once instead.
        return (Frozen, (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def freeze(value: Any) -> Any:
    """``value`` with every mapping made :class:`Frozen` and every list a tuple, all the way down."""
    if isinstance(value, dict):
        return value if isinstance(value, Frozen) else Frozen({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


class Invalid(Exception):
    """Raised by a converter with the text that follows the key path."""


class Context:
    """Where we are while validating: the located YAML and collected problems."""

    def __init__(self, located: Located, base_dir: Path | None = None):
        self.located = located
        self.base_dir = base_dir
        self.problems: list = []

    def report(self, path: str, message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def written(self, path: str) -> str | None:
        """The source text of an unquoted value YAML read as a number, true/false or date."""
        return self.located.raw.get(path)


class Option:
    """One typed key. ``help`` documents it (tests check every option has one)."""

    expected = "a value"

    # help, min and max: the words a schema reads best with (Int(min=5, help="…")), as in MkDocs
    def __init__(self, *, required: bool = False, default: Any = None, help: str = "",  # noqa: A002
                 required_unless: str | None = None):
        self.required = required
        self.default = default
        self.help = help
        # the name of a sibling key that, when given, makes this one optional (brand.primary or brand.tokens)
        self.required_unless = required_unless

    def convert(self, value: Any, path: str, ctx: Context) -> Any:
        return value

    def json_schema(self) -> dict:
        """The option as JSON Schema (draft 2020-12), for editors and ``build.py schema``.

        It refuses what ``check`` refuses as far as JSON Schema can say it; rules between keys
        (validators) and files that must exist stay the build's. A key that may be left out may
        also be empty (``tagline:``), as the build reads both as not given.
        """
        schema = self.json_type()
        if not self.required:
            schema = _nullable(schema)
        if self.help:
            schema["description"] = self.help
        default = self.default() if callable(self.default) else self.default
        if default not in (None, [], {}) and not self.required:
            schema["default"] = default.isoformat() if isinstance(default, _dt.date) else default
        return schema

    def json_type(self) -> dict:
        """The JSON Schema of a given value (``json_schema`` adds what every option shares)."""
        raise NotImplementedError(f"{type(self).__name__} has no JSON Schema")

    def check(self, value: Any, path: str, ctx: Context) -> Any:
        if value is None:
            if self.required:
                ctx.report(path, f"is required (expected {self.expected})")
                return None
            return self.default() if callable(self.default) else self.default
        try:
            return self.convert(value, path, ctx)
        except Invalid as exc:
            ctx.report(path, f"{exc} (expected {self.expected})")
            return None


def _nullable(schema: dict) -> dict:
    """``schema`` that also takes null (an empty ``key:``)."""
    if isinstance(schema.get("type"), (str, list)):
        types = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        out = {**schema, "type": [*types, "null"]}
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


def json_pattern(pattern: re.Pattern | str) -> str:
    """A Python ``fullmatch`` pattern as JSON Schema's (ECMA 262, found anywhere): anchored."""
    return f"^(?:{pattern.pattern if isinstance(pattern, re.Pattern) else pattern})$"


# YAML 1.1 reads 0701234567 as a number and No as false; a text option takes them as written.
SCALAR_TEXT = ["string", "number", "boolean"]


def _show(value: Any, written: str | None = None) -> str:
    """A value for a message; quoted as the editor wrote it when YAML changed it ("No", not False)."""
    if written is not None and written != str(value):
        value = written
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        # repr of an int beyond 4,300 digits raises ValueError; the first digits say enough.
        value = written if written is not None else f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) < 60 else text[:57] + "…"


# "9.800": a Dutch thousands separator, which YAML reads as the decimal 9.8.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")


def _whole_number_hint(text: str) -> str:
    if _THOUSANDS.fullmatch(text.strip()):
        return f"; write whole numbers without a thousands separator: {text.strip().replace('.', '')}"
    return ""


# The longest text any field takes unless its option says otherwise: a paragraph or two. A
# pasted document (a 5 MB tagline) would otherwise be published on every page.
MAX_LENGTH = 2000


class Str(Option):
    expected = "text"
    json_types: list[str] = SCALAR_TEXT  # text as written, or a value YAML read as a number or true/false

    def __init__(self, *, pattern: str | None = None, expected: str | None = None, min_length: int = 0,
                 max_length: int = MAX_LENGTH, **kw):
        super().__init__(**kw)
        self.pattern = re.compile(pattern) if pattern else None
        self.min_length = min_length
        self.max_length = max_length
        if expected:
            self.expected = expected

    def check(self, value, path, ctx):
        if isinstance(value, str) and len(value.strip()) > self.max_length:
            ctx.report(path, f"is {len(value.strip()):,} characters long (expected at most {self.max_length:,})")
            return None
        return super().check(value, path, ctx)

    def convert(self, value, path, ctx):
        if not isinstance(value, str):
            # Text as written: YAML reads 0701234567 as the octal 117782903 and No as false.
            written = ctx.written(path)
            if written is not None:
                value = written
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)  # data not parsed from YAML text: nothing was rewritten
            else:
                raise Invalid(f"{_show(value)} is not text")
        value = value.strip()
        if len(value) < self.min_length:
            raise Invalid("is empty")
        if self.pattern and not self.pattern.fullmatch(value):
            raise Invalid(f"{_show(value)} is not valid")
        return value

    def json_type(self):
        out: dict = {"type": self.json_types if len(self.json_types) > 1 else self.json_types[0]}
        if self.pattern:
            out["pattern"] = json_pattern(self.pattern)
        elif self.min_length:
            out["pattern"] = r"\S"  # not only spaces: the build strips them
        if self.min_length:
            out["minLength"] = self.min_length
        return out


# The largest number a field takes unless its option says otherwise: beyond any count or amount
# a panel has, and far below where formatting a figure for a page (decimal's 28 digits) fails.
MAX_NUMBER = 1_000_000_000


class Int(Option):
    expected = "a whole number"

    def __init__(self, *, min: int | None = None, max: int | None = None, **kw):  # noqa: A002 - see Option
        super().__init__(**kw)
        self.min, self.max = min, max
        if min is not None and max is not None:
            self.expected = f"a whole number from {min} to {max}"
        elif min is not None:
            self.expected = f"a whole number of at least {min}"

    def convert(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, int):
            written = ctx.written(path)
            hint = _whole_number_hint(written if written is not None else str(value))
            raise Invalid(f"{_show(value, written)} is not a whole number{hint}")
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise Invalid(f"{_show(value, ctx.written(path))} is out of range")
        _bounded(value, self.max, path, ctx)
        return value

    json_kind = "integer"

    def json_type(self):
        out: dict = {"type": self.json_kind}
        if self.min is not None:
            out["minimum"] = self.min
        if self.max is not None:
            out["maximum"] = self.max
        return out


def _bounded(value: int | float, max_: int | float | None, path, ctx) -> None:
    """Refuse a number beyond ±MAX_NUMBER where the option sets no max of its own."""
    if max_ is None and abs(value) > MAX_NUMBER:
        raise Invalid(f"{_show(value, ctx.written(path))} is beyond {MAX_NUMBER:,} either way, more than any "
                      "panel counts")


class Float(Int):
    expected = "a number"
    json_kind = "number"

    def convert(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{_show(value, ctx.written(path))} is not a number")
        if not math.isfinite(value):  # YAML's .inf and .nan
            raise Invalid(f"{_show(value, ctx.written(path))} is not a finite number")
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise Invalid(f"{_show(value, ctx.written(path))} is out of range")
        _bounded(value, self.max, path, ctx)
        return float(value)


class Bool(Option):
    expected = "true or false"

    def convert(self, value, path, ctx):
        if not isinstance(value, bool):
            raise Invalid(f"{_show(value, ctx.written(path))} is not true or false")
        return value

    def json_type(self):
        return {"type": "boolean"}


class Choice(Option):
    def __init__(self, choices, **kw):
        super().__init__(**kw)
        self.choices = list(choices)
        self.expected = "one of " + ", ".join(str(c) for c in self.choices)

    def convert(self, value, path, ctx):
        if value not in self.choices:
            shown = ctx.written(path) or str(value)
            raise Invalid(f"{_show(value, shown)} is not allowed{did_you_mean(shown, map(str, self.choices))}")
        return value

    def json_type(self):
        return {"enum": list(self.choices)}


class Date(Option):
    """A date; on a demonstration site moved with the build date (config.dates)."""

    expected = "a date like 2026-03-31"

    def convert(self, value, path, ctx):
        if isinstance(value, _dt.datetime):
            return dates.moved(value.date())
        if isinstance(value, _dt.date):
            return dates.moved(value)
        if isinstance(value, str):
            try:
                return dates.moved(_dt.date.fromisoformat(value.strip()))
            except ValueError:
                pass
        raise Invalid(f"{_show(value, ctx.written(path))} is not a date")

    def json_type(self):
        # JSON has no dates: an editor sees 2026-03-31 as text
        return {"type": "string", "format": "date", "pattern": r"^\s*\d{4}-\d{2}-\d{2}\s*$"}


class Url(Option):
    expected = "an absolute http(s) URL like https://panel.example.nl/"

    def convert(self, value, path, ctx):
        if not isinstance(value, str):
            raise Invalid(f"{_show(value, ctx.written(path))} is not a URL")
        if len(value.strip()) > MAX_LENGTH:
            raise Invalid(f"is {len(value.strip()):,} characters long, longer than a URL can be")
        parsed = urlparse(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value.strip():
            raise Invalid(f"{_show(value)} is not a valid URL")
        value = value.strip()
        return value if value.endswith("/") else value + "/"

    def json_type(self):
        return {"type": "string", "format": "uri", "pattern": r"^\s*https?://[^\s/?#]+[^\s]*\s*$"}


class Email(Str):
    """An address through the one strict parser (config/email_address.py), as the forms check residents'."""

    expected = "an e-mail address like panel@gemeente.nl"
    json_types = ["string"]

    def json_type(self):
        return {"type": "string", "format": "email", "pattern": r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"}

    def convert(self, value, path, ctx):
        from panelsite.config import email_address

        text = super().convert(value, path, ctx)
        try:
            return email_address.parse(text)
        except email_address.InvalidAddress:
            raise Invalid(f"{_show(text)} is not valid") from None


class Color(Str):
    expected = "a hex colour like #1a5f8e"
    json_types = ["string"]

    def __init__(self, **kw):
        super().__init__(pattern=r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", **kw)

    def convert(self, value, path, ctx):
        value = super().convert(value, path, ctx)
        if len(value) == 4:
            value = "#" + "".join(c * 2 for c in value[1:])
        return value.lower()


class FilePath(Str):
    """A file relative to ``ctx.base_dir`` that must exist."""

    expected = "a path to an existing file"
    json_types = ["string"]

    def __init__(self, *, suffixes: tuple[str, ...] = (), **kw):
        super().__init__(**kw)
        self.suffixes = suffixes
        if suffixes:
            self.expected = f"a path to an existing {'/'.join(s.lstrip('.') for s in suffixes)} file"

    def convert(self, value, path, ctx):
        value = super().convert(value, path, ctx)
        if self.suffixes and Path(value).suffix.lower() not in self.suffixes:
            raise Invalid(f'"{value}" has the wrong file type')
        if ctx.base_dir is not None and not (ctx.base_dir / value).is_file():
            raise Invalid(f'file "{value}" does not exist')
        return value

    def json_type(self):
        out = super().json_type()
        if self.suffixes:  # the build compares suffixes in lowercase: .SVG is an svg
            either = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in s)
                              for s in self.suffixes)
            out["pattern"] = rf"^\s*\S.*(?:{either})\s*$"
        return out


class ImageFile(FilePath):
    """A :class:`FilePath` whose bytes must be an image of its file type: a text file named
    logo.png would otherwise be published as the logo (and break the PDF factsheets)."""

    def convert(self, value, path, ctx):
        value = super().convert(value, path, ctx)
        if ctx.base_dir is not None:
            why = image_problem(ctx.base_dir / value)
            if why:
                raise Invalid(f'"{value}" {why}')
        return value


# What Pillow calls each raster file type a logo or favicon may have.
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".ico": "ICO"}
SVG = "{http://www.w3.org/2000/svg}svg"


def _active_svg_content(root) -> str | None:
    """The first script in an SVG: a <script> or <foreignObject> element, an on… event attribute
    or a javascript: link; None when there is none."""
    for element in root.iter():
        name = str(element.tag).rpartition("}")[2]
        if name in ("script", "foreignObject"):
            return f"a <{name}> element"
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                return f'an {local}="…" attribute on <{name}>'
            if local == "href" and value.strip().lower().startswith("javascript:"):
                return f"a javascript: link on <{name}>"
    return None


def image_problem(file: Path) -> str | None:
    """Why ``file`` is not an image of the type its suffix names, or None when it is one.

    SVG is read as XML (the root must be an ``<svg>`` of the SVG namespace); raster images
    with Pillow, which checks that the whole file is there, not only its header.
    """
    suffix = file.suffix.lower()
    if suffix == ".svg":
        import xml.etree.ElementTree as ET  # expat refuses entity expansion bombs itself

        try:
            root = ET.parse(file).getroot()
        except ET.ParseError as exc:
            return f"is not an SVG image: not XML ({exc})"
        if root.tag != SVG:
            return f"is not an SVG image: its root element is <{root.tag.rpartition('}')[2]}> (expected <svg> with " \
                   'xmlns="http://www.w3.org/2000/svg")'
        active = _active_svg_content(root)
        if active:
            # Published under the site's address, the file would run it when opened by itself.
            return f"is an SVG image with {active}, which runs code (expected a plain image: save it again without)"
        return None
    if suffix not in IMAGE_FORMATS:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            found = image.format
            image.verify()
    except Image.DecompressionBombError:  # its header claims hundreds of millions of pixels
        return "is too large an image to read safely (expected a logo or icon of at most a few thousand pixels wide)"
    except UnidentifiedImageError:
        kind = IMAGE_FORMATS[suffix]
        return f"is not {'an' if kind[0] in 'AEIOU' else 'a'} {kind} image: the image library cannot read it"
    except (OSError, SyntaxError, ValueError) as exc:  # a header without the rest: cut off, or damaged
        return f"is not a whole {IMAGE_FORMATS[suffix]} image: {str(exc).replace(str(file), file.name)[:80]}"
    if found != IMAGE_FORMATS[suffix]:
        return f"is a {found} image with a {suffix} name (expected the file type its name says)"
    return None


class ListOf(Option):
    def __init__(self, item: Option, *, min_items: int = 0, **kw):
        kw.setdefault("default", list)
        super().__init__(**kw)
        self.item = item
        self.min_items = min_items
        self.expected = f"a list of {item.expected}"

    def convert(self, value, path, ctx):
        if not isinstance(value, list):
            raise Invalid(f"{_show(value)} is not a list")
        if len(value) < self.min_items:
            raise Invalid(f"has {len(value)} items, needs at least {self.min_items}")
        return [self.item.check(v, f"{path}.{i}", ctx) for i, v in enumerate(value)]

    def json_type(self):
        out: dict = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        return out


class DictOf(Option):
    """A mapping with free keys (e.g. population categories) and typed values."""

    def __init__(self, value: Option, *, key: Callable[[Any], Any] | None = None, min_items: int = 0, **kw):
        kw.setdefault("default", dict)
        super().__init__(**kw)
        self.value = value
        self.key = key
        self.min_items = min_items
        self.expected = f"a mapping of {value.expected}"

    def convert(self, value, path, ctx):
        if not isinstance(value, dict):
            raise Invalid(f"{_show(value)} is not a mapping")
        if len(value) < self.min_items:
            raise Invalid(f"has {len(value)} entries, needs at least {self.min_items}")
        return Record({k: self.value.check(v, f"{path}.{k}", ctx) for k, v in value.items()})

    def json_type(self):
        out: dict = {"type": "object", "additionalProperties": self.value.json_schema()}
        if self.min_items:
            out["minProperties"] = self.min_items
        return out


class Mapping(Option):
    """A fixed set of keys, each an Option; unknown keys are errors.

    ``removed`` names keys that were options once, with the reason they went: such a key is
    a warning and is ignored, so a file written for an earlier version still builds.
    """

    expected = "a mapping"

    def __init__(self, options: dict[str, Option], *, validator: Callable | None = None,
                 removed: dict[str, str] | None = None, **kw):
        kw.setdefault("default", None)
        super().__init__(**kw)
        self.options = options
        self.validator = validator
        self.removed = removed or {}

    def check(self, value, path, ctx):
        if value is None and not self.required:
            value = {}
        return super().check(value, path, ctx)

    def convert(self, value, path, ctx):
        if not isinstance(value, dict):
            raise Invalid(f"{_show(value)} is not a mapping")
        out = Record()
        for key in value:
            if key not in self.options:
                child = f"{path}.{key}" if path else key
                if key in self.removed:
                    warn(ctx.located.problem(child, f"is no longer an option and is ignored: {self.removed[key]} "
                                                    "(remove the line)"))
                else:
                    ctx.report(child, f"unknown key{did_you_mean(key, self.options)}")
        for name, option in self.options.items():
            child = f"{path}.{name}" if path else name
            other = option.required_unless
            if other and value.get(name) is None:
                if value.get(other) is None:
                    ctx.report(child, f"is required unless {other} is given (expected {option.expected})")
                out[name] = option.default() if callable(option.default) else option.default
                continue
            out[name] = option.check(value.get(name), child, ctx)
        if self.validator is not None:
            self.validator(out, path, ctx)
        return out

    def json_type(self):
        properties = {name: option.json_schema() for name, option in self.options.items()}
        for name, reason in self.removed.items():
            message = f"No longer an option and ignored: {reason} (remove the line)."
            properties[name] = {"deprecated": True, "description": message, "deprecationMessage": message}
        out: dict = {"type": "object", "properties": properties, "additionalProperties": False}
        required = [name for name, option in self.options.items() if option.required]
        if required:
            out["required"] = required
        either = [{"anyOf": [{"required": [name]}, {"required": [option.required_unless]}]}
                  for name, option in self.options.items() if option.required_unless]
        if either:
            out["allOf"] = either
        return out


def validate(schema: Mapping, located: Located, base_dir: Path | None = None) -> tuple[Record, list]:
    """Validate a whole document; returns the converted record and all problems."""
    ctx = Context(located, base_dir)
    data = located.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        ctx.report("", f"the file must hold a mapping of keys, not {type(data).__name__}")
        return Record(), ctx.problems
    record = schema.check(data, "", ctx)
    return record or Record(), ctx.problems
