"""The response collector: a Starlette app the static sites' forms post to.

    app.create_app(project_root, *, database_url, secret, mail_dir, smtp, preview_origins, …) -> Starlette

Modules: ``app`` (routes and submission handling), ``storage`` (SQLite and
PostgreSQL behind one interface), ``security`` (signed tokens, origins, rate-limit
keys), ``mail`` (SMTP or .eml files), ``export`` (responses.csv and members),
``retention`` (deleting per privacy.retention), ``commands`` (collect, export, retention).
"""
