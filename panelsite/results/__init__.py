"""The results page family: results index and pages, charts, open data and the feed."""
