"""Korean addresses reduced to parts that compare across exports.

Exports disagree on the province (서울특별시 / 서울시 / 서울 / missing), on spacing
(테헤란로12길 / 테헤란로 12길) and on the detail line (101동 1203호 / 101-1203). The
comparable parts are: district (시/군/구), road + building number, and the detail's
numbers. Lot-number (지번) addresses give legal dong + lot in place of road + building;
the two forms share province, district, legal dong (when a road address writes it in its
"(역삼동)" note), complex name and unit, and are compared only on those levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.normalize.text import nfkc

PROVINCES: dict[str, str] = {}
for _short, _longs in {
    "서울": ["서울특별시", "서울시"],
    "부산": ["부산광역시", "부산시"],
    "대구": ["대구광역시", "대구시"],
    "인천": ["인천광역시", "인천시"],
    "광주": ["광주광역시", "광주시"],
    "대전": ["대전광역시", "대전시"],
    "울산": ["울산광역시", "울산시"],
    "세종": ["세종특별자치시", "세종시"],
    "경기": ["경기도"],
    "강원": ["강원특별자치도", "강원도"],
    "충북": ["충청북도"],
    "충남": ["충청남도"],
    "전북": ["전북특별자치도", "전라북도"],
    "전남": ["전라남도"],
    "경북": ["경상북도"],
    "경남": ["경상남도"],
    "제주": ["제주특별자치도", "제주도"],
}.items():
    PROVINCES[_short] = _short
    for _long in _longs:
        PROVINCES[_long] = _short

_TOKEN = re.compile(r"[가-힣0-9A-Za-z\-]+")
_DISTRICT = re.compile(r"^[가-힣]{1,5}[시군구]$")
_ROAD = re.compile(r"^([가-힣0-9]{1,12}(?:로|길|거리|\d가))(\d+(?:-\d+)?)?$")
_ROAD_NO = re.compile(r"^(\d+(?:번?길))$")
_BLDG = re.compile(r"^(?:지하)?(\d{1,5}(?:-\d{1,4})?)(?:번지)?$")  # 지하: a basement entrance
_DONG = re.compile(r"^([가-힣0-9]{1,8}(?:동|리|가))$")
_DONG_GA = re.compile(r"^[가-힣]+동\d*가$")  # 효자동3가, 평화동1가: legal dongs, not roads
_FLOOR = re.compile(r"^(?:지하)?\d+층$")
_DETAIL_NUM = re.compile(r"(\d+)\s*(동|층|호)")
_DETAIL_PAIR = re.compile(r"(?<![\d-])(\d{1,4})-(\d{1,5})(?![\d-])")


_COMPLEX_SUFFIX = re.compile(r"(?:아파트|APT|apt|빌라|맨션|오피스텔|주상복합)$")
_UNIT_TOKEN = re.compile(r"^\d+(?:동|층|호)|^\d{1,4}-\d{1,5}$|^(?:번지|호|지하|산)$")


@dataclass(frozen=True, slots=True)
class Address:
    province: str | None
    district: str | None
    road: str | None  # road form: "테헤란로12길 34"
    detail: str | None  # "101동1203호"
    lot: str | None = None  # lot form: "역삼동 123-45"
    dong: str | None = None  # legal dong: from the lot form or a road address's note
    complex: str | None = None  # apartment complex: "래미안" ("래미안아파트")

    @property
    def located(self) -> bool:
        """Whether the address pins a building (road + number or dong + lot)."""
        return self.road is not None or self.lot is not None

    @property
    def unit(self) -> str | None:
        """District + unit: the level a road and a lot form of one home always share."""
        return f"{self.district}|{self.detail}" if self.district and self.detail else None


def _detail(text: str) -> str | None:
    parts = _DETAIL_NUM.findall(text)
    if parts:
        return "".join(num + unit for num, unit in parts if unit != "층")
    m = _DETAIL_PAIR.search(text.strip())
    if m:
        return f"{m.group(1)}동{m.group(2)}호"
    return None


def complex_name(text: str) -> str | None:
    """"래미안 아파트" / "래미안아파트" -> "래미안": complex names compare without the suffix."""
    name = _COMPLEX_SUFFIX.sub("", text.replace(" ", ""))
    return name if len(name) >= 2 and any("가" <= c <= "힣" for c in name) else None


def _note(text: str) -> tuple[str | None, str | None]:
    """A road address's "(역삼동, 래미안아파트)" note: legal dong and complex name."""
    dong = cplx = None
    for part in re.split(r"[,·/]", text):
        part = part.strip()
        if _DONG.match(part) and not part[0].isdigit() and dong is None:
            dong = part
        elif part and cplx is None:
            cplx = complex_name(part)
    return dong, cplx


