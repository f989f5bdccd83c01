"""The response collector: a Starlette app the static sites' forms post to.

    create_app(project_root, *, database_url, secret, mail_dir, smtp, preview_origins, …) -> Starlette
    main(args) -> int          # panelsite collect | export | retention

Modules: ``app`` (routes and submission handling), ``storage`` (SQLite and
PostgreSQL behind one interface), ``security`` (signed tokens, origins, rate-limit
keys), ``mail`` (SMTP or .eml files), ``export`` (responses.csv and members),
``retention`` (deleting per privacy.retention), ``cli``.
"""

from .app import create_app
from .cli import main

__all__ = ["create_app", "main", "serve"]


def serve(args: list[str]) -> int:
    """``panelsite collect …`` with the arguments after "collect"."""
    return main(["collect", *args])
