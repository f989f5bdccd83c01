"""Editing in the browser: a Decap CMS configuration made from the inputs' JSON Schemas.

Communications staff edit pages, factsheets, measures, surveys and municipality settings in a
form instead of Markdown and YAML in git. The form's fields come from the JSON Schemas of
:mod:`panelsite.authoring.schemas` (which come from the build's own schemas), so a key, its help
text, its type, its choices and its range are said once, in the build.

``serve`` serves the CMS at ``/_cms/`` with Decap's local backend (``decap-server`` from npm,
writing into the project folder), so a saved entry rebuilds the page at once; Decap's JavaScript
comes from ``node_modules/decap-cms`` (no CDN). ``build.py cms`` writes the same admin folder
for a production backend (git-gateway or GitHub; docs/authoring.md).

What a Decap widget cannot hold is left out of the form and kept as written (Decap keeps keys it
has no field for): mappings with free keys (population figures, answer codes, recodes) and a
value that is either one code or a list of codes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from panelsite.authoring import children, schemas
from panelsite.config.yamlfile import parse_bytes

PATH = "/_cms/"  # never a municipality's address: slugs have no underscore
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where package.json and node_modules are
DECAP_DIST = Path("node_modules") / "decap-cms" / "dist"
DECAP_SERVER = Path("node_modules") / "decap-server" / "dist" / "index.js"
SCRIPT = "decap-cms.js"

PATTERN_MESSAGE = "Deze waarde heeft niet de goede vorm: zie de uitleg onder het veld."

ADMIN_PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Inhoud bewerken – panelsite</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
<script src="decap-cms.js"></script>
</body>
</html>
"""


def tools_root() -> Path:
    """The folder whose node_modules holds Decap: the project's own, else panelsite's checkout."""
    cwd = Path.cwd()
    return cwd if (cwd / DECAP_DIST / SCRIPT).is_file() else PROJECT_ROOT


def decap_dist() -> Path | None:
    folder = tools_root() / DECAP_DIST
    return folder if (folder / SCRIPT).is_file() else None


# --------------------------------------------------------------------------
# fields from JSON Schema


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _without_null(node: dict) -> tuple[dict, bool]:
    """``node`` without the null an optional key takes (``key:``), and whether it took one."""
    if "anyOf" in node and {"type": "null"} in node["anyOf"]:
        rest = [n for n in node["anyOf"] if n != {"type": "null"}]
        inner = {**rest[0], **{k: v for k, v in node.items() if k != "anyOf"}} if len(rest) == 1 else \
            {**node, "anyOf": rest}
        return inner, True
    out = dict(node)
    nullable = False
    if isinstance(out.get("type"), list) and "null" in out["type"]:
        out["type"] = [t for t in out["type"] if t != "null"]
        out["type"] = out["type"][0] if len(out["type"]) == 1 else out["type"]
        nullable = True
    if "enum" in out and None in out["enum"]:
        out["enum"] = [v for v in out["enum"] if v is not None]
        nullable = True
    return out, nullable


