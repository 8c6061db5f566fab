"""How leakers, shop exports and screenshots write one customer's fields — and what stays
visible of each (the ``Clue`` parts) after masking, splitting or rewriting."""

from __future__ import annotations

import datetime as dt
import random

from .people import (
    SIDO_SHORT,
    Person,
    dash_phone,
    road_address,
    romanize_given,
    romanize_surname,
)

MASKS = ["*", "○", "●", "X", "＊"]


# --- names ------------------------------------------------------------------------------

def name_full(p: Person) -> tuple[str, dict]:
    return p.name, {"name": tuple(p.name)}


def name_spaced(p: Person) -> tuple[str, dict]:
    return f"{p.sur} {p.given}", {"name": tuple(p.name)}


def name_roman(p: Person, rng: random.Random) -> tuple[str, dict]:
    """Minjun Kim / KIM MINJUN / Kim Min-jun: one romanisation fits several Hangul names."""
    sur, given = romanize_surname(p.sur, rng), romanize_given(p.given, rng)
    if rng.random() < 0.3 and len(p.given) == 2:
        given = "-".join((romanize_given(p.given[0]), romanize_given(p.given[1])))
    if rng.random() < 0.5:
        s = f"{given.capitalize()} {sur.capitalize()}"
    else:
        s = f"{sur.upper()} {given.upper()}" if rng.random() < 0.5 else \
            f"{sur.capitalize()} {given.capitalize()}"
    return s, {}


def name_masked(p: Person, rng: random.Random) -> tuple[str, dict]:
    """김*준, 김○○, *민준, 이●영, 남궁X별; now and then 김* for any length."""
    mask = rng.choice(MASKS)
    name = p.name
    if rng.random() < 0.1:
        return p.sur + mask, {"name": (*tuple(p.sur), None), "name_len_known": False}
    n = len(name)
    style = rng.random()
    if style < 0.55 and n >= 3:
        hidden = {n - 2}  # the classic middle mask
    elif style < 0.75:
        hidden = set(range(1, n))
    elif style < 0.85:
        hidden = {0}
    else:
        hidden = {rng.randrange(n)}
    if len(hidden) == n:
        hidden.discard(0)
    text = "".join(mask if i in hidden else ch for i, ch in enumerate(name))
    return text, {"name": tuple(None if i in hidden else ch for i, ch in enumerate(name))}


def name_masked_district(p: Person, rng: random.Random) -> tuple[str, dict]:
    """김*준(서울 강남구), 이○영 / 해운대구 — a winners' list habit."""
    name, clue = name_masked(p, rng)
    district, c2 = address_district(p, rng)
    if rng.random() < 0.5:
        return f"{name}({district})", {**clue, **c2}
    return f"{name} / {p.addr.bld.sigungu or district}", {**clue, **c2}


# --- phones -----------------------------------------------------------------------------

def _blocks(p: str) -> list[str]:
    return dash_phone(p).split("-")


def phone_plain(p: Person, rng: random.Random) -> tuple[str, dict]:
    b = _blocks(p.phone)
    style = rng.choice(["dash", "dash", "dash", "none", "dot", "space", "intl", "paren"])
    if style == "dash":
        s = "-".join(b)
    elif style == "none":
        s = p.phone
    elif style == "dot":
        s = ".".join(b)
    elif style == "space":
        s = " ".join(b)
    elif style == "intl":
        s = "+82 " + "-".join([b[0][1:], *b[1:]])
    else:
        s = f"({b[0]}) {b[1]}-{b[2]}"
    return s, {"phone": tuple(p.phone)}


