"""Leak documents, one category per shape of issue 8, each with exact ground truth.

Ground truth rule (per document):

* must-report — a corpus record whose row in the document is identifying *by what is
  visible*: the row's clue (see truth.py) fits exactly one customer of the corpus, read
  loosely, AND fits no one in a "shadow" population of as many strangers (drawn from the
  same world): the evidence beats chance at this corpus size, so a monitor weighing
  coincidence can be expected to name the record. Full rows (a phone or an e-mail) always
  are; partial and masked rows are when their combination is that rare.
* unattributable — a row (a customer's, or a decoy non-customer's) whose visible evidence
  fits several customers, fits one customer who is not its writer, or fits its writer and
  a stranger too ("weak"). Reporting a record the row's evidence fits is neither a true nor
  a false positive: abstaining is right, and guessing the right one among several earns
  nothing.
* a reported record that no row of the document fits is a false positive (a wrong record,
  a decoy reported as a customer, any finding in a negative document).

Lot-number addresses are judged twice: without the road↔lot table (only province,
district, legal dong, complex name and unit compare) and with it (lot = building).
A field damaged only within the OCR confusions of issue 8 (O↔0, l/I/|↔1, rn↔m, split
digit blocks, "," for "." in a domain, spaces around "@"), a phone that lost its leading 0
in a spreadsheet or is written ="010-…" counts as visible; a screenshot shows what was
rendered. A romanised name is no name evidence (one spelling fits several Hangul names).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import render as R
from .people import ITEMS, CustomerFactory, Person
from .truth import Clue, Fitter, consistent
from .writers import (
    Raw,
    Sheet,
    csv_bytes,
    gz_bytes,
    tar_bytes,
    workbook_bytes,
    write_png,
    write_workbook,
    zip_bytes,
)


@dataclass
class Doc:
    name: str
    must: set[str] = field(default_factory=set)
    must_table: set[str] = field(default_factory=set)  # with the road↔lot table
    clues: list[Clue] = field(default_factory=list)  # every row, decoys included
    sources: list[str | None] = field(default_factory=list)  # row writer's id (None: decoy)
    rows: int = 0
    leaked: int = 0  # customer rows written
    weak: int = 0  # rows unique in the corpus whose evidence also fits a stranger: neutral


@dataclass
class World:
    people: list[Person]
    factory: CustomerFactory  # continues after the corpus: non-customers for decoys
    fitter: Fitter
    shadow: Fitter  # as many strangers as customers: what evidence fits by chance
    rng: random.Random

    def sample(self, k: int) -> list[Person]:
        return self.rng.sample(self.people, min(k, len(self.people)))

    def decoys(self, k: int) -> list[Person]:
        return [self.factory.person() for _ in range(k)]

    def size(self, k: int) -> int:
        return max(3, min(k, len(self.people) // 25))


HEADINGS = {
    "name": ["이름", "성명", "고객명", "주문자명", "수령인", "받는분", "회원명", "Name", "CUST_NM"],
    "split_ko": [("성", "이름"), ("성", "명"), ("성(姓)", "이름(名)")],
    "split_en": [("Last Name", "First Name"), ("last_name", "first_name"),
                 ("SURNAME", "GIVEN")],
    "first_en": [("First Name", "Last Name"), ("first", "last")],
    "phone": ["연락처", "휴대폰", "핸드폰번호", "전화번호", "휴대전화", "HP", "Tel", "mobile",
              "수령인연락처"],
    "email": ["이메일", "E-mail", "메일주소", "email", "아이디(이메일)", "EMAIL_ADDR"],
    "addr": ["주소", "배송지", "배송주소", "받는주소", "수령지", "address", "ADDR", "기본배송지"],
    "item": ["상품명", "주문상품", "최근구매상품", "품목", "item", "PRODUCT"],
    "date": ["주문일", "주문일자", "결제일시", "구매일", "order_date", "ORD_DT"],
    "memo": ["배송메모", "요청사항", "비고", "memo"],
    "seq": ["No", "번호", "순번", "#"],
}
MEMOS = ["부재시 문앞에 놓아주세요", "경비실에 맡겨주세요", "배송 전 연락 바랍니다", "", "",
         "공동현관 비밀번호 #1234", "택배함", "문 앞", ""]


def _kind_group(kind: str) -> str:
    for g in ("name", "phone", "email", "split_ko", "split_en", "first_en", "item", "date",
              "memo", "seq"):
        if kind.startswith(g):
            return g
    return "addr"


def headings(kinds: list[str], rng: random.Random) -> list[str]:
    out: list[str] = []
    for k in kinds:
        h = rng.choice(HEADINGS[_kind_group(k)])
        out.extend(h if isinstance(h, tuple) else [h])
    return out


def render_fields(p: Person, kinds: list[str], rng: random.Random,
                  seq: int = 0, gaps: float = 0.0) -> tuple[list, dict]:
    """Cells for one row and what stays visible of the person in them. ``gaps``: the chance
    that a cell (not the first, in rows of three fields or more) was left empty."""
    cells: list = []
    clue: dict = {}
    item = date = None
    for i, k in enumerate(kinds):
        if k == "seq":
            cells.append(seq)
            continue
        if gaps and i and len(kinds) >= 3 and rng.random() < gaps:
            cells += ["", ""] if k in ("split_ko", "split_en", "first_en") else [""]
            continue
        if k == "memo":
            cells.append(rng.choice(MEMOS))
            continue
        if k == "item":
            cells.append(p.item)
            item = p.item
            continue
        if k.startswith("date"):
            date = p.odate.isoformat()
            cells.append(p.odate if k == "date_cell" else R.excel_serial(p.odate)
                         if k == "date_serial" else R.order_date(p.odate, rng))
            continue
        if k == "split_ko":
            cells += [p.sur, p.given]
            clue["name"] = tuple(p.name)
            continue
        if k in ("split_en", "first_en"):
            s, g = (R.romanize_surname(p.sur, rng).capitalize(),
                    R.romanize_given(p.given, rng).capitalize())
            cells += [s, g] if k == "split_en" else [g, s]
            continue
        if k == "phone_eq":
            cells.append(Raw(f'="{R.dash_phone(p.phone)}"'))
            clue["phone"] = tuple(p.phone)
            continue
        if k == "phone_num":  # Excel dropped the leading 0
            cells.append(int(p.phone))
            clue["phone"] = tuple(p.phone)
            continue
        text, c = {
            "name": lambda: R.name_full(p),
            "name_sp": lambda: R.name_spaced(p),
            "name_roman": lambda: R.name_roman(p, rng),
            "name_mask": lambda: R.name_masked(p, rng),
            "phone": lambda: R.phone_plain(p, rng),
            "phone_mask": lambda: R.phone_masked(p, rng),
            "email": lambda: R.email_plain(p, rng),
            "email_mask": lambda: R.email_masked(p, rng),
            "road": lambda: R.address_road(p, rng),
            "lot": lambda: R.address_lot(p, rng),
            "lot_bare": lambda: R.address_lot(p, rng, complex_name=False, unit=False),
            "lot_full": lambda: R.address_lot(p, rng, complex_name=True, unit=True),
            "district": lambda: R.address_district(p, rng),
            "district_mask": lambda: R.address_district(p, rng, masked=True),
            "name_mask_district": lambda: R.name_masked_district(p, rng),
        }[k]()
        cells.append(text)
        clue.update(c)
    if item and date:
        clue["order"] = (item, date)
    return cells, clue


class Builder:
    """One document's rows and truth."""

    def __init__(self, world: World, name: str) -> None:
        self.w = world
        self.doc = Doc(name)

    def judge(self, p: Person, clue: dict, customer: bool) -> None:
        c = Clue(**clue)
        self.doc.clues.append(c)
        self.doc.sources.append(p.rid if customer else None)
        self.doc.rows += 1
        self.doc.leaked += customer
        for table, must in ((False, self.doc.must), (True, self.doc.must_table)):
            if customer:
                assert consistent(c, p, table), (p.rid, clue)
                if self.w.fitter.fits(c, table=table) == [p.rid]:
                    if self.w.shadow.fits(c, table=table, limit=1):
                        self.doc.weak += not table
                    else:
                        must.add(p.rid)

    def rows(self, people: list[Person], kinds: list[str], decoy_share: float = 0.1,
             start: int = 1) -> list[list]:
        rng = self.w.rng
        mixed = [(p, True) for p in people] + \
            [(d, False) for d in self.w.decoys(int(len(people) * decoy_share))]
        rng.shuffle(mixed)
        out = []
        for i, (p, is_customer) in enumerate(mixed, start):
            cells, clue = render_fields(p, kinds, rng, seq=i, gaps=0.03)
            self.judge(p, clue, is_customer)
            out.append(cells)
        return out

    def finish(self) -> Doc:
        return self.doc


