"""What an import did (or, with --dry-run, would do): as text for a person, as JSON for a pipeline."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import asdict, dataclass, field

PROGRESS_FROM = 10_000


@dataclass
class ImportReport:
    file: str
    tool: str
    details: dict
    rows_read: int = 0
    completes: int = 0
    partials_dropped: int = 0
    partials_kept: int = 0
    test_responses_dropped: int = 0
    completion: str = ""
    respondents: int = 0
    mapped: list[dict] = field(default_factory=list)       # {column, to, how}
    dropped: list[dict] = field(default_factory=list)      # {column, reason}
    private: list[dict] = field(default_factory=list)      # {column, to}
    unknown: list[dict] = field(default_factory=list)      # {column, reason}
    recodes: list[dict] = field(default_factory=list)      # {column, value, becomes, why, rows}
    files: list[dict] = field(default_factory=list)        # {path, what, written}
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    draft: bool = False

    def add_recodes(self, counter: Counter) -> None:
        for (column, value, becomes, why), rows in sorted(counter.items()):
            self.recodes.append({"column": column, "value": value, "becomes": becomes, "why": why, "rows": rows})

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"{'Plan for' if self.dry_run else 'Imported'} {self.file} ({self.tool}"
               + "".join(f", {k}: {v}" for k, v in self.details.items()) + ")"]
        out.append(
            f"  rows read: {self.rows_read}; completes: {self.completes}"
            + (f"; partials dropped: {self.partials_dropped}" if self.partials_dropped else "")
            + (f"; partials kept (--include-partial): {self.partials_kept}" if self.partials_kept else "")
            + (
                f"; test and preview responses dropped: {self.test_responses_dropped}"
                if self.test_responses_dropped
                else ""
            )
            + f"; respondents written: {self.respondents}"
        )
        if self.completion:
            out.append(f"  completes recognised by {self.completion}")
        out.append(f"  columns mapped: {len(self.mapped)}")
        out += [f"    {m['column']} → {m['to']} ({m['how']})" for m in self.mapped]
        if self.dropped:
            out.append(f"  columns dropped: {len(self.dropped)}")
            out += [f"    {d['column']}: {d['reason']}" for d in self.dropped]
        if self.private:
            out.append(f"  texts to the private folder (never into the repository): {len(self.private)}")
            out += [f"    {p['column']} → {p['to']}" for p in self.private]
        if self.unknown:
            out.append(f"  columns unknown, not written: {len(self.unknown)}")
            out += [f"    {u['column']}: {u['reason']}" for u in self.unknown]
        if self.recodes:
            total = sum(r["rows"] for r in self.recodes)
            out.append(f"  recodes applied: {len(self.recodes)} (in {total} cells)")
            grouped = _grouped(self.recodes)
            out += [
                f"    {column}: {values} → {becomes} ({why}, {rows} rows)"
                for column, values, becomes, why, rows in grouped[:40]
            ]
            if len(grouped) > 40:
                out.append(f"    … and {len(grouped) - 40} more (see --json)")
        for w in self.warnings:
            out.append(f"  warning: {w}")
        verb = "would write" if self.dry_run else "wrote"
        for f in self.files:
            out.append(f"  {verb} {f['path']} ({f['what']})")
        if self.dry_run:
            out.append("  --dry-run: nothing was written.")
        return out


def _grouped(recodes: list[dict]) -> list[tuple]:
    """Recodes to one line per column, result and reason: ages 19, 20 … 33 → 18-34 is one line."""
    groups: dict[tuple, list] = {}
    for r in recodes:
        groups.setdefault((r["column"], r["becomes"], r["why"]), []).append(r)
    out = []
    for (column, becomes, why), items in groups.items():
        values = [r["value"] for r in items]
        shown = (
            ", ".join(values) if len(values) <= 3 else f"{values[0]}, {values[1]} … {values[-1]} ({len(values)} values)"
        )
        out.append((column, shown, becomes, why, sum(r["rows"] for r in items)))
    return out


class Progress:
    """A progress bar on stderr for files of more than 10,000 rows (a line per quarter when not a terminal)."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.shown = -1

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled or not total or total <= PROGRESS_FROM:
            return
        share = min(done / total, 1.0)
        if self.stream.isatty():
            bar = "#" * int(share * 30)
            self.stream.write(f"\rreading {bar:<30} {done}/{total} rows")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        quarter = int(share * 4)
        if quarter > self.shown:
            self.shown = quarter
            self.stream.write(f"reading: {done} of {total} rows\n")
            self.stream.flush()
