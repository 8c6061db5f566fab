"""A road ↔ lot-number lookup table, supplied at ingest, so both forms compare exactly.

Korea's address database is published as rows linking a road address (도로명 + 건물번호)
to the lot address (법정동 + 지번) of the same building. With such a table, ``corpus add``
gives every corpus address its other form as well (as keyed hashes, like every field),
and a leak that writes "역삼동 736-1" finds the customer the corpus knows as
"테헤란로 152" on the lot number itself, not only on the district and unit.

Table format: UTF-8 or CP949 CSV with a header row naming the columns 시도명, 시군구명,
법정읍면동명, 지번본번, 지번부번, 도로명, 건물본번, 건물부번 (or sido, sigungu, dong,
lot_main, lot_sub, road, bldg_main, bldg_sub); a 부번 of 0 or empty means none; other
columns are ignored; a bad row is reported with its line number and skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from dumpwatch.errors import CorpusFormatError
from matcher.normalize.address import Address, parse_address

COLUMNS = {
    "sido": ("시도명", "sido"),
    "sigungu": ("시군구명", "sigungu"),
    "dong": ("법정읍면동명", "dong"),
    "lot_main": ("지번본번", "lot_main"),
    "lot_sub": ("지번부번", "lot_sub"),
    "road": ("도로명", "road"),
    "bldg_main": ("건물본번", "bldg_main"),
    "bldg_sub": ("건물부번", "bldg_sub"),
}
MAX_ERRORS_KEPT = 1000


@dataclass
class AddressTable:
    """(district, road + number) ↔ (district, dong + lot), both as parse_address writes them."""

    road_to_lot: dict[tuple[str, str], str] = field(default_factory=dict)
    lot_to_road: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected: int = 0

    def complete(self, addr: Address | None) -> Address | None:
        """The address with its other form added, when the table knows the building."""
        if addr is None:
            return None
        district = addr.district or addr.province or ""
        if addr.road is not None and addr.lot is None:
            lot = self.road_to_lot.get((district, addr.road))
            if lot is not None:
                return replace(addr, lot=lot, dong=addr.dong or lot.split(" ", 1)[0])
        elif addr.lot is not None and addr.road is None:
            road = self.lot_to_road.get((district, addr.lot))
            if road is not None:
                return replace(addr, road=road)
        return addr


def _number(main: str, sub: str) -> str:
    main, sub = main.strip(), sub.strip()
    if not main.isdigit() or (sub and not sub.isdigit()):
        raise ValueError("building or lot number is not a number")
    main = str(int(main))
    return f"{main}-{int(sub)}" if sub and int(sub) else main


def _header_index(header: list[str]) -> dict[str, int]:
    folded = [h.strip().lstrip("\ufeff").lower() for h in header]
    out: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name.lower() in folded:
                out[key] = folded.index(name.lower())
                break
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in out]
    if missing:
        raise CorpusFormatError(
            f"address table: missing column(s) {', '.join(missing)} "
            f"(header: {', '.join(header)})")
    return out


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CorpusFormatError("address table: neither UTF-8 nor CP949 text")


def load_address_table(path: Path) -> AddressTable:
    """Read the table; bad rows are counted and listed (line, reason), never fatal."""
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise CorpusFormatError(f"address table {path}: cannot read ({exc.strerror})") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CorpusFormatError(f"address table {path}: the file is empty") from None
    idx = _header_index(header)
    table = AddressTable()
    width = max(idx.values()) + 1
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        try:
            if len(row) < width:
                raise ValueError(f"expected at least {width} fields, found {len(row)}")
            place = f"{row[idx['sido']]} {row[idx['sigungu']]}".strip()
            road_no = _number(row[idx["bldg_main"]], row[idx["bldg_sub"]])
            lot_no = _number(row[idx["lot_main"]], row[idx["lot_sub"]])
            dong = row[idx["dong"]].split()[-1] if row[idx["dong"]].strip() else ""
            road_addr = parse_address(f"{place} {row[idx['road']].strip()} {road_no}")
            lot_addr = parse_address(f"{place} {dong} {lot_no}")
            if road_addr is None or road_addr.road is None:
                raise ValueError("road name not recognised")
            if lot_addr is None or lot_addr.lot is None:
                raise ValueError("legal dong not recognised")
        except ValueError as exc:
            table.rejected += 1
            if len(table.errors) < MAX_ERRORS_KEPT:
                table.errors.append((line, str(exc)))
            continue
        district = road_addr.district or road_addr.province or ""
        table.road_to_lot[(district, road_addr.road)] = lot_addr.lot
        table.lot_to_road[(district, lot_addr.lot)] = road_addr.road
        table.rows += 1
    return table
