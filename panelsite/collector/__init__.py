"""The response collector: a Starlette app the static sites' forms post to.

    app.create_app(project_root, *, database_url, secret, mail_dir, smtp, preview_origins, …) -> Starlette

Modules: ``app`` (the app and its route table), ``routes`` and ``submissions`` (the
requests), ``sites`` (the municipalities served, loaded without the build pipeline),
``service`` (what the routes share), ``urls`` (every link and origin, from configuration),
``pages`` and ``mail_texts`` (what residents read; the mail texts are templates),
``storage`` (SQLite and PostgreSQL behind one interface: all the SQL), ``security``
(signed tokens, origins, rate-limit keys), ``headers`` (security headers), ``mail`` (SMTP or
.eml files), ``export`` (responses.csv and members), ``retention`` (deleting per
privacy.retention), ``commands`` (collect, export, retention).
"""
