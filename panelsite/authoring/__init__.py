"""Tools for editors: the live preview (``serve``), scaffolding (``new``) and the B1
readability check."""
