"""The unit extraction produces: one would-be record, as raw values by role."""

from __future__ import annotations

from dataclasses import dataclass, field

IDENTIFYING = ("phone", "email", "address")
NAME_ROLES = ("name", "surname", "given")
ORDER_ROLES = ("order", "order_date")
HINT_ONLY = ("name", "order", "surname", "given", "order_date")  # known by header, not content


def lookupable_roles(roles: object) -> bool:
    """An identifier, or a name with an order (name + recent order item and date)."""
    keys = set(roles)  # type: ignore[call-overload]
    return not keys.isdisjoint(IDENTIFYING) or (
        not keys.isdisjoint(NAME_ROLES) and not keys.isdisjoint(ORDER_ROLES))


@dataclass(slots=True)
class Candidate:
    values: dict[str, str] = field(default_factory=dict)
    line: int = 0  # 1-based line of the document where the row starts
    layout: str = ""  # tabular | json | sql | html | text

    @property
    def lookupable(self) -> bool:
        return lookupable_roles(self.values)


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
        if hint in HINT_ONLY and role in (None, "name"):
            role = hint  # Latin names, name pieces and orders are known only by header
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
