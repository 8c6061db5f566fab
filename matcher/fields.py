"""From raw values to hashed features — the one code path shared by ingest and scan.

A record (corpus row or candidate row from a leak) becomes a fixed vector of keyed
64-bit feature hashes, 0 where a feature is absent or masked. Everything downstream —
the blocking keys of the index, the per-record sketch, the frequency tables — is
derived from that vector with numpy, so the Python per-row cost is just parsing and
hashing. Ingest and scan calling the same function is what guarantees that a value
normalises to the same digest on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np

from matcher.keys import TAG_ADDRESS_DETAIL, TAG_PHONE, FeatureHasher, derive
from matcher.normalize import (
    Address,
    Email,
    Name,
    Phone,
    parse_address,
    parse_email,
    parse_name,
    parse_phone,
)
from matcher.normalize.ocr import fold_confusable, misread_domain, repair_email, repair_phone
from matcher.normalize.order import Order, parse_order
from matcher.normalize.text import is_hangul_syllable, unexcel

ROLES = ("id", "name", "surname", "given", "phone", "email", "address", "order", "order_date")

# Feature columns. Name syllables are positional so a typo or a mask compares per syllable;
# phone halves-of-blocks (Q0..Q3) so a mask in any block still compares what it shows.
FEATURES = (
    "N", "N0", "N1", "N2", "N3", "NL",  # name: full, syllable by position, last syllable
    "P", "PM", "PL", "Q0", "Q1", "Q2", "Q3",  # phone: E.164, middle, last four, halves
    "E", "ED", "EP1", "EP2", "EP3",  # email: full (OCR-folded), domain, prefixes
    "AD", "AR", "AX",  # address: district, road + building, road + building + detail
    "AL", "AN", "AU", "AC",  # lot form: dong + lot, legal dong, district + unit, complex
    "O", "OT",  # order: item, item + date
)  # fmt: skip
F = {name: i for i, name in enumerate(FEATURES)}
N_FEATURES = len(FEATURES)
# Features whose frequency the index counts, for u-probabilities (how common a name, a road
# is). Ingest writes these counts and scan reads them: one list, so the two cannot drift.
COUNTED_FEATURES = np.array([F[f] for f in ("N", "N0", "N1", "N2", "N3", "NL", "ED", "EP1",
                                            "EP2", "EP3", "AD", "AR", "AL", "AN", "AU", "AC",
                                            "O", "OT")])
MAX_NAME_PARTS = 4


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One row's values after normalisation; None where a field is absent or unparseable."""

    name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    order: Order | None = None

    @property
    def identifying(self) -> bool:
        """Whether the row can be looked up at all: a name alone never can; a name with a
        located address or a dated order can (whether it identifies is the scorer's call)."""
        if self.phone is not None or self.email is not None:
            return True
        if self.name is None:
            return False
        return (self.address is not None and (self.address.located or
                                              self.address.unit is not None)) or (
            self.order is not None and self.order.item is not None and
            self.order.date is not None)


def join_name(surname: str, given: str) -> str:
    """성 + 이름 columns -> one name; a 이름 cell that already holds the full name wins."""
    surname, given = unexcel(surname).strip(), unexcel(given).strip()
    if not surname:
        return given
    if not given:
        return surname
    if is_hangul_syllable(surname[0]) and is_hangul_syllable(given[0]):
        if len(given.replace(" ", "")) >= 3 and given.startswith(surname):
            return given
        return surname + given
    return f"{given} {surname}"


_NAME_NOTE = re.compile(r"\s*(?:\(|/|,)\s*")


def _get(values: Mapping[str, str], role: str) -> str | None:
    v = values.get(role)
    if not v:
        return None
    return unexcel(v) if v[0] in "='" else v


_NOTE_CHARS = frozenset("(/,")