# --- shared layouts ---------------------------------------------------------------------

FULL_LAYOUTS = [
    ["seq", "name", "phone", "email", "road", "item", "date"],
    ["name", "phone", "road", "memo"],
    ["seq", "name", "email", "phone", "road"],
    ["name", "email", "phone", "road", "date", "item"],
    ["email", "name", "phone"],
    ["name", "phone", "email"],
]
SIZES = [5, 9, 30, 120, 400, 900, 2000]

TITLES = ["쿠팡 회원 배송정보 (2025.11 추출)", "고객DB 샘플 - 구매문의 텔레그램 @dbmarket",
          "■ 11월 주문자 명단 ■", "C사 고객정보 최신본", "회원리스트_최종_v3"]


def sheet_with_title(header: list[str], rows: list[list], rng: random.Random) -> Sheet:
    """Title block, a blank row or two, the header, the data, a total line."""
    top: Sheet = [[rng.choice(TITLES)]]
    if rng.random() < 0.6:
        top.append([f"추출일: 2025-11-{rng.randint(1, 28):02d}", None, "총 " + str(len(rows)) +
                    "건"])
    top += [[]] * rng.randint(1, 2)
    body = [*top, header, *rows]
    if rng.random() < 0.5:
        body += [[], ["합계", f"{len(rows):,}건"]]
    return body


