"""``deploy``: upload a built site (``dist/<slug>/``) to where visitors read it.

:mod:`~panelsite.deploy.plan` decides what to send (files whose content hash differs from the
destination's record, in passes: assets, downloads, pages, indexes; stale files last) and with
which headers; :mod:`~panelsite.deploy.targets` names the destinations (a folder, rsync or SSH,
S3-compatible storage) and :mod:`~panelsite.deploy.runner` carries the plan out.
"""