def parse_row(values: Mapping[str, str]) -> ParsedRow:
    """Normalise the values of one row, keyed by role."""
    name = _get(values, "name")
    address = _get(values, "address")
    # "최*경(서울 강남구)", "박* / 해운대구": a district appended to the name
    if name and not _NOTE_CHARS.isdisjoint(name) and (m := _NAME_NOTE.search(name)):
        name, note = name[:m.start()], name[m.end():]
        address = address or note.strip("() ")
    surname = _get(values, "surname")
    if surname is not None or "given" in values:
        name = join_name(surname or "", _get(values, "given") or name or "")
    phone = _get(values, "phone")
    email = _get(values, "email")
    order = _get(values, "order")
    order_date = _get(values, "order_date")
    return ParsedRow(
        name=parse_name(name) if name else None,
        phone=(parse_phone(phone) or repair_phone(phone)) if phone else None,
        email=_email(email) if email else None,
        address=parse_address(address) if address else None,
        order=parse_order(order, order_date) if order or order_date else None,
    )


def _email(value: str) -> Email | None:
    email = parse_email(value)
    if email is None or misread_domain(email):
        return repair_email(value) or email
    return email


_iN, _iP, _iPM, _iPL, _iQ0 = F["N"], F["P"], F["PM"], F["PL"], F["Q0"]
_iE, _iED = F["E"], F["ED"]
_iAD, _iAR, _iAX, _iAL, _iAN, _iAU, _iAC = (F[k] for k in ("AD", "AR", "AX", "AL", "AN", "AU",
                                                           "AC"))
_iO, _iOT = F["O"], F["OT"]
_QNAMES = ("Q0:", "Q1:", "Q2:", "Q3:")


def hash_row(row: ParsedRow, h: FeatureHasher) -> list[int]:
    """The row's keyed feature hashes, one per entry of FEATURES (0 = absent)."""
    out = [0] * N_FEATURES
    name = row.name
    if name is not None:
        out[_iN:_iN + 6] = _name_hashes(name, h)
    phone = row.phone
    if phone is not None:
        mid, last4 = phone.mid, phone.last4
        if mid is not None and last4 is not None and len(mid) == 4:  # the common case
            out[_iPM], out[_iQ0], out[_iQ0 + 1] = _block_hashes("PM", mid, h)
            out[_iPL], out[_iQ0 + 2], out[_iQ0 + 3] = _block_hashes("PL", last4, h)
        else:
            if mid is not None:
                out[_iPM] = h("PM:" + mid)
            if last4 is not None:
                out[_iPL] = h("PL:" + last4)
            for k, q in enumerate(phone.quarters):
                if q is not None:
                    out[_iQ0 + k] = h(_QNAMES[k] + q)
        if phone.e164 is not None:
            out[_iP] = _phone_hash(phone.e164, mid, last4, out[_iPM], out[_iPL], h)
    email = row.email
    if email is not None:
        if email.full is not None:
            # Folded (o/0, l/i/1, rn/m read alike) so an OCR misreading is the same address;
            # two customers whose addresses differ only so are rare enough to share a key.
            out[_iE] = h.uncached("E:" + fold_confusable(email.full))
        out[_iED:_iED + 4] = _email_hashes(email.local_prefix[:3], email.domain, h)
    addr = row.address
    if addr is not None:
        if addr.district is not None:
            out[_iAD] = h("AD:" + addr.district)
        if addr.road is not None:
            out[_iAR] = h.uncached("AR:" + addr.road)  # millions of distinct values: no cache
            if addr.detail:  # derived from AR: one keyed digest fewer (see keys.derive)
                out[_iAX] = derive(TAG_ADDRESS_DETAIL, out[_iAR], h("AXd:" + addr.detail))
        if addr.lot is not None:
            out[_iAL] = h.uncached("AL:" + addr.lot)
        if addr.dong is not None:
            out[_iAN] = h(f"AN:{addr.district}|{addr.dong}")
        if addr.district is not None and addr.detail:
            out[_iAU] = h(f"AU:{addr.district}|{addr.detail}")  # ~10^5 values: cached
        if addr.complex is not None:
            out[_iAC] = h(f"AC:{addr.district}|{addr.complex}")
    order = row.order
    if order is not None and order.item is not None:
        out[_iO] = h("O:" + order.item)
        if order.date is not None:
            out[_iOT] = h(f"OT:{order.item}|{order.date}")
    return out


def _phone_hash(e164: str, mid: str | None, last4: str | None, pm: int, pl: int,
                h: FeatureHasher) -> int:
    """P: derived from the keyed digests of the prefix and the two 4-digit blocks where the
    number ends in them (one keyed digest fewer per record, see keys.derive), else keyed."""
    if pm and pl and mid is not None and len(mid) == 4 and e164.endswith(f"{mid}{last4}"):
        return derive(TAG_PHONE, h("Pp:" + e164[:-8]), pm, pl)
    return h.uncached("P:" + e164)


