"""The unit extraction produces: one would-be record, as raw values by role."""

from __future__ import annotations

from dataclasses import dataclass, field

IDENTIFYING = ("phone", "email", "address")


@dataclass(slots=True)
class Candidate:
    values: dict[str, str] = field(default_factory=dict)
    line: int = 0  # 1-based line of the document where the row starts
    layout: str = ""  # tabular | json | sql | html | text

    @property
    def lookupable(self) -> bool:
        return not self.values.keys().isdisjoint(IDENTIFYING)


def cells_to_candidate(cells: list[tuple[str | None, str]], line: int, layout: str) -> Candidate:
    """Cells with optional header-derived roles -> a candidate; content decides the rest."""
    from matcher.extract.spans import classify_cell

    out = Candidate(line=line, layout=layout)
    leftovers: list[str] = []
    for hint, value in cells:
        value = value.strip()
        if not value:
            continue
        role = classify_cell(value)
        if hint in ("name", "order") and role in (None, "name"):
            role = hint  # names in Latin script and order text are known only by header
        elif hint and role is None and hint != "id":
            role = hint
        if role and role != "id" and role not in out.values:
            out.values[role] = value
        elif role is None:
            leftovers.append(value)
    if not out.lookupable:
        # A cell may hold several values ("김민준 010-1234-5678"): scan them as text.
        from matcher.extract.spans import find_spans

        for value in leftovers:
            for span in find_spans(value):
                out.values.setdefault(span.role, span.value)
    return out