def phone_masked(p: Person, rng: random.Random) -> tuple[str, dict]:
    """010-12**-**78, 010-1234-****, 010-****-5678, 010-XX34-56XX…"""
    b = _blocks(p.phone)
    mask = rng.choice(["*", "*", "*", "X", "x", "○", "#"])
    mid, last = list(b[1]), list(b[2])
    style = rng.random()
    if style < 0.35:
        mid = [mask] * len(mid)
    elif style < 0.55:
        last = [mask] * len(last)
    elif style < 0.8:  # the tail of the middle block and the head of the last
        k = rng.randint(1, len(mid) - 1)
        mid[k:] = [mask] * (len(mid) - k)
        j = rng.randint(1, 3)
        last[:j] = [mask] * j
    else:  # a random scatter, at least 3 digits hidden
        positions = rng.sample(range(len(mid) + len(last)), rng.randint(3, 5))
        for q in positions:
            if q < len(mid):
                mid[q] = mask
            else:
                last[q - len(mid)] = mask
    text = "-".join([b[0], "".join(mid), "".join(last)])
    digits = tuple(None if ch == mask else ch for ch in b[0] + "".join(mid) + "".join(last))
    return text, {"phone": digits}


# --- e-mail -----------------------------------------------------------------------------

def email_plain(p: Person, rng: random.Random) -> tuple[str, dict]:
    local, _, domain = p.email.partition("@")
    s = p.email if rng.random() < 0.9 else p.email.upper() if rng.random() < .5 else \
        p.email.capitalize()
    return s, {"email_head": local, "email_full": True, "email_domain": domain}


def email_masked(p: Person, rng: random.Random) -> tuple[str, dict]:
    """ab****@naver.com — the visible head is all the evidence (mask length is no promise)."""
    local, _, domain = p.email.partition("@")
    keep = min(len(local) - 1, rng.choice([2, 2, 3, 3, 4]))
    mask = rng.choice(["*", "*", "x", "○"])
    text = local[:keep] + mask * rng.choice([4, len(local) - keep, 3]) + "@" + domain
    return text, {"email_head": local[:keep], "email_full": False, "email_domain": domain}


# --- addresses --------------------------------------------------------------------------

def address_road(p: Person, rng: random.Random) -> tuple[str, dict]:
    b = p.addr.bld
    s = road_address(p.addr, rng, short_sido=rng.random() < 0.5)
    clue = {"road": (b.sido, b.sigungu, b.road, b.bno, b.bsub)}
    if p.addr.unit:
        clue["unit"] = p.addr.unit
    return s, clue


def address_lot(p: Person, rng: random.Random, complex_name: bool | None = None,
                unit: bool | None = None) -> tuple[str, dict]:
    """서울특별시 강남구 역삼동 736-1번지 래미안역삼 101동 1203호 — the old 지번 form."""
    a, b = p.addr, p.addr.bld
    sido = SIDO_SHORT[b.sido] if rng.random() < 0.5 else b.sido
    lot = b.lot_no + ("번지" if rng.random() < 0.4 else "")
    if complex_name is None:
        complex_name = bool(b.complex) and rng.random() < 0.7
    complex_name = complex_name and bool(b.complex)
    if unit is None:
        unit = bool(a.unit) and rng.random() < 0.85
    unit = unit and bool(a.unit)
    parts = [sido, b.sigungu, b.dong, lot]
    if complex_name:
        parts.append(b.complex)
    if unit:
        parts.append(a.unit)
    clue: dict = {"lot": (b.sido, b.sigungu, b.dong, b.lno, b.lsub)}
    if complex_name:
        clue["complex"] = b.complex
    if unit:
        clue["unit"] = a.unit
    return " ".join(x for x in parts if x), clue


def address_district(p: Person, rng: random.Random, masked: bool = False) -> tuple[str, dict]:
    b = p.addr.bld
    sido = SIDO_SHORT[b.sido] if rng.random() < 0.7 else b.sido
    s = " ".join(x for x in (sido, b.sigungu) if x)
    if masked:
        s += " " + rng.choice(["***", "○○○", "(이하 생략)", "**동 ***"])
    return s, {"district": (b.sido, b.sigungu)}


# --- orders -----------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days


def order_date(d: dt.date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:
        return d.isoformat()
    if style < 0.6:
        return d.strftime("%Y.%m.%d")
    if style < 0.75:
        return f"{d.year}년 {d.month}월 {d.day}일"
    if style < 0.9:
        return d.strftime("%Y/%m/%d") + f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    return d.strftime("%y-%m-%d")
