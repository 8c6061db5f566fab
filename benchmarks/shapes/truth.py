"""Which customers a leaked row's *visible* evidence fits — the basis of fair ground truth.

A row is written from one customer (or a non-customer, for decoys) and then damaged:
columns dropped, characters masked, the address rewritten in lot form. What stays visible is
recorded as a ``Clue``; ``Fitter.fits`` lists every corpus record consistent with it, read
loosely (a mask hides any number of characters in an e-mail head, a lot address without the
road↔lot table only tells province, district, legal dong, complex name and unit). Loose
reading errs towards "several customers fit": a row is then unattributable and costs a
monitor nothing, never a recall point it could not have earned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .people import Person


@dataclass(frozen=True)
class Clue:
    """What a reader can see of one row. ``None`` = the field is absent or unreadable."""

    name: tuple[str | None, ...] | None = None  # syllables, None where masked
    name_len_known: bool = True  # False when a mask may stand for several syllables
    phone: tuple[str | None, ...] | None = None  # digits, None where masked
    email_head: str | None = None  # visible start of the local part ("" if all masked)
    email_full: bool = False  # True: email_head is the whole local part
    email_domain: str | None = None
    road: tuple | None = None  # (sido, sigungu, road, bno, bsub)
    lot: tuple | None = None  # (sido, sigungu, dong, lno, lsub)
    complex: str | None = None  # building/complex name when written
    unit: str | None = None  # "101동 1203호" when written
    district: tuple | None = None  # (sido, sigungu) when only that is written
    order: tuple | None = None  # (item, iso date)


def clue_name(name: str) -> tuple[str, ...]:
    return tuple(name)


def _name_ok(c: Clue, p: Person) -> bool:
    if c.name is None:
        return True
    full = p.name
    if c.name_len_known:
        return len(full) == len(c.name) and all(
            v is None or v == ch for v, ch in zip(c.name, full, strict=True))
    head = []
    for v in c.name:
        if v is None:
            break
        head.append(v)
    return full.startswith("".join(head))


def _phone_ok(c: Clue, p: Person) -> bool:
    if c.phone is None:
        return True
    return len(p.phone) == len(c.phone) and all(
        v is None or v == ch for v, ch in zip(c.phone, p.phone, strict=True))


def _email_ok(c: Clue, p: Person) -> bool:
    if c.email_domain is None:
        return True
    local, _, domain = p.email.partition("@")
    if domain != c.email_domain:
        return False
    if c.email_full:
        return local == c.email_head
    return local.startswith(c.email_head or "")


def _address_ok(c: Clue, p: Person, table: bool) -> bool:
    b = p.addr.bld
    if c.road is not None and c.road != (b.sido, b.sigungu, b.road, b.bno, b.bsub):
        return False
    if c.lot is not None:
        if table:
            if c.lot != (b.sido, b.sigungu, b.dong, b.lno, b.lsub):
                return False
        elif c.lot[:3] != (b.sido, b.sigungu, b.dong):
            return False
    if c.district is not None and c.district != (b.sido, b.sigungu):
        return False
    if c.complex is not None and c.complex != b.complex:
        return False
    return c.unit is None or c.unit == p.addr.unit


class Fitter:
    """Inverted lists over the corpus so each clue is checked against a short candidate list."""

    def __init__(self, people: list[Person]) -> None:
        self.n = len(people)
        self.idx: dict[tuple, list[Person]] = defaultdict(list)
        for p in people:
            b = p.addr.bld
            for key in (("phone", p.phone), ("last4", p.phone[-4:]), ("mid4", p.phone[-8:-4]),
                        ("email", p.email), ("dom2", p.email.split("@")[1], p.email[:2]),
                        ("dom", p.email.split("@")[1]), ("name", p.name),
                        ("first_last", p.name[0], p.name[-1], len(p.name)),
                        ("bld", b.sido, b.sigungu, b.road, b.bno, b.bsub),
                        ("dong", b.sido, b.sigungu, b.dong), ("district", b.sido, b.sigungu),
                        ("order", p.item, p.odate.isoformat())):
                self.idx[key].append(p)
        self.all = people

    def _seeds(self, c: Clue, table: bool) -> list[list[Person]]:
        out = []
        if c.phone is not None:
            if all(v is not None for v in c.phone):
                out.append(self.idx.get(("phone", "".join(c.phone)), []))
            if all(v is not None for v in c.phone[-4:]):
                out.append(self.idx.get(("last4", "".join(c.phone[-4:])), []))
            if all(v is not None for v in c.phone[-8:-4]):
                out.append(self.idx.get(("mid4", "".join(c.phone[-8:-4])), []))
        if c.email_domain is not None:
            if c.email_full:
                out.append(self.idx.get(("email", f"{c.email_head}@{c.email_domain}"), []))
            elif c.email_head and len(c.email_head) >= 2:
                out.append(self.idx.get(("dom2", c.email_domain, c.email_head[:2]), []))
            else:
                out.append(self.idx.get(("dom", c.email_domain), []))
        if c.name is not None:
            if c.name_len_known and all(v is not None for v in c.name):
                out.append(self.idx.get(("name", "".join(c.name)), []))
            elif c.name_len_known and c.name[0] is not None and c.name[-1] is not None:
                out.append(self.idx.get(("first_last", c.name[0], c.name[-1], len(c.name)),
                                        []))
        if c.road is not None:
            out.append(self.idx.get(("bld", *c.road), []))
        if c.lot is not None:
            out.append(self.idx.get(("dong", *c.lot[:3]), []))
        if c.district is not None:
            out.append(self.idx.get(("district", *c.district), []))
        if c.order is not None:
            out.append(self.idx.get(("order", *c.order), []))
        return out

    def fits(self, c: Clue, table: bool = False, limit: int = 2) -> list[str]:
        """Record ids consistent with the clue (stops after ``limit``: only 0/1/many matter)."""
        seeds = self._seeds(c, table)
        pool = min(seeds, key=len) if seeds else self.all
        out = []
        for p in pool:
            if consistent(c, p, table):
                out.append(p.rid)
                if len(out) >= limit:
                    break
        return out


def consistent(c: Clue, p: Person, table: bool = False) -> bool:
    """Could this customer have written the row? (read loosely, see the module docstring)"""
    return (_name_ok(c, p) and _phone_ok(c, p) and _email_ok(c, p) and _address_ok(c, p, table)
            and (c.order is None or c.order == (p.item, p.odate.isoformat())))