def plain_table(header: list[str], rows: list[list]) -> Sheet:
    return [header, *rows]


# --- categories -------------------------------------------------------------------------

def cat_workbooks(w: World, out: Path) -> list[Doc]:
    docs = []
    exts = [".xlsx", ".xlsm", ".xls", ".ods"]
    for i in range(8):
        ext = exts[i % 4]
        b = Builder(w, f"wb{i:02d}_고객목록{ext}")
        kinds = w.rng.choice([*FULL_LAYOUTS, ["split_ko", "phone", "road"],
                              ["name", "phone", "lot"], ["name_sp", "email", "road", "item"]])
        main = b.rows(w.sample(w.size(SIZES[i % len(SIZES)])), kinds)
        sheets: list[tuple[str, Sheet]] = [
            ("안내", [["구매 문의: 텔레그램 @dbmarket"], ["샘플입니다. 전체 3,370만건 보유"],
                      [], ["각 시트 참고"]]),
            ("고객목록", sheet_with_title(headings(kinds, w.rng), main, w.rng)),
        ]
        if i % 2 == 0:  # a second data sheet in another layout: typed cells
            k2 = ["name", "phone_num", "item", "date_cell"] if ext != ".ods" else \
                ["split_ko", "phone_num", "email", "date_cell", "item"]
            extra = b.rows(w.sample(w.size(40)), k2)
            sheets.append(("추가분", sheet_with_title(headings(k2, w.rng), extra, w.rng)))
        if i % 3 == 0:  # staff list: non-customers in the same layout
            k3 = ["name", "phone", "email"]
            staff = [render_fields(d, k3, w.rng)[0] for d in w.decoys(15)]
            sheets.append(("직원연락처", plain_table(headings(k3, w.rng), staff)))
        write_workbook(out / b.doc.name, sheets)
        docs.append(b.finish())
    return docs


def _member_table(b: Builder, w: World, n: int, kinds: list[str]) -> Sheet:
    return plain_table(headings(kinds, w.rng), b.rows(w.sample(w.size(n)), kinds))


README = ("[판매] 쿠팡 회원DB 3370만\n샘플 첨부. 구매는 텔레그램으로 문의.\n"
          "파일 구성: part1(csv), part2(txt, 한글 깨지면 cp949로 열기)\n").encode()


