"""Labelled documents in the shapes real leaks arrive in (issue 8), scored like evaluation.py.

Names in pieces (성 / 이름 columns, "김 민준"), addresses in lot-number form, partial rows
(two or three fields), unlabelled lines whose fields change order, OCR confusions, every
masking style and Excel's CSV cell forms. Each document mixes corpus records with decoys
from the same generator; ``chatter_010`` is chatter full of random 010 numbers, to be
scanned at Coupang's density (it must give nothing).

The corpus for these documents must carry order dates (``write_corpus_csv(...,
order_dates=True)``): a name with a recent order's item and date is one of the shapes.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

from dumpwatch.evaluation import CHATTER, Document, mask_email, phone_format
from dumpwatch.synth import Person, people

RowFn = Callable[[Person, random.Random], list[str]]

SPLIT_HEADERS = [("성", "이름"), ("성씨", "이름"), ("last_name", "first_name"),
                 ("family", "given"), None]
MASKS = "*○●X"


def split_name(name: str) -> tuple[str, str]:
    cut = 2 if len(name) == 4 else 1
    return name[:cut], name[cut:]


def mask_name_any(name: str, rng: random.Random) -> str:
    """Hide one or two syllables anywhere but leave at least two visible when possible."""
    ch = rng.choice(MASKS)
    pos = rng.sample(range(len(name)), 1 if len(name) <= 3 else 2)
    return "".join(ch if i in pos else c for i, c in enumerate(name))


def mask_phone_any(phone: str, rng: random.Random) -> str:
    a, b, c = phone.split("-")
    return rng.choice([f"{a}-{b[:2]}**-**{c[2:]}", f"{a}-{b}-****", f"{a}-****-{c}",
                       f"{a}-**{b[2:]}-{c[:2]}**", f"{a}-{b[:2]}XX-{c}"])


def lot_of(p: Person, rng: random.Random) -> str:
    addr = p.lot_address
    if rng.random() < 0.3:
        addr = addr.replace(" ", " ", 1)
    if rng.random() < 0.3 and "-" in addr.split()[3 if addr.count(" ") > 3 else -1]:
        addr = addr.replace("아파트", "")
    return addr


def _ocr(text: str, rng: random.Random) -> str:
    """Misread a few characters the way OCR does."""
    table = {"0": "O", "1": "l", "m": "rn", ".": ","}
    out = []
    for ch in text:
        out.append(table[ch] if ch in table and rng.random() < 0.35 else ch)
    s = "".join(out)
    if "@" in s and rng.random() < 0.5:
        s = s.replace("@", " @ ")
    return s


def _ocr_phone(phone: str, rng: random.Random) -> str:
    d = phone.replace("-", "")
    s = rng.choice([phone, f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:9]} {d[9:]}",
                    f"{d[:3]} {d[3:7]} {d[7:]}"])
    return "".join({"0": "O", "1": "l"}.get(c, c) if rng.random() < 0.3 else c for c in s)


def _date_form(date: str, rng: random.Random) -> str:
    y, m, d = date.split("-")
    return rng.choice([date, f"{y}.{m}.{d}", f"{y}/{int(m)}/{int(d)}",
                       f"{y}년 {int(m)}월 {int(d)}일", f"{y[2:]}.{m}.{d}"])


def _excel_phone(phone: str, rng: random.Random) -> str:
    d = phone.replace("-", "")
    return rng.choice([f'="{phone}"', f"'{d}", d[1:], f'="{d}"'])


def _excel_serial(date: str) -> str:
    import datetime as dt

    return str((dt.date.fromisoformat(date) - dt.date(1899, 12, 30)).days)


def _csv(header: list[str] | None, rows: list[list[str]], delim: str = ",") -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delim, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- one renderer per shape


def _split_names(ps: list[Person], rng: random.Random) -> str:
    heads = rng.choice(SPLIT_HEADERS)
    masked = rng.random() < 0.5
    rows = []
    for p in ps:
        s, g = split_name(p.name)
        phone = p.phone if not masked else f"010-****-{p.phone[-4:]}"
        rows.append([s, g, phone])
    header = [heads[0], heads[1], "연락처"] if heads else None
    return _csv(header, rows, rng.choice([",", "\t"]))


def _spaced_names(ps: list[Person], rng: random.Random) -> str:
    lines = []
    for p in ps:
        s, g = split_name(p.name)
        lines.append(f"{s} {g} 010-****-{p.phone[-4:]} {p.address.split(',')[0]}")
    return "판매 샘플\n" + "\n".join(lines) + "\n"


def _lot(ps: list[Person], rng: random.Random) -> str:
    shape = rng.choice(["name", "masked", "phone"])
    rows = []
    for p in ps:
        if shape == "name":
            rows.append([p.name, lot_of(p, rng)])
        elif shape == "masked":
            rows.append([p.name[0] + "*" + p.name[-1], f"010-****-{p.phone[-4:]}",
                         lot_of(p, rng)])
        else:
            rows.append([p.name, phone_format(p.phone, rng), lot_of(p, rng)])
    header = {"name": ["이름", "지번주소"], "masked": ["수령인", "연락처", "주소"],
              "phone": ["성명", "휴대폰", "배송지(지번)"]}[shape]
    return _csv(header, rows)


def _phone_address(ps: list[Person], rng: random.Random) -> str:
    return _csv(["연락처", "주소"], [[phone_format(p.phone, rng), p.address] for p in ps])


def _email_name(ps: list[Person], rng: random.Random) -> str:
    return _csv(["email", "name"], [[p.email, p.name] for p in ps], rng.choice([",", "|"]))


def _name_order(ps: list[Person], rng: random.Random) -> str:
    if rng.random() < 0.5:
        return _csv(["이름", "주문상품", "주문일자"],
                    [[p.name, p.order, _date_form(p.order_date, rng)] for p in ps])
    return _csv(["고객명", "최근주문"], [[p.name, f"{p.order} ({p.order_date})"] for p in ps])


def _label(ps: list[Person], rng: random.Random) -> str:
    blocks = [f"받는분: {p.name[0]}*{p.name[-1]}\n연락처: 010-****-{p.phone[-4:]}\n"
              f"주소: {p.address}" for p in ps]
    return "택배 송장 모음\n\n" + "\n\n".join(blocks) + "\n"


def _unordered(ps: list[Person], rng: random.Random) -> str:
    sep = rng.choice([" ", "\t"])
    lines = []
    for p in ps:
        fields = [p.name, phone_format(p.phone, rng), p.address.replace(",", ""), p.order]
        rng.shuffle(fields)
        lines.append(sep.join(fields))
    return "\n".join(lines) + "\n"


def _ocr_doc(ps: list[Person], rng: random.Random) -> str:
    lines = ["이름    연락처    이메일"]
    for p in ps:
        lines.append(f"{p.name}    {_ocr_phone(p.phone, rng)}    {_ocr(p.email, rng)}")
    return "\n".join(lines) + "\n"


def _masks(ps: list[Person], rng: random.Random) -> str:
    lines = []
    for p in ps:
        shape = rng.randrange(3)
        if shape == 0:
            lines.append(f"{mask_name_any(p.name, rng)} {mask_phone_any(p.phone, rng)} "
                         f"{mask_email(p.email)}")
        elif shape == 1:
            dist = p.address.split(",")[0].split()[1:-2]
            lines.append(f"{mask_name_any(p.name, rng)} 010-****-{p.phone[-4:]} "
                         f"{' '.join(dist)}")
        else:
            local, dom = p.email.split("@")
            lines.append(f"{mask_name_any(p.name, rng)} / {mask_phone_any(p.phone, rng)} / "
                         f"{local[:2]}****@{dom}")
    return "마스킹 샘플\n" + "\n".join(lines) + "\n"


def _excel(ps: list[Person], rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "\ufeff" + _csv(["이름", "휴대폰", "이메일"],
                               [[p.name, _excel_phone(p.phone, rng), p.email] for p in ps])
    return _csv(["이름", "상품명", "주문일"],
                [[p.name, p.order, _excel_serial(p.order_date)] for p in ps])


SHAPES: dict[str, Callable[[list[Person], random.Random], str]] = {
    "split_names": _split_names, "spaced_names": _spaced_names, "lot_address": _lot,
    "phone_address": _phone_address, "email_name": _email_name, "name_order": _name_order,
    "delivery_label": _label, "unordered_lines": _unordered, "ocr": _ocr_doc,
    "masks": _masks, "excel_csv": _excel,
}


def build_shapes(corpus_size: int, seed: int = 1, docs_per_shape: int = 6,
                 rows_per_doc: int = 12) -> list[Document]:
    rng = random.Random(seed)
    corpus = people(0, corpus_size)
    decoy_pool = people(corpus_size, 5_000)
    docs: list[Document] = []
    for shape, render in SHAPES.items():
        for k in range(docs_per_shape):
            picks = rng.sample(corpus, rows_per_doc)
            labelled = [(p, True) for p in picks] + [
                (d, False) for d in rng.sample(decoy_pool, rows_per_doc // 3)]
            rng.shuffle(labelled)
            text = render([p for p, _ in labelled], rng)
            docs.append(Document(f"{shape}-{k}.txt", shape, text,
                                 {p.id for p, real in labelled if real}))
    for k in range(4):
        lines = []
        for _ in range(40):
            lines.append(rng.choice(CHATTER))
            lines.append(f"연락주세요 010-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}")
        docs.append(Document(f"chatter_010-{k}.txt", "chatter_010", "\n".join(lines) + "\n"))
    return docs
