"""Human-readable scan output: one table per document, redacted evidence only."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from matcher.scan import Match
from matcher.scan_files import DocumentSummary

MAX_ROWS = 50


class TableReport:
    def __init__(self, console: Console, show_all: bool = False) -> None:
        self.console = console
        self.show_all = show_all
        self._rows: dict[str, list[Match]] = {}

    def add(self, m: Match) -> None:
        self._rows.setdefault(m.document, []).append(m)

    def document(self, s: DocumentSummary) -> None:
        rows = self._rows.pop(s.document, [])
        if s.skipped:
            self.console.print(f"[dim]{s.document}: skipped ({s.skipped})[/]")
            return
        for name, c in s.corpora.items():
            colour = {"redistribution": "red", "inconclusive": "yellow"}.get(c["verdict"], "green")
            self.console.print(
                f"[bold]{s.document}[/] · {name}: [{colour}]{c['verdict']}[/] — "
                f"{c['reported']} records reported, {c['matched']} matched, "
                f"{c['expected_by_chance']} expected by chance, {s.candidates} candidate rows")
        if not rows:
            return
        table = Table("corpus", "record_id", "score", "fields", "evidence")
        for m in rows[: None if self.show_all else MAX_ROWS]:
            table.add_row(m.corpus, m.record_id, f"{m.score:.3f}", ",".join(m.fields), m.evidence)
        self.console.print(table)
        if len(rows) > MAX_ROWS and not self.show_all:
            self.console.print(f"[dim]… {len(rows) - MAX_ROWS} more (use --format jsonl)[/]")