def _block_hashes(kind: str, block: str, h: FeatureHasher) -> tuple[int, ...]:
    """PM/PL and its two halves (Q0, Q1 / Q2, Q3) for a 4-digit block, memoised: there
    are only 10^4 blocks, and every record has two."""
    key = (kind, block)
    cached = h.memo.get(key)
    if cached is None:
        q = ("Q0:", "Q1:") if kind == "PM" else ("Q2:", "Q3:")
        cached = h.remember(key, (h(f"{kind}:{block}"), h(q[0] + block[:2]),
                                  h(q[1] + block[2:])))
    return cached


def _name_hashes(name: Name, h: FeatureHasher) -> tuple[int, ...]:
    """N, N0..N3, NL for a name; memoised, as a corpus repeats its names millions of times."""
    cached = h.memo.get(name.parts)
    if cached is None:
        out = [0] * 6
        parts = name.parts
        full = name.full
        if full is not None:
            out[0] = h("N:" + full)
        if len(parts) <= MAX_NAME_PARTS:
            for i, part in enumerate(parts):
                if part is not None:
                    out[1 + i] = h(f"N{i}:{part}")
        last = name.last
        if last is not None:
            out[5] = h("NL:" + last)
        cached = h.remember(name.parts, tuple(out))
    return cached


def _email_hashes(prefix: str, domain: str, h: FeatureHasher) -> tuple[int, ...]:
    """ED, EP1..EP3: the domain and local-part prefixes a masked address still shows."""
    key = (prefix, domain)
    cached = h.memo.get(key)
    if cached is None:
        out = [h("ED:" + domain), 0, 0, 0]
        for k in range(1, len(prefix) + 1):
            out[k] = h(f"EP{k}:{prefix[:k]}@{domain}")
        cached = h.remember(key, tuple(out))
    return cached


def hash_rows(rows: list[ParsedRow], h: FeatureHasher) -> tuple[np.ndarray, np.ndarray]:
    """(rows, N_FEATURES) uint64 feature hashes and the name lengths, for a batch."""
    # One flat pass: np.fromiter over a chain is cheaper than np.array over nested lists.
    flat = chain.from_iterable(hash_row(r, h) for r in rows)
    feats = np.fromiter(flat, dtype=np.uint64, count=len(rows) * N_FEATURES).reshape(
        -1, N_FEATURES)
    nlen = np.fromiter((len(r.name.parts) if r.name else 0 for r in rows), dtype=np.uint8,
                       count=len(rows))
    return feats, nlen


# ---------------------------------------------------------------- derived with numpy

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads combined feature hashes over all 64 bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M2
    x = x ^ (x >> np.uint64(27))
    x = x * _M3
    return x ^ (x >> np.uint64(31))


# Blocking keys: the fragments looked up in the index. Single high-entropy identifiers,
# and combinations that still identify a record when part of a line is masked or typo'd.
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("E",),  # email alone (combolists)
    ("P",),  # phone alone (smishing lists)
    ("N", "Q3"),  # name + last two digits: middle block masked or typo'd, 010-12**-**78
    ("N", "PM"),  # name + middle block: last four typo'd or masked
    # Masked names (김*준 / *민준 / 김** + ****-5678 or 010-5678-****): one phone block,
    # looked up only for lines whose name is masked and followed only to the records whose
    # surname or last syllable agrees (scan._name_ends_agree). One key per block instead of
    # one per block and name end: half the index bytes, and no more digits than before.
    ("PL",),
    ("PM",),
    # A home: every customer of one building (road form, lot form) or one unit of a
    # district. Looked up only for rows without a phone or email of their own (delivery
    # labels, masked lines with an address, name + address); the sketch decides.
    ("AR",),
    ("AL",),
    ("AU",),
    ("EP2",),  # a masked email's head and domain: ab****@naver.com
    ("N", "OT"),  # name + a recent order's item and date
    ("N", "AN"),  # name + district + legal dong: a lot address for a road-form customer
)
# Keys a row with a full phone or email does not need: they fit a building's customers.
WEAK_KEYS = tuple(i for i, k in enumerate(BLOCKING_KEYS) if k in (("AR",), ("AL",), ("AU",),
                                                                        ("EP2",)))
