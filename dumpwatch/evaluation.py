"""A labelled evaluation set: documents in many layouts with known corpus records.

Used by the test-suite (precision/recall floors) and ``benchmarks/eval_matcher.py``.
Every document lists the (document, record id) pairs it truly contains; decoys come
from the same generator but from indices the corpus does not hold, so they share its
names, districts and domains but never its phones or emails.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from dumpwatch.synth import Person, people
from matcher.decode import decode_bytes
from matcher.scan import Scanner, decide

# ---------------------------------------------------------------- perturbations


def jamo_typo(name: str, rng: random.Random) -> str:
    """Change one jamo (vowel or final consonant) of one given-name syllable."""
    idx = rng.randrange(1, len(name)) if len(name) > 1 else 0
    code = ord(name[idx]) - 0xAC00
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    if rng.random() < 0.5:
        jung = (jung + rng.choice([1, 2, 20])) % 21
    else:
        jong = (jong + rng.randrange(1, 27)) % 28
    return name[:idx] + chr(0xAC00 + cho * 588 + jung * 28 + jong) + name[idx + 1:]


def digit_typo(phone: str, rng: random.Random) -> str:
    digits = [i for i, c in enumerate(phone) if c.isdigit()][3:]
    i = rng.choice(digits)
    return phone[:i] + str((int(phone[i]) + rng.randrange(1, 10)) % 10) + phone[i + 1:]


def phone_format(phone: str, rng: random.Random) -> str:
    d = phone.replace("-", "")
    return rng.choice([
        phone, d, f"{d[:3]}.{d[3:7]}.{d[7:]}", f"{d[:3]} {d[3:7]} {d[7:]}",
        f"+82 {d[1:3]}-{d[3:7]}-{d[7:]}", f"+82{d[1:]}", f"({d[:3]}){d[3:7]}-{d[7:]}",
    ])


def email_format(email: str, rng: random.Random) -> str:
    local, dom = email.split("@")
    return rng.choice([
        email, email.upper(), f"{local.capitalize()}@{dom}", f"mailto:{email}",
        f"{local} [at] {dom.replace('.', ' [dot] ')}", f"{local}(at){dom}",
    ])


_SHORT = {"서울특별시": "서울", "부산광역시": "부산", "대구광역시": "대구", "인천광역시": "인천",
          "광주광역시": "광주", "대전광역시": "대전", "울산광역시": "울산",
          "세종특별자치시": "세종",
          "경기도": "경기", "강원특별자치도": "강원", "충청북도": "충북", "충청남도": "충남",
          "전북특별자치도": "전북", "전라남도": "전남", "경상북도": "경북", "경상남도": "경남",
          "제주특별자치도": "제주"}


def address_format(addr: str, rng: random.Random) -> str:
    prov, rest = addr.split(" ", 1)
    choice = rng.randrange(4)
    if choice == 1:
        addr = f"{_SHORT.get(prov, prov)} {rest}"
    elif choice == 2:
        addr = rest  # no province
    elif choice == 3:
        addr = addr.replace(", ", " ").replace("동 ", "-", 1).replace("호", "") if "동 " in addr \
            else addr
    return addr


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"


def mask_phone(phone: str, rng: random.Random) -> str:
    a, b, c = phone.split("-")
    return rng.choice([f"{a}-****-{c}", f"{a}-{b[:2]}**-{c}"])


def mask_email(email: str) -> str:
    local, dom = email.split("@")
    return f"{local[:3]}***@{dom}"


# ---------------------------------------------------------------- rows and layouts

ROW_SHAPES = [
    ("name", "phone", "email", "address", "order"), ("name", "phone"),
    ("name", "phone", "email"), ("phone", "email", "address"), ("name", "email"),
    ("name", "address", "phone"), ("email",), ("phone",), ("name", "address"),
]

HEADER_NAMES = {
    "name": ["이름", "성명", "name", "고객명", "full_name", "수령인"],
    "phone": ["연락처", "휴대폰", "phone", "tel", "mobile", "전화번호"],
    "email": ["이메일", "email", "mail", "e-mail"],
    "address": ["주소", "배송지", "address", "addr", "shipping_address"],
    "order": ["최근주문", "주문상품", "product", "order_item"],
}


@dataclass
class Row:
    values: dict[str, str]
    truth: str | None  # corpus record id, None for a decoy


@dataclass
class Document:
    name: str
    category: str
    text: str
    truth: set[str] = field(default_factory=set)  # record ids truly present
    encoding: str = "utf-8"
    unique_masked: set[str] = field(default_factory=set)  # masked lines that fit one record


def person_row(p: Person, shape: tuple[str, ...], rng: random.Random, perturb: str) -> dict:
    vals = {"name": p.name, "phone": phone_format(p.phone, rng),
            "email": email_format(p.email, rng),
            "address": address_format(p.address, rng), "order": p.order}
    if perturb == "typo_name" and len(p.name) >= 3:
        vals["name"] = jamo_typo(p.name, rng)
    elif perturb == "typo_phone":
        vals["phone"] = digit_typo(p.phone, rng)
    elif perturb == "masked":
        vals["name"] = mask_name(p.name)
        vals["phone"] = mask_phone(p.phone, rng)
        vals["email"] = mask_email(p.email)
    return {k: vals[k] for k in shape}


def _render_delimited(rows: list[dict], rng: random.Random, delim: str, header: bool) -> str:
    roles = list(dict.fromkeys(r for row in rows for r in row))
    rng.shuffle(roles)
    out = io.StringIO()
    if delim == "  ":
        width = {r: max(len(row.get(r, "")) for row in rows) + 2 for r in roles}
        if header:
            out.write("".join(rng.choice(HEADER_NAMES[r]).ljust(width[r]) for r in roles) + "\n")
        for row in rows:
            out.write("".join((row.get(r) or "-").ljust(width[r]) for r in roles).rstrip() + "\n")
        return out.getvalue()
    w = csv.writer(out, delimiter=delim, lineterminator="\n")
    if header:
        w.writerow([rng.choice(HEADER_NAMES[r]) for r in roles])
    for row in rows:
        w.writerow([row.get(r, "") for r in roles])
    return out.getvalue()


def _render_jsonl(rows: list[dict], rng: random.Random, nested: bool) -> str:
    keys = {r: rng.choice(HEADER_NAMES[r] + [r + "_x"]) for r in HEADER_NAMES}
    objs = []
    for row in rows:
        obj = {keys[r]: v for r, v in row.items()}
        if nested:
            obj = {"user": {k: v for k, v in obj.items() if k != keys["order"]},
                   "order": {"item": row.get("order", "")}, "ts": "2025-11-01T10:00:00"}
        objs.append(obj)
    if nested:
        return json.dumps({"data": {"rows": objs}}, ensure_ascii=False, indent=1)
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n"


def _render_sql(rows: list[dict], rng: random.Random) -> str:
    roles = list(HEADER_NAMES)
    cols = ["id"] + [{"name": "cust_nm", "phone": "hp_no", "email": "email_addr",
                      "address": "addr1", "order": "last_order"}[r] for r in roles]

    def q(v: str) -> str:
        return "NULL" if not v else "'" + v.replace("'", "''") + "'"
    tuples = ",\n".join("(" + ", ".join([str(1000 + i)] + [q(row.get(r, "")) for r in roles])
                        + ")" for i, row in enumerate(rows))
    create = ("CREATE TABLE `members` (\n  `id` int NOT NULL,\n" +
              "".join(f"  `{c}` varchar(255) DEFAULT NULL,\n" for c in cols[1:]) +
              "  PRIMARY KEY (`id`)\n);\n")
    if rng.random() < 0.5:
        return create + f"INSERT INTO `members` VALUES {tuples};\n"
    return f"INSERT INTO members ({', '.join(cols)}) VALUES\n{tuples};\n"


def _render_html(rows: list[dict], rng: random.Random) -> str:
    roles = list(dict.fromkeys(r for row in rows for r in row))
    head = "".join(f"<th>{rng.choice(HEADER_NAMES[r])}</th>" for r in roles)
    body = "".join("<tr>" + "".join(f"<td>{row.get(r, '')}</td>" for r in roles) + "</tr>\n"
                   for row in rows)
    return (f"<html><head><title>회원 DB 샘플</title></head><body><h1>판매</h1>"
            f"<p>샘플 공개합니다. 문의는 텔레그램</p><table><tr>{head}</tr>\n{body}</table>"
            f"</body></html>")


_LABELS = {"name": "이름", "phone": "연락처", "email": "이메일", "address": "주소", "order": "주문"}


def _render_post(rows: list[dict], rng: random.Random) -> str:
    intro = rng.choice(["쿠팡 고객 DB 팝니다. 최신 자료 샘플 올립니다.",
                        "Selling fresh KR shop dump, samples below. Contact on telegram.",
                        "개인정보 판매 문의 환영. 아래 샘플 확인하세요."])
    blocks = []
    for row in rows:
        if rng.random() < 0.5:
            blocks.append("\n".join(f"{_LABELS[r]}: {v}" for r, v in row.items()))
        else:
            blocks.append(" / ".join(row.values()))
    sep = "\n\n" if any("\n" in b for b in blocks) else "\n"
    return intro + "\n\n" + sep.join(blocks) + "\n\n가격 협의 가능. 선입금.\n"


LAYOUTS: dict[str, Callable[[list[dict], random.Random], str]] = {
    "csv_header": lambda rows, rng: _render_delimited(rows, rng, ",", True),
    "csv_noheader": lambda rows, rng: _render_delimited(rows, rng, ",", False),
    "tsv": lambda rows, rng: _render_delimited(rows, rng, "\t", rng.random() < 0.5),
    "pipe": lambda rows, rng: _render_delimited(rows, rng, "|", rng.random() < 0.5),
    "semicolon": lambda rows, rng: _render_delimited(rows, rng, ";", True),
    "spaces": lambda rows, rng: _render_delimited(rows, rng, "  ", rng.random() < 0.5),
    "jsonl": lambda rows, rng: _render_jsonl(rows, rng, False),
    "json_nested": lambda rows, rng: _render_jsonl(rows, rng, True),
    "sql": _render_sql,
    "html": _render_html,
    "post": _render_post,
}

CHATTER = [
    "오늘 서울 날씨 정말 좋네요. 강남구 쪽에 새로 생긴 카페 가보신 분?",
    "배송이 너무 늦어요 고객센터 연락처 아시는 분 있나요",
    "Anyone know a good VPN? My ISP keeps throttling at night.",
    "김치찌개 레시피 공유합니다. 돼지고기 300g, 김치 반포기, 두부 한모",
    "이번 주말에 부산 해운대 놀러가요 숙소 추천 부탁드립니다",
    "주문번호 20251103-1234567 배송 조회가 안 됩니다. 문의드려요",
    "The meeting moved to 3pm, room 402. Bring the Q3 numbers.",
    "선생님 감사합니다 덕분에 합격했어요 정말 감사드립니다",
]


def build_evaluation(corpus_size: int, seed: int = 1, docs_per_layout: int = 6,
                     rows_per_doc: int = 12) -> list[Document]:
    """Documents for every layout x perturbation, plus decoy-only, name-only and chatter."""
    rng = random.Random(seed)
    corpus = people(0, corpus_size)
    template = Counter((q.name[0], q.name[-1], len(q.name), q.phone[-4:]) for q in corpus)
    decoy_pool = people(corpus_size, 5_000)
    docs: list[Document] = []
    n = 0
    for perturb in ("clean", "typo_name", "typo_phone", "masked"):
        for layout, render in LAYOUTS.items():
            for _ in range(docs_per_layout if perturb == "clean" else max(1, docs_per_layout // 2)):
                picks = rng.sample(corpus, rows_per_doc)
                decoys = rng.sample(decoy_pool, rows_per_doc // 3)
                shape_pool = ROW_SHAPES if perturb == "clean" else [("name", "phone"),
                             ("name", "phone", "email"), ("name", "phone", "address")]
                shape = rng.choice(shape_pool)
                if perturb == "masked":
                    shape = rng.choice([("name", "phone"), ("name", "phone", "email")])
                labelled = [(p, p.id) for p in picks] + [(d, None) for d in decoys]
                rng.shuffle(labelled)
                rows = [person_row(p, shape, rng, perturb) for p, _ in labelled]
                text = render(rows, rng)
                n += 1
                category = layout if perturb == "clean" else perturb
                doc = Document(f"{n:04d}-{category}-{layout}.txt", category, text,
                               {rid for _, rid in labelled if rid})
                if perturb == "masked":
                    doc.unique_masked = {p.id for p in picks if template[
                        (p.name[0], p.name[-1], len(p.name), p.phone[-4:])] == 1}
                docs.append(doc)
    for _ in range(4):  # decoy-only dumps: a real-looking leak of somebody else's customers
        rows = [person_row(d, ("name", "phone", "email"), rng, "clean")
                for d in rng.sample(decoy_pool, rows_per_doc)]
        n += 1
        docs.append(Document(f"{n:04d}-decoys.txt", "decoys", LAYOUTS["csv_header"](rows, rng)))
    for _ in range(4):
        names = [p.name for p in rng.sample(corpus, 30)]
        n += 1
        docs.append(Document(f"{n:04d}-names.txt", "names_only", "\n".join(names) + "\n"))
    for _ in range(4):
        n += 1
        docs.append(Document(f"{n:04d}-chatter.txt", "chatter",
                             "\n".join(rng.sample(CHATTER, 5)) + "\n"))
    cp = docs[0]  # one CP949 copy of a clean dump: same truth, other bytes
    docs.append(Document(cp.name.replace(".txt", "-cp949.txt"), "cp949", cp.text, cp.truth,
                         "cp949"))
    return docs


@dataclass
class CategoryScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    reported: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(scanner: Scanner, docs: list[Document]) -> dict[str, CategoryScore]:
    """Scan every document as the CLI would and score (document, record) findings."""
    scores: dict[str, CategoryScore] = {}
    masked_unique = scores.setdefault("masked_unique", CategoryScore())
    for doc in docs:
        text = decode_bytes(doc.text.encode(doc.encoding))
        result = scanner.scan_text(text, doc.name)
        found: set[str] = set()
        for res in result.results.values():
            found |= {m.record_id for m in decide(res, scanner.config)[2]}
        cat = scores.setdefault(doc.category, CategoryScore())
        cat.reported += len(found)
        if doc.category == "masked":
            masked_unique.tp += len(found & doc.unique_masked)
            masked_unique.fn += len(doc.unique_masked - found)
            masked_unique.fp += len(found - doc.truth)
        cat.tp += len(found & doc.truth)
        cat.fp += len(found - doc.truth)
        cat.fn += len(doc.truth - found)
    unmasked = scores.setdefault("unmasked_layouts", CategoryScore())
    for name in LAYOUTS:
        s = scores.get(name)
        if s:
            unmasked.tp, unmasked.fp, unmasked.fn = (unmasked.tp + s.tp, unmasked.fp + s.fp,
                                                     unmasked.fn + s.fn)
    return scores
