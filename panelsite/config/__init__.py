"""Configuration: the YAML reader with line numbers, the declarative schema, the
municipality file (``municipalities/<slug>.yaml``) and the house style (brand)."""
