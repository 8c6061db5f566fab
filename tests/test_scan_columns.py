"""The columnar path over tables finds what the line path finds, record by record.

Each document below is scanned twice by the same Scanner: column by column
(matcher.scan_columns) and line by line (extract -> parse_row), and every match is
compared: line, record, score, fields, redacted evidence, odds. The tables are what
dumps look like in the wild: masked values, empty cells, broken rows and chatter in
between, CP949 bytes, quoted fields, other column orders, repeated rows.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import matcher.scan_columns as scan_columns
from dumpwatch.synth import Person, people
from matcher.decode import decode_bytes
from matcher.keys import SecretKey
from matcher.scan import Scanner
from matcher.scan_files import scan_paths
from matcher.scoring import ScoringConfig

PEOPLE = people(0, 400)


def _mask_phone(p: str, rng: random.Random) -> str:
    a, b, c = p.split("-")
    return rng.choice([f"{a}-****-{c}", f"{a}-{b[:2]}**-{c}", f"{a}-{b}-**{c[2:]}",
                       f"{a}-{b[:3]}*-{c}", f"{a}-****-****"])


def _mask_name(n: str) -> str:
    return n[0] + "*" * (len(n) - 2) + n[-1] if len(n) > 2 else n[0] + "*"


def _mask_email(e: str) -> str:
    local, domain = e.split("@")
    return local[:2] + "****@" + domain


def _row(p: Person, rng: random.Random, varied: bool) -> dict[str, str]:
    row = {"id": p.id, "name": p.name, "phone": p.phone, "email": p.email,
           "address": p.address, "order": p.order}
    if not varied:
        return row
    roll = rng.random()
    if roll < 0.1:
        row["phone"] = _mask_phone(p.phone, rng)
    elif roll < 0.15:
        row["name"] = _mask_name(p.name)
    elif roll < 0.2:
        row["email"] = _mask_email(p.email)
    elif roll < 0.25:
        row[rng.choice(["phone", "email", "address", "name"])] = ""
    elif roll < 0.28:
        row["phone"] = p.phone.replace("0", "O", 1).replace("1", "l")  # OCR'd
    elif roll < 0.31:
        row["name"] = p.name + "님"
    elif roll < 0.33:
        row["name"] = f"{p.name}({p.address.split()[1]})"  # a note after the name
    elif roll < 0.35:
        row["phone"] = "'" + p.phone  # Excel-quoted
    elif roll < 0.37:
        row["email"] = p.email.upper()
    elif roll < 0.39:
        row["phone"] = p.phone.replace("-", "")
    elif roll < 0.41:
        row["phone"] = "02-" + p.phone[4:]  # a landline: not a mobile
    elif roll < 0.43:
        row["address"] = p.lot_address
    elif roll < 0.45:
        row["name"] = "Kim Minjun"
    elif roll < 0.47:  # a decoy: fits no record
        row["phone"] = f"010-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}"
        row["email"] = ""
    return row


def _csv_cell(v: str, delim: str) -> str:
    return f'"{v}"' if delim in v or '"' in v else v


def _table(rng: random.Random, n: int, *, order: list[str], delim: str = ",",
           header: dict[str, str] | None = None, varied: bool = True, bad: bool = False,
           duplicates: bool = False) -> str:
    who = rng.sample(PEOPLE, n)
    lines = []
    if header is not None:
        lines.append(delim.join(header[c] for c in order))
    for k, p in enumerate(who):
        row = _row(p, rng, varied)
        lines.append(delim.join(_csv_cell(row[c], delim) for c in order))
        if duplicates and k % 7 == 0:
            lines.append(lines[-1])
        if bad and k % 11 == 5:
            q = rng.choice(PEOPLE)
            lines.append(rng.choice([
                f"문의: {q.name} {q.phone} 연락 바람",  # chatter with a record in it
                delim.join([q.id, q.name, q.phone]),  # a row cut short
                delim.join([q.id, q.name, q.phone, q.email, "x", "y", "z", "w"]),  # too long
                "",
                "----- page 2 -----",
            ]))
    return "\n".join(lines) + "\n"


KOREAN = {"id": "회원번호", "name": "이름", "phone": "휴대폰", "email": "이메일",
          "address": "배송지", "order": "최근주문"}
ENGLISH = {"id": "customer_id", "name": "name", "phone": "mobile", "email": "email",
           "address": "address", "order": "item"}
STANDARD = ["id", "name", "phone", "email", "address", "order"]


def _documents() -> dict[str, str]:
    rng = random.Random(13)
    return {
        "plain": _table(rng, 120, order=STANDARD, header=KOREAN, varied=False),
        "varied": _table(rng, 200, order=STANDARD, header=KOREAN),
        "bad rows and chatter": _table(rng, 150, order=STANDARD, header=KOREAN, bad=True),
        "reordered, tabs": _table(rng, 120, order=["email", "address", "name", "id", "phone"],
                                  delim="\t", header=ENGLISH),
        "no header, pipes": _table(rng, 100, order=["phone", "name", "email"], delim="|"),
        "semicolons, duplicated rows": _table(rng, 100, order=STANDARD, delim=";",
                                              header=ENGLISH, duplicates=True),
        "phones and names only": _table(rng, 80, order=["name", "phone"], header=KOREAN),
    }


@pytest.fixture(scope="module")
def scanner(built_home: Path, key: SecretKey) -> Scanner:
    return Scanner(built_home, key)


def _both(scanner: Scanner, text: str) -> tuple[list[tuple], list[tuple], tuple, tuple]:
    out = []
    for columnar in (True, False):
        scanner.columnar = columnar
        try:
            res = scanner.scan_text(text, "doc")
        finally:
            scanner.columnar = True
        r = res.results["coupang"]
        out.append((sorted((m.line, m.record_id, m.score, tuple(m.fields), m.evidence, m.ref,
                            m.odds, m.total_odds) for m in r.matches),
                    (res.candidates, r.candidates, r.matched, round(r.expected, 9),
                     r.odds_hist.tolist())))
    (a, sa), (b, sb) = out
    return a, b, sa, sb


@pytest.mark.parametrize("name", list(_documents()))
def test_columnar_and_line_paths_give_the_same_matches(scanner: Scanner, name: str) -> None:
    text = _documents()[name]
    assert scan_columns.read_table(text) is not None, "the columnar path must be taken"
    columnar, lines, totals_c, totals_l = _both(scanner, text)
    assert len(lines) >= 40  # the documents hold real records
    assert columnar == lines
    assert totals_c == totals_l


def test_small_tables_too(scanner: Scanner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_columns, "MIN_TABLE_ROWS", 0)
    rng = random.Random(5)
    for n in (1, 3, 10):
        text = _table(rng, n, order=STANDARD, header=KOREAN)
        columnar, lines, totals_c, totals_l = _both(scanner, text)
        assert columnar == lines and totals_c == totals_l


def test_cp949_bytes_decode_to_the_same_matches(scanner: Scanner) -> None:
    text = _table(random.Random(7), 100, order=STANDARD, header=KOREAN)
    decoded = decode_bytes(text.encode("cp949"))
    assert decoded == text
    columnar, lines, _, _ = _both(scanner, decoded)
    assert columnar == lines and len(lines) >= 80


def test_quoted_fields_with_delimiters_and_line_breaks(scanner: Scanner) -> None:
    rng = random.Random(3)
    rows = ["이름,휴대폰,배송지,메모"]
    for k, p in enumerate(rng.sample(PEOPLE, 60)):
        memo = '"문 앞에, 놓아 주세요"' if k % 3 == 0 else ('"두 줄\n메모"' if k % 5 == 0 else "")
        rows.append(f'{p.name},{p.phone},"{p.address}",{memo}')
    text = "\n".join(rows) + "\n"
    columnar, lines, _, _ = _both(scanner, text)
    assert columnar == lines and len(lines) == 60


def test_layouts_the_vote_cannot_settle_take_the_line_path(scanner: Scanner) -> None:
    rng = random.Random(9)
    shuffled = "\n".join(",".join(rng.sample([p.name, p.phone, p.email], 3))
                         for p in PEOPLE[:60])
    assert scan_columns.read_table(shuffled) is None  # fields in another order per line
    wide = _table(rng, 60, order=STANDARD, header=KOREAN).replace("010", "０１０")
    assert scan_columns.read_table(wide) is None  # full-width: NFKC first, as extract does
    jsonl = "\n".join(json.dumps({"name": p.name, "phone": p.phone}, ensure_ascii=False)
                      for p in PEOPLE[:60])
    assert scan_columns.read_table(jsonl) is None
    for text in (shuffled, wide, jsonl):
        columnar, lines, _, _ = _both(scanner, text)
        assert columnar == lines and lines


def _scan_file(home: Path, key: SecretKey, path: Path, jsonl: bool) -> list[str]:
    out: list[str] = []
    scan_paths(home, key, [path], corpora=None, config=ScoringConfig(),
               on_match=lambda m: out.append(json.dumps(m.as_json(), ensure_ascii=False)
                                             + "\n"),
               on_document=lambda s: None, workers=1,
               on_jsonl=(lambda b: out.append(b.decode())) if jsonl else None)
    return "".join(out).splitlines()


def test_scan_files_writes_the_same_findings_either_way(
        built_home: Path, key: SecretKey, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Through chunks, the document accumulator and the JSON-lines writer: the same
    findings, in the same order, as Match objects on the line path."""
    path = tmp_path / "dump.csv"
    path.write_text("".join(_documents()[n] for n in ("varied", "bad rows and chatter")))
    # chatter with a few masked lines: matches whose scores are not 1.0
    (tmp_path / "post.txt").write_text("".join(
        f"팝니다 {_mask_name(p.name)} {p.phone[:4]}****{p.phone[8:]} 연락\n"
        for p in PEOPLE[:6]) + f"{PEOPLE[7].name} {PEOPLE[7].email}\n")
    monkeypatch.setattr("matcher.scan_files.CHUNK_BYTES", 4096)  # many chunks, one header
    fast = _scan_file(built_home, key, tmp_path, jsonl=True)
    objects = _scan_file(built_home, key, tmp_path, jsonl=False)
    monkeypatch.setattr(scan_columns, "read_table", lambda text: None)
    line_path = _scan_file(built_home, key, tmp_path, jsonl=False)
    assert len(fast) > 200
    assert fast == objects == line_path
    assert all(json.loads(x)["evidence"].startswith("line ") for x in fast)
    assert any('"score": 1.0,' not in x for x in fast)  # both ways of writing a score