N_KEYS = len(BLOCKING_KEYS)


def blocking_keys(feats: np.ndarray) -> np.ndarray:
    """(rows, N_FEATURES) feature hashes -> (rows, N_KEYS) keys; 0 where a part is missing."""
    rows = feats.shape[0]
    out = np.zeros((rows, N_KEYS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k, parts in enumerate(BLOCKING_KEYS):
            cols = [feats[:, F[p]] for p in parts]
            acc = np.full(rows, np.uint64(k + 1) * _M1, dtype=np.uint64)
            present = np.ones(rows, dtype=bool)
            for c in cols:
                acc = _mix(acc ^ c)
                present &= c != 0
            acc[acc == 0] = 1
            out[:, k] = np.where(present, acc, np.uint64(0))
    return out


# The sketch: 16 bits of each feature hash, kept per record so that once a blocking key
# hits a record, every other field can be compared. Collisions only matter within that
# one record, so 16 bits suffice (chance agreement 1 in 65,536).
SKETCH_DTYPE = np.dtype([("h", np.uint16, (N_FEATURES,)), ("nlen", np.uint8)])


def sketch16(feats: np.ndarray) -> np.ndarray:
    """16-bit per-feature digests; 0 stays 0 (absent), a real digest is never 0."""
    s = ((feats >> np.uint64(40)) & np.uint64(0xFFFF)).astype(np.uint16)
    s[(s == 0) & (feats != 0)] = 1
    return s


# ---------------------------------------------------- masked phones, digit by digit
# A half-block with one digit hidden (010-4x4x-...) still shows one digit, and a block with
# one or two hidden (010-39*6-****) still narrows a number down: both are compared through
# the values they could be, at scan time only. Nothing is added to the index, so it holds no
# fragment a key-holder could enumerate numbers with that it did not hold before.
MAX_HIDDEN_PER_BLOCK = 2  # 100 completions of a block; more shows too little to block on


def _completions(pattern: str) -> list[str]:
    """Every digit string the masked pattern ("3*6*") could stand for."""
    out = [""]
    for ch in pattern:
        out = [p + d for p in out for d in (ch if ch.isdigit() else "0123456789")]
    return out


def half_digit_alternatives(phone: Phone, h: FeatureHasher) -> tuple[list[int], ...] | None:
    """Per quarter Q0..Q3: the hashes of the 10 values of a half that shows one digit."""
    shown = phone.shown
    if shown is None:
        return None
    out: list[list[int]] = []
    for k in range(4):
        half = shown[2 * k:2 * k + 2]
        n = sum(c.isdigit() for c in half)
        out.append([h(_QNAMES[k] + v) for v in _completions(half)] if n == 1 else [])
    return tuple(out)


def visible_digits(phone: Phone) -> int:
    """Digits a masked number shows after its prefix."""
    return sum(c.isdigit() for c in phone.shown) if phone.shown is not None else 0


def completed_rows(feats: np.ndarray, rows: list[ParsedRow], h: FeatureHasher
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the feature rows of partly masked numbers, one per way to fill a block
    with at most MAX_HIDDEN_PER_BLOCK hidden digits, and the row each copy came from. Their
    blocking keys find the records a masked line can only be compared with digit by digit."""
    out: list[list[int]] = []
    owner: list[int] = []
    for i, row in enumerate(rows):
        phone = row.phone
        if phone is None or phone.shown is None:
            continue
        for b, (kind, col, q0) in enumerate((("PM", _iPM, _iQ0), ("PL", _iPL, _iQ0 + 2))):
            block = phone.shown[4 * b:4 * b + 4]
            hidden = block.count("*")
            if not 0 < hidden <= MAX_HIDDEN_PER_BLOCK:
                continue
            base = [int(v) for v in feats[i]]
            for v in _completions(block):
                r = base.copy()
                r[col], r[q0], r[q0 + 1] = _block_hashes(kind, v, h)
                out.append(r)
                owner.append(i)
    if not out:
        return np.zeros((0, N_FEATURES), dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.array(out, dtype=np.uint64), np.array(owner, dtype=np.int64)