def field(name: str, node: dict, required: bool) -> dict | None:
    """The Decap field of one key, or None when no widget can hold it (it is then kept as written)."""
    node, _ = _without_null(node)
    if node.get("deprecated"):
        return None
    out: dict = {"name": name, "label": _label(name), "required": required}
    if node.get("description"):
        out["hint"] = node["description"]
    kind = node.get("type")
    if "enum" in node:
        out.update(widget="select", options=list(node["enum"]))
    elif kind == "object":
        if node.get("additionalProperties") not in (None, False):
            return None  # free keys: no Decap widget
        fields = object_fields(node, given=required)
        if not fields:
            return None
        out.update(widget="object", collapsed=True, fields=fields)
    elif kind == "array":
        items, _ = _without_null(node.get("items", {}))
        if items.get("type") == "object":
            fields = object_fields(items)
            if not fields or items.get("additionalProperties") not in (None, False):
                return None
            out.update(widget="list", collapsed=True, fields=fields)
            names = [f["name"] for f in fields]
            shown = next((n for n in ("title", "label", "name", "id") if n in names), names[0])
            out["summary"] = "{{fields.%s}}" % shown
        else:
            inner = field(name, items, True)
            if inner is None:
                return None
            out.update(widget="list", field={**inner, "label": _label(name)})
        if node.get("minItems"):
            out["min"] = node["minItems"]
    elif kind in ("integer", "number"):
        out.update(widget="number", value_type="int" if kind == "integer" else "float")
        for key, decap in (("minimum", "min"), ("maximum", "max")):
            if key in node:
                out[decap] = node[key]
    elif kind == "boolean":
        out["widget"] = "boolean"
    elif node.get("format") == "date":
        out.update(widget="datetime", format="YYYY-MM-DD", date_format="YYYY-MM-DD", time_format=False,
                   picker_utc=True)
    elif kind == "string" or (isinstance(kind, list) and "string" in kind):
        out["widget"] = "string"
        if node.get("pattern"):
            out["pattern"] = [node["pattern"], PATTERN_MESSAGE]
    else:
        return None  # one code or a list of codes (anyOf): kept as written
    if "default" in node and out["widget"] != "datetime":
        out["default"] = node["default"]
    return out


def object_fields(node: dict, given: bool = True) -> list[dict]:
    """The fields of an object's keys. Of an object that may be left out (``given`` false) no key
    is required in the form: Decap would demand them while the object is absent (``mail.dkim``
    unset yet "Selector is vereist"); the build still requires them once it is given."""
    required = set(node.get("required", []))
    fields = [field(name, child, given and name in required) for name, child in node.get("properties", {}).items()]
    fields = [f for f in fields if f is not None]
    if not given:
        for f in fields:
            if f["name"] in required:
                f["hint"] = f"Required when this part is given. {f.get('hint', '')}".strip()
    return fields


def input_fields(name: str, keep=None, drop=()) -> list[dict]:
    """The fields of one input (``keep``: only these keys; ``drop``: not these)."""
    item = next(i for i in schemas.INPUTS if i.name == name)
    fields = object_fields(schemas.document(item))
    return [f for f in fields if (keep is None or f["name"] in keep) and f["name"] not in drop]


# Markdown as written: Decap's rich-text mode writes the text anew and escapes what Jinja needs
# ({{ pct("q1", [4, 5]) }} became {{ pct("q1", \[4, 5]) }}, a template error), so it is not offered.
BODY = {"name": "body", "label": "Tekst", "widget": "markdown", "modes": ["raw"],
        "hint": "Markdown. {{ site.name }}, {{ pct(\"q1\", [4, 5]) }} and the like are filled in by the build."}
MEASURE_KEYS = ("measures", "follow_up")


# --------------------------------------------------------------------------
# collections from the project's files


@dataclass(frozen=True)
class Survey:
    slug: str
    survey_id: str
    folder: Path  # relative to the project root
    title: str


def _read_title(path: Path, key: str, fallback: str) -> str:
    try:
        raw = path.read_bytes()
        if path.suffix == ".md":
            from panelsite.engine.content import split_front_matter

            data = split_front_matter(raw, str(path), required="")[0].data
        else:
            data = parse_bytes(raw, str(path)).data
        value = (data or {}).get(key)
        return str(value).strip() if value else fallback
    except Exception:  # noqa: BLE001 - a label only; the build reports the file's problems
        return fallback


def municipalities(root: Path) -> dict[str, str]:
    """slug → name of every municipality file."""
    return {p.stem: _read_title(p, "name", p.stem) for p in sorted((root / "municipalities").glob("*.yaml"))}


def surveys(root: Path) -> list[Survey]:
    found = []
    for path in sorted((root / "content").glob("*/surveys/*/survey.yaml")):
        folder = path.parent.relative_to(root)
        found.append(Survey(folder.parts[1], folder.parts[3], folder, _read_title(path, "title", folder.parts[3])))
    return found