def cat_archives(w: World, out: Path) -> list[Doc]:
    rng = w.rng
    docs = []
    tmp = out / ".tmp"
    tmp.mkdir(exist_ok=True)

    def table(b: Builder, n: int, enc: str = "utf-8", delim: str = ",") -> bytes:
        return csv_bytes(_member_table(b, w, n, rng.choice(FULL_LAYOUTS)), encoding=enc,
                         delimiter=delim)

    b = Builder(w, "dump_part1.zip")
    inner = zip_bytes([("part3.csv", table(b, 60))])
    (out / b.doc.name).write_bytes(zip_bytes([
        ("README.txt", README), ("part1.csv", table(b, 300)),
        ("part2.txt", table(b, 150, "cp949", "\t")), ("more/inner.zip", inner)]))
    docs.append(b.finish())

    b = Builder(w, "고객정보.tar")
    (out / b.doc.name).write_bytes(tar_bytes([
        ("dump/README.md", README), ("dump/a.csv", table(b, 400)),
        ("dump/b.tsv", table(b, 80, "utf-8", "\t"))]))
    docs.append(b.finish())

    b = Builder(w, "backup_2025.tar.gz")
    (out / b.doc.name).write_bytes(tar_bytes([
        ("members.csv", table(b, 900)), ("members_cp949.txt", table(b, 100, "cp949", "|"))],
        gz=True))
    docs.append(b.finish())

    b = Builder(w, "export.csv.gz")
    (out / b.doc.name).write_bytes(gz_bytes(table(b, 2000)))
    docs.append(b.finish())

    b = Builder(w, "nested.zip")  # zip → tar.gz → csv
    tgz = tar_bytes([("x/sample.csv", table(b, 50))], gz=True)
    (out / b.doc.name).write_bytes(zip_bytes([("readme.txt", README),
                                              ("inner/data.tar.gz", tgz)]))
    docs.append(b.finish())

    b = Builder(w, "sample5.zip")
    (out / b.doc.name).write_bytes(zip_bytes([("sample.csv", table(b, 5))]))
    docs.append(b.finish())

    b = Builder(w, "excel_in_zip.zip")
    kinds = ["name", "phone", "road", "item"]
    sheet = sheet_with_title(headings(kinds, rng), b.rows(w.sample(w.size(120)), kinds), rng)
    xlsx = workbook_bytes("list.xlsx", [("Sheet1", sheet)], tmp)
    (out / b.doc.name).write_bytes(zip_bytes([("list.xlsx", xlsx), ("README.txt", README)]))
    docs.append(b.finish())
    tmp.rmdir()
    return docs


def cat_excel_csv(w: World, out: Path) -> list[Doc]:
    """What Excel writes: BOM or CP949, ="010…" cells, serial dates, phones without the 0."""
    docs = []
    layouts = [
        (["name", "phone_eq", "email", "road"], "utf-8-sig"),
        (["seq", "name", "phone_num", "item", "date_serial"], "cp949"),
        (["name", "phone_eq", "item", "date_serial", "road"], "cp949"),
        (["split_ko", "phone_num", "email"], "utf-8-sig"),
        (["name", "email", "phone_num", "road", "date_serial"], "utf-8-sig"),
        (["name", "phone_eq", "memo", "road"], "cp949"),
    ]
    for i, (kinds, enc) in enumerate(layouts):
        b = Builder(w, f"excel{i:02d}.csv")
        rows = b.rows(w.sample(w.size(SIZES[(i + 2) % len(SIZES)])), kinds)
        sheet = plain_table(headings(kinds, w.rng), rows)
        (out / b.doc.name).write_bytes(csv_bytes(sheet, encoding=enc))
        docs.append(b.finish())
    return docs


def _write_mixed(b: Builder, w: World, out: Path, kinds: list[str], n: int, i: int) -> None:
    """Plain text tables (the container shapes are measured on their own)."""
    rows = b.rows(w.sample(w.size(n)), kinds)
    header = headings(kinds, w.rng)
    fmt, delim = [(".csv", ","), (".tsv", "\t"), (".txt", "|"), (".csv", ";")][i % 4]
    b.doc.name += fmt
    table = plain_table(header, rows) if i % 3 else [["[샘플] 고객정보 일부"], [], header, *rows]
    (out / b.doc.name).write_bytes(csv_bytes(table, delimiter=delim, newline="\n"))


