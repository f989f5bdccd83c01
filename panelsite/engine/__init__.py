"""The build engine: content pages, the site plan, rendering, PDFs, writing, and the
pipeline that runs them (load and validate → plan → render → write)."""