def _complex_after(tokens: list[str]) -> str | None:
    """Hangul words between the building/lot number and the unit: the complex name."""
    words: list[str] = []
    for tok in tokens:
        if _UNIT_TOKEN.match(tok) or tok[0].isdigit() or _FLOOR.match(tok):
            break
        words.append(tok)
    return complex_name("".join(words)) if words and len(words) <= 3 else None


def parse_address(value: str) -> Address | None:
    text = nfkc(value)
    note_dong = note_complex = None
    if "(" in text:  # "(역삼동, 래미안)" reference notes: legal dong and complex
        for note in re.findall(r"\(([^)]*)\)", text):
            d, c = _note(note)
            note_dong, note_complex = note_dong or d, note_complex or c
        text = re.sub(r"\([^)]*\)", " ", text)
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    i, n = 0, len(tokens)
    province = PROVINCES.get(tokens[0])
    if province:
        i = 1
    districts: list[str] = []
    while i < n and len(districts) < 2 and _DISTRICT.match(tokens[i]) and not tokens[i].endswith(
        ("로", "길")
    ):
        districts.append(tokens[i])
        i += 1
    road: str | None = None
    lot: str | None = None
    dong: str | None = None
    rest_start = i
    for j in range(i, min(n, i + 5)):
        tok = tokens[j]
        m = _ROAD.match(tok) if not _DONG_GA.match(tok) else None
        if m:
            name, num = m.group(1), m.group(2)
            k = j + 1
            if num is None and k < n and _ROAD_NO.match(tokens[k]):
                name += tokens[k].replace("번길", "길")
                k += 1
            if num is None and k < n and _BLDG.match(tokens[k]):
                num = _BLDG.match(tokens[k]).group(1)  # type: ignore[union-attr]
                k += 1
            if num:
                road = f"{name} {num}"
                rest_start = k
                break
        m = _DONG.match(tok)
        if m and not tok[0].isdigit():
            k = j + 1
            if k < n and tokens[k] == "산":  # a mountain lot: "산 12-3"
                k += 1
            if k < n and (b := _BLDG.match(tokens[k])):
                num = b.group(1)
                k += 1
                if tokens[k - 1].endswith("번지") and "-" not in num and k < n and (
                        tokens[k].endswith("호") and tokens[k][:-1].isdigit()):
                    num += "-" + tokens[k][:-1]  # "736번지 1호"
                    k += 1
                if "-" not in num and k + 1 < n and tokens[k] == "번지" and (
                        tokens[k + 1].endswith("호") and tokens[k + 1][:-1].isdigit()):
                    num += "-" + tokens[k + 1][:-1]  # "736번지 1호"
                    k += 2
                elif k < n and tokens[k] == "번지":
                    k += 1
                lot = f"{m.group(1)} {num}"
                dong = m.group(1)
                rest_start = k
                break
            if dong is None and j + 1 < n and _ROAD.match(tokens[j + 1]):
                dong = m.group(1)  # "역삼동 테헤란로 152": a dong written before the road
    if road is None and lot is None and not districts:
        return None
    if road is None and lot is None and province is None and not (
            len(districts) == len(tokens) and len(districts[-1]) >= 3):
        return None  # a bare "중구" is a word, not an address; "강남구" alone is a district
    rest = tokens[rest_start:] if road or lot else []
    detail = _detail(" ".join(rest)) if rest else None
    cplx = note_complex or (_complex_after(rest) if rest else None)
    # The most specific unit only: leaks often drop the city of "성남시 분당구".
    district = districts[-1] if districts else ("세종" if province == "세종" else None)
    return Address(province, district, road, detail or None, lot, dong or note_dong, cplx)