def test_key_directory_answers_as_a_plain_search(
        scanner: Scanner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bucket directory (used by large segments) gives what np.searchsorted gives,
    for keys in keys.bin, keys stored as ordinal lists, and keys that are not there."""
    import numpy as np

    from matcher import key_directory

    seg = scanner.corpora[0].segments[0]
    rng = np.random.default_rng(4)
    stored = seg.keys[rng.integers(0, seg.keys.size, 5000)]
    listed = np.concatenate([lists.hi for lists in seg._lists])
    assert listed.size > 0  # frequent keys (phone blocks, buildings) are lists
    queries = np.concatenate([stored, listed, rng.integers(1, 2**63, 5000, dtype=np.uint64),
                              np.array([0, 2**64 - 1, int(seg.keys[0]), int(seg.keys[-1])],
                                       dtype=np.uint64)])
    rng.shuffle(queries)
    want = seg.lookup(queries)
    assert seg._directory is None
    monkeypatch.setattr(key_directory, "MIN_KEYS", 0)
    got = seg.lookup(queries)
    assert isinstance(seg._directory, key_directory.KeyDirectory)
    assert want[0].size >= 5000 + listed.size
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    d = seg._directory
    for side in ("left", "right"):
        assert np.array_equal(d.searchsorted(queries, side),
                              np.searchsorted(seg.keys, queries, side=side))


def test_stray_and_unbalanced_quotes(scanner: Scanner) -> None:
    """Quotes inside a field, a quote never closed (the rest of the text would be one
    field to a csv reader), a NUL: cut line by line exactly as the line path cuts."""
    rng = random.Random(11)
    rows = ["이름,휴대폰,이메일,메모"]
    for k, p in enumerate(rng.sample(PEOPLE, 80)):
        memo = {0: 'he said "hi"', 1: '"unclosed, memo', 2: "x\x00y"}.get(k % 9, "")
        rows.append(f"{p.name},{p.phone},{p.email},{memo}")
    text = "\n".join(rows) + "\n"
    assert scan_columns.read_table(text) is not None
    columnar, lines, totals_c, totals_l = _both(scanner, text)
    assert columnar == lines and totals_c == totals_l and len(lines) >= 60


def test_split_names_with_every_value_of_some_rows_unusual(scanner: Scanner) -> None:
    """성 / 이름 columns (every row parsed one by one) and rows whose phone and e-mail are
    both masked: rows whose evidence comes wholly from the parsers."""
    rng = random.Random(17)
    rows = ["last_name\tfirst_name\tEMAIL_ADDR\t핸드폰번호"]
    for k, p in enumerate(rng.sample(PEOPLE, 90)):
        email, phone = p.email, p.phone
        if k % 4 == 0:
            email, phone = _mask_email(email), _mask_phone(phone, rng)
        rows.append(f"{p.name[0]}\t{p.name[1:]}\t{email}\t{phone}")
    text = "\n".join(rows) + "\n"
    assert scan_columns.read_table(text) is not None
    columnar, lines, totals_c, totals_l = _both(scanner, text)
    assert columnar == lines and totals_c == totals_l and len(lines) >= 60


def test_text_arrow_cannot_hold_takes_the_line_path(scanner: Scanner) -> None:
    """A lone surrogate (JSON's "\\ud800" decoded by a crawler) has no UTF-8 form."""
    text = _table(random.Random(19), 60, order=STANDARD, header=KOREAN).replace(
        "\n", "\ud800\n", 5)
    assert scan_columns.columnar_candidates(text, scanner.column_hasher) is None
    columnar, lines, _, _ = _both(scanner, text)
    assert columnar == lines and len(lines) >= 40