def config(root: Path, backend: dict, site_url: str | None = None) -> dict:
    """The Decap configuration of the project at ``root`` with ``backend``."""
    names = municipalities(root)
    found = surveys(root)
    page_fields = [*input_fields("page"), BODY]
    collections = []
    for folder, label in [("_shared", "alle gemeenten"), *((slug, names[slug]) for slug in names)]:
        if not (root / "content" / folder).is_dir():
            continue
        collections.append({
            "name": f"pages-{folder.strip('_')}", "label": f"Pagina's – {label}", "label_singular": "Pagina",
            "folder": f"content/{folder}", "extension": "md", "format": "frontmatter", "create": True,
            "slug": "{{slug}}", "identifier_field": "title", "summary": "{{title}}", "fields": page_fields,
            "editor": {"preview": False},
        })

    def survey_label(survey: Survey) -> str:
        return f"{names.get(survey.slug, survey.slug)}: {survey.title}"

    with_factsheet = [s for s in found if (root / s.folder / "factsheet.md").is_file()]
    collections += [
        {"name": "factsheets", "label": "Factsheets", "label_singular": "Factsheet", "format": "frontmatter",
         "editor": {"preview": False},
         "files": [{"name": f"{s.slug}-{s.survey_id}", "label": survey_label(s),
                    "file": f"{s.folder.as_posix()}/factsheet.md",
                    "fields": [*input_fields("factsheet", drop=MEASURE_KEYS), BODY]} for s in with_factsheet]},
        {"name": "measures", "label": "Maatregelen", "label_singular": "Maatregelen", "format": "frontmatter",
         "editor": {"preview": False},
         "files": [{"name": f"{s.slug}-{s.survey_id}", "label": survey_label(s),
                    "file": f"{s.folder.as_posix()}/factsheet.md",
                    "fields": input_fields("factsheet", keep=MEASURE_KEYS)} for s in with_factsheet]},
        {"name": "surveys", "label": "Peilingen", "label_singular": "Peiling", "format": "yaml",
         "editor": {"preview": False},
         "files": [{"name": f"{s.slug}-{s.survey_id}", "label": survey_label(s),
                    "file": f"{s.folder.as_posix()}/survey.yaml", "fields": input_fields("survey")} for s in found]},
        {"name": "municipalities", "label": "Instellingen gemeente", "label_singular": "Instellingen",
         "format": "yaml", "editor": {"preview": False},
         "files": [{"name": slug, "label": name, "file": f"municipalities/{slug}.yaml",
                    "fields": input_fields("municipality")} for slug, name in names.items()]},
    ]
    collections = [c for c in collections if c.get("folder") or c["files"]]  # Decap refuses an empty one
    out = {"backend": backend, "locale": "nl", "media_folder": "municipalities/assets",
           "public_folder": "assets", "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
           "collections": collections}
    if site_url:
        out["site_url"] = site_url
        out["display_url"] = site_url
    return out


def config_yaml(root: Path, backend: dict, site_url: str | None = None) -> str:
    import yaml

    class Plain(yaml.SafeDumper):  # each collection spelled out, no &anchors and *aliases
        def ignore_aliases(self, data):
            return True

    return ("# Made by panelsite from the inputs' schemas (python build.py cms); do not edit by hand.\n"
            + yaml.dump(config(root, backend, site_url), Dumper=Plain, allow_unicode=True, sort_keys=False,
                        width=120))


def local_backend(proxy_url: str) -> dict:
    """Decap's proxy backend: ``decap-server`` writes straight into the project folder."""
    return {"name": "proxy", "proxy_url": proxy_url, "branch": "main"}


def production_backend(name: str, repo: str | None, branch: str, auth_url: str | None = None) -> dict:
    """git-gateway (Netlify Identity) or GitHub; ``auth_url``: the OAuth server staff log in
    through when the site is not on Netlify (Decap's ``base_url``)."""
    backend = {"name": "github", "repo": repo, "branch": branch} if name == "github" else \
        {"name": "git-gateway", "branch": branch}
    if auth_url:
        backend["base_url"] = auth_url.rstrip("/")
    return backend


