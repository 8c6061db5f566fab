"""Korean addresses reduced to parts that compare across exports.

Exports disagree on the province (서울특별시 / 서울시 / 서울 / missing), on spacing
(테헤란로12길 / 테헤란로 12길) and on the detail line (101동 1203호 / 101-1203). The
comparable parts are: district (시/군/구), road + building number, and the detail's
numbers. Lot-number (지번) addresses give 동 + lot in place of road + building.
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
_DETAIL_NUM = re.compile(r"(\d+)\s*(동|층|호)")
_DETAIL_PAIR = re.compile(r"^(\d{1,4})-(\d{1,5})$")


@dataclass(frozen=True, slots=True)
class Address:
    province: str | None
    district: str | None
    road: str | None  # "테헤란로12길 34" or, for lot addresses, "역삼동 123-45"
    detail: str | None  # "101동1203호"


def _detail(text: str) -> str | None:
    parts = _DETAIL_NUM.findall(text)
    if parts:
        return "".join(num + unit for num, unit in parts if unit != "층")
    m = _DETAIL_PAIR.match(text.strip())
    if m:
        return f"{m.group(1)}동{m.group(2)}호"
    return None


def parse_address(value: str) -> Address | None:
    text = nfkc(value)
    if "(" in text:  # "(역삼동)" reference notes add nothing comparable
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
    rest_start = i
    for j in range(i, min(n, i + 5)):
        tok = tokens[j]
        m = _ROAD.match(tok)
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
        if m and j + 1 < n and _BLDG.match(tokens[j + 1]):
            road = f"{m.group(1)} {_BLDG.match(tokens[j + 1]).group(1)}"  # type: ignore[union-attr]
            rest_start = j + 2
            break
    if road is None and not districts:
        return None
    if road is None and province is None:
        return None  # a bare "중구" is a word, not an address
    detail = _detail(" ".join(tokens[rest_start:])) if road else None
    # The most specific unit only: leaks often drop the city of "성남시 분당구".
    return Address(province, districts[-1] if districts else None, road, detail)