def _category(layouts: list[list[str]], prefix: str) -> Callable[[World, Path], list[Doc]]:
    def make(w: World, out: Path) -> list[Doc]:
        docs = []
        for i, kinds in enumerate(layouts):
            b = Builder(w, f"{prefix}{i:02d}")
            _write_mixed(b, w, out, kinds, SIZES[(i * 3) % len(SIZES)], i)
            docs.append(b.finish())
        return docs
    return make


cat_split_names = _category([
    ["split_ko", "phone", "road"], ["split_en", "email", "phone"], ["name_sp", "phone", "email"],
    ["name_roman", "phone", "road"], ["seq", "split_ko", "email", "item", "date"],
    ["first_en", "phone", "email"], ["name_sp", "phone_mask", "road"],
    ["split_ko", "phone_mask", "road"],
], "names")

cat_lot = _category([
    ["name", "phone", "lot"], ["name", "phone_mask", "lot_full"], ["name", "email", "lot"],
    ["split_ko", "phone", "lot"], ["seq", "name", "phone", "lot", "item"],
    ["name_sp", "email", "phone", "lot"],
], "lot")

cat_lot_only = _category([
    ["name", "lot"], ["name", "lot_full"], ["seq", "name", "lot", "memo"], ["name", "lot_bare"],
    ["name_sp", "lot"], ["name", "lot_full", "memo"],
], "lotonly")

cat_masking = _category([
    ["name_mask", "phone_mask"], ["name_mask", "phone_mask", "district_mask"],
    ["name_mask", "email_mask"], ["name", "phone_mask", "email_mask"],
    ["name_mask", "phone", "district"], ["seq", "name_mask", "phone_mask", "email_mask", "road"],
    ["name_mask", "phone_mask", "road"], ["name_mask", "email_mask", "district_mask"],
    ["name_mask_district", "phone_mask"], ["seq", "name_mask_district", "email_mask", "item"],
], "mask")


def _label(p: Person, rng: random.Random) -> tuple[str, dict]:
    """A courier label as text: masked receiver, masked phone, full road address."""
    name, c1 = R.name_masked(p, rng)
    phone, c2 = R.phone_masked(p, rng)
    addr, c3 = R.address_road(p, rng)
    text = (f"받는분: {name}\n연락처: {phone}\n주소: {addr}\n"
            f"상품: {p.item}\n운송장번호: {rng.randint(10**11, 10**12 - 1)}\n")
    return text, {**c1, **c2, **c3}