def write_admin(out: Path, root: Path, backend: dict, site_url: str | None = None) -> list[Path]:
    """An admin folder to deploy: index.html, config.yml and Decap's files from node_modules."""
    dist = decap_dist()
    if dist is None:
        from panelsite.errors import BuildError, Problem

        raise BuildError(Problem(str(DECAP_DIST), "Decap CMS is not installed; run npm ci (bash scripts/install.sh)"))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(dist.iterdir()):
        if source.is_file() and not source.name.endswith(".map") and not source.name.startswith("cms."):
            shutil.copy2(source, out / source.name)
            written.append(out / source.name)
    (out / "index.html").write_text(ADMIN_PAGE, encoding="utf-8")
    (out / "config.yml").write_text(config_yaml(root, backend, site_url), encoding="utf-8")
    return [*written, out / "index.html", out / "config.yml"]


# --------------------------------------------------------------------------
# the local backend beside serve

PROXY_START_SECONDS = 30


def start_proxy(root: Path, host: str, port: int, origin: str) -> subprocess.Popen | None:
    """``decap-server`` (fs mode) on ``host:port`` writing into ``root`` for the CMS page at
    ``origin``; None (with a warning) when node or the package is missing or it does not start.

    It writes files for whoever asks, so it never listens on every interface (a preview served
    to the network with ``--host 0.0.0.0`` keeps its CMS to this machine), and off the loopback
    it answers the preview's own origin only (its default: any page on localhost)."""
    server = tools_root() / DECAP_SERVER
    node = shutil.which("node")
    if node is None or not server.is_file() or decap_dist() is None:
        print("warning: Decap CMS is not installed (run npm ci); serving without the CMS at "
              f"{PATH}", file=sys.stderr, flush=True)
        return None
    from panelsite.authoring.preview import _port_taken

    bind = proxy_host(host)
    # Another run's decap-server on this port would answer, and save into its own project.
    busy = _port_taken(bind, port)
    if busy:
        print(f"error: cannot start the CMS backend (decap-server) on {bind}:{port} ({busy}); try --cms-port or "
              "--no-cms. Serving without the CMS", file=sys.stderr, flush=True)
        return None
    env = {**os.environ, "PORT": str(port), "BIND_HOST": bind, "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(root.resolve()), "LOG_LEVEL": "warn"}
    if bind not in ("127.0.0.1", "::1"):
        env["ORIGIN"] = origin
    host = bind
    process = subprocess.Popen([node, str(server)], cwd=root, env=env, stdout=subprocess.DEVNULL)
    if not _answers(process, host, port, time.monotonic() + PROXY_START_SECONDS):
        code = process.poll()
        children.stop(process)
        why = f"it stopped with exit code {code}" if code is not None else "it did not answer"
        print(f"error: cannot start the CMS backend (decap-server) on {host}:{port} ({why}); try --cms-port or "
              "--no-cms. Serving without the CMS", file=sys.stderr, flush=True)
        return None
    return process


def proxy_host(host: str) -> str:
    """Where decap-server listens for a preview on ``host``: this machine only, for a wildcard."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::", "localhost") else host


def proxy_url(host: str, port: int) -> str:
    bind = proxy_host(host)
    return f"http://{f'[{bind}]' if ':' in bind else bind}:{port}/api/v1"


def _answers(process: subprocess.Popen, host: str, port: int, deadline: float) -> bool:
    import json
    import urllib.request

    request = urllib.request.Request(proxy_url(host, port),
                                     data=json.dumps({"action": "info"}).encode(),
                                     headers={"Content-Type": "application/json"})
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.load(response).get("type") == "local_fs"
        except (OSError, ValueError):
            time.sleep(0.1)
    return False