def cat_partial(w: World, out: Path) -> list[Doc]:
    docs = _category([
        ["phone", "road"], ["email", "name"], ["name", "item", "date"], ["phone", "lot_full"],
        ["name_sp", "email"], ["item", "name", "date"], ["phone_mask", "road", "item"],
        ["name_mask", "phone_mask", "road"],
    ], "partial")(w, out)
    for i, n in enumerate([6, 40, 300]):  # delivery labels, one block per parcel
        b = Builder(w, f"labels{i:02d}.txt")
        blocks = []
        people = [(p, True) for p in w.sample(w.size(n))] + \
            [(d, False) for d in w.decoys(max(1, n // 10))]
        w.rng.shuffle(people)
        for p, cust in people:
            text, clue = _label(p, w.rng)
            b.judge(p, clue, cust)
            blocks.append(text)
        sep = w.rng.choice(["\n", "\n----------------\n", "\n\n"])
        (out / b.doc.name).write_text(sep.join(blocks), encoding="utf-8")
        docs.append(b.finish())
    return docs


def _line_noise(rng: random.Random) -> list[str]:
    """Tokens that are no customer's field: prices, counts, statuses, someone else's item."""
    pool = [f"{rng.randint(3, 300) * 100:,}원", f"{rng.randint(1, 5)}개", f"x{rng.randint(1, 4)}",
            "로켓배송", "결제완료", "배송완료", "반품", rng.choice(ITEMS), rng.choice(ITEMS)]
    return rng.sample(pool, rng.choice([0, 1, 1, 2]))


def cat_unlabelled(w: World, out: Path) -> list[Doc]:
    """No header; fields shuffled on every line; item names mixed in; spaces or tabs."""
    rng = w.rng
    docs = []
    field_sets = [["name", "phone", "road", "item"], ["name", "phone", "email", "road"],
                  ["name", "email", "road", "item", "date"], ["phone", "name", "lot_full"],
                  ["name", "phone", "email", "item"], ["email", "road", "item", "name"]]
    for i, kinds in enumerate(field_sets):
        b = Builder(w, f"lines{i:02d}.txt")
        lines = []
        people = [(p, True) for p in w.sample(w.size(SIZES[(i + 1) % len(SIZES)]))] + \
            [(d, False) for d in w.decoys(3)]
        rng.shuffle(people)
        sep = ["  ", "\t", " ", " \t "][i % 4]
        for p, cust in people:
            cells, clue = render_fields(p, kinds, rng)
            cells = [str(c) for c in cells] + _line_noise(rng)
            rng.shuffle(cells)
            b.judge(p, clue, cust)
            lines.append(sep.join(cells))
        head = "쿠팡 DB 일부 공개 (형식 그대로)\n\n" if i % 2 else ""
        (out / b.doc.name).write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
        docs.append(b.finish())
    return docs


# --- OCR --------------------------------------------------------------------------------

def ocr_phone(s: str, rng: random.Random) -> str:
    out = []
    for i, ch in enumerate(s):
        r = rng.random()
        if ch == "0" and r < 0.25:
            out.append(rng.choice("Oo"))
        elif ch == "1" and r < 0.3:
            out.append(rng.choice("lI|"))
        elif ch == "-" and r < 0.2:
            out.append(rng.choice([" ", "", "—", "- "]))
        elif ch.isdigit() and r < 0.05 and not (s.startswith("+") and i < 3):
            out.append(ch + " ")
        else:
            out.append(ch)
    return "".join(out)


def ocr_email(s: str, rng: random.Random) -> str:
    local, _, domain = s.partition("@")
    if rng.random() < 0.3:
        local = local.replace("m", "rn", 1)
    if rng.random() < 0.3:
        local = local.replace("0", "O").replace("1", "l")
    if rng.random() < 0.4:
        domain = domain.replace(".", ",", 1)
    at = rng.choice(["@", " @ ", "@ ", " @"])
    return local + at + domain


def cat_ocr_text(w: World, out: Path) -> list[Doc]:
    rng = w.rng
    docs = []
    for i, n in enumerate([8, 40, 150, 500]):
        kinds = [["name", "phone", "email"], ["name", "phone", "road"],
                 ["seq", "name", "email", "phone"], ["name", "phone", "email", "road"]][i]
        b = Builder(w, f"ocr{i:02d}.txt")
        lines = ["   ".join(headings(kinds, rng))]
        people = [(p, True) for p in w.sample(w.size(n))] + \
            [(d, False) for d in w.decoys(max(1, n // 10))]
        rng.shuffle(people)
        for j, (p, cust) in enumerate(people, 1):
            cells, clue = render_fields(p, kinds, rng, seq=j)
            text = []
            for k, c in zip(kinds, cells, strict=True):
                c = str(c)
                if k == "phone":
                    c = ocr_phone(c, rng)
                elif k == "email":
                    c = ocr_email(c, rng)
                text.append(c)
            b.judge(p, clue, cust)
            lines.append(rng.choice(["  ", "   ", " | "]).join(text))
        (out / b.doc.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        docs.append(b.finish())
    return docs


def cat_ocr_images(w: World, out: Path) -> list[Doc]:
    rng = w.rng
    docs = []
    for i, n in enumerate([5, 12, 20, 25, 30, 15]):
        kinds = [["name", "phone", "email"], ["seq", "name", "phone", "road"],
                 ["name", "email", "phone"]][i % 3]
        b = Builder(w, f"screenshot{i:02d}.png")
        rows = b.rows(w.sample(w.size(n)), kinds, decoy_share=0.1)
        table = [headings(kinds, rng)] + [[str(c) for c in r] for r in rows]
        write_png(out / b.doc.name, table, size=[22, 20, 24][i % 3])
        docs.append(b.finish())
    return docs


# --- negatives --------------------------------------------------------------------------

CHAT = ["{n}님 {p} 로 연락주세요", "[{t}] {n}: 내일 {p} 번호로 전화드릴게요",
        "{n} 010 바꿨대 {p}", "배송기사님 번호 {p} 입니다", "{n}: 오늘 회의 몇시죠?",
        "[{t}] {n}: ㅋㅋㅋ 알겠어", "{n} 씨 연락처 {p} 맞나요?", "{p} 이 번호 스팸인가요",
        "중고거래 {n} {p} 직거래 원해요", "[{t}] {n}: {p} 저장해둬",
        "당첨자: {m} ({q})", "[{t}] {n}: {m}님 {q} 맞으시죠?"]


def chat_negatives(w: World, out: Path, docs_n: int = 6, lines: int = 400) -> list[Doc]:
    """Chatter at Coupang density: a third of the numbers belong to *some* customer, the names
    are common Korean names, but no line is one customer's record."""
    rng = w.rng
    docs = []
    phones = [p.phone for p in w.people]
    for i in range(docs_n):
        b = Builder(w, f"chat{i:02d}.txt")
        text = []
        for _ in range(lines):
            num = rng.choice(phones) if rng.random() < 1 / 3 else w.factory.mobile()
            num = R.dash_phone(num) if rng.random() < 0.7 else num
            name = w.factory.surname() + w.factory.given_name()
            t = f"오후 {rng.randint(1, 12)}:{rng.randint(0, 59):02d}"
            stranger = w.factory.person()  # masked like a winners' list: 김*준 (010-****-5678)
            m, q = R.name_masked(stranger, rng)[0], R.phone_masked(stranger, rng)[0]
            text.append(rng.choice(CHAT).format(n=name, p=num, t=t, m=m, q=q))
        b.doc.rows = lines
        (out / b.doc.name).write_text("\n".join(text) + "\n", encoding="utf-8")
        docs.append(b.finish())
    return docs


def decoy_sheets(w: World, out: Path) -> list[Doc]:
    """Non-customers in the leak layouts: names collide with customers, nothing else does."""
    docs = []
    for i, ext in enumerate([".csv", ".xlsx", ".xls", ".ods", ".tsv", ".csv"]):
        kinds = FULL_LAYOUTS[i % len(FULL_LAYOUTS)]
        b = Builder(w, f"decoy{i:02d}{ext}")
        people = w.decoys(w.size([30, 200, 60, 500, 15, 120][i]))
        rows = []
        for j, d in enumerate(people, 1):
            cells, clue = render_fields(d, kinds, w.rng, seq=j)
            b.judge(d, clue, False)
            rows.append(cells)
        header = headings(kinds, w.rng)
        if ext in (".csv", ".tsv"):
            (out / b.doc.name).write_bytes(csv_bytes(plain_table(header, rows),
                                                     delimiter="\t" if ext == ".tsv" else ","))
        else:
            write_workbook(out / b.doc.name, [("명단", sheet_with_title(header, rows, w.rng))])
        docs.append(b.finish())
    return docs


# name, builder, recall floor, options
CATEGORIES: list[tuple[str, Callable[[World, Path], list[Doc]], float, str]] = [
    ("workbooks", cat_workbooks, 0.95, ""),
    ("archives", cat_archives, 0.95, ""),
    ("excel-csv", cat_excel_csv, 0.95, ""),
    ("split-names", cat_split_names, 0.95, ""),
    ("lot-address", cat_lot, 0.95, "lot"),
    ("lot-only", cat_lot_only, 0.80, "lot"),
    ("partial", cat_partial, 0.95, "lot"),
    ("unlabelled", cat_unlabelled, 0.95, "lot"),
    ("ocr-text", cat_ocr_text, 0.80, ""),
    ("ocr-image", cat_ocr_images, 0.80, "ocr"),
    ("masking", cat_masking, 0.95, ""),
    ("decoy-sheets", decoy_sheets, 0.0, "negative"),
    ("chat-33.7M", chat_negatives, 0.0, "chat"),
]
