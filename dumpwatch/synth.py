"""A synthetic Korean customer corpus with realistic collision rates.

Faker's ko_KR draws from a few thousand names and mixes landlines into mobiles, which
makes matching look easier or harder than it is. This generator draws surnames by
their real frequencies, given names from weighted syllables, unique 010 numbers from
a bijection over the 10^8 number space (so decoys can be guaranteed absent), road-name
addresses that belong to their district, Korean mail domains and the romanisation
variants people really use in email local parts (Kim/Gim, Lee/Yi/Rhee, Park/Pak/Bak).

Record ``i`` of a seed is always the same person, so a decoy population is simply a
range of indices the corpus did not use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Surname, share of the population (Statistics Korea 2015, rounded), romanisations.
SURNAMES: list[tuple[str, float, tuple[str, ...]]] = [
    ("김", 21.5, ("kim", "gim")), ("이", 14.7, ("lee", "yi", "rhee")),
    ("박", 8.4, ("park", "pak", "bak")), ("최", 4.7, ("choi", "choe")),
    ("정", 4.3, ("jeong", "jung", "chung")), ("강", 2.3, ("kang",)),
    ("조", 2.1, ("cho", "jo")), ("윤", 2.1, ("yoon", "yun")), ("장", 2.0, ("jang", "chang")),
    ("임", 1.7, ("lim", "im")), ("한", 1.5, ("han",)), ("오", 1.5, ("oh", "o")),
    ("서", 1.5, ("seo", "suh")), ("신", 1.4, ("shin", "sin")), ("권", 1.4, ("kwon",)),
    ("황", 1.4, ("hwang",)), ("안", 1.4, ("ahn", "an")), ("송", 1.3, ("song",)),
    ("류", 1.2, ("ryu", "yoo")), ("전", 1.1, ("jeon", "jun")), ("홍", 1.1, ("hong",)),
    ("고", 0.9, ("ko", "go")), ("문", 0.9, ("moon", "mun")), ("양", 0.8, ("yang",)),
    ("손", 0.9, ("son",)), ("배", 0.8, ("bae",)), ("백", 0.7, ("baek",)),
    ("허", 0.6, ("heo", "huh")), ("유", 0.6, ("yoo", "yu")), ("남", 0.5, ("nam",)),
    ("심", 0.5, ("shim", "sim")), ("노", 0.5, ("noh", "roh")), ("하", 0.4, ("ha",)),
    ("곽", 0.4, ("kwak",)), ("성", 0.4, ("sung", "seong")), ("차", 0.4, ("cha",)),
    ("주", 0.4, ("joo", "ju")), ("우", 0.4, ("woo",)), ("구", 0.4, ("koo", "gu")),
    ("민", 0.3, ("min",)), ("나", 0.3, ("na",)), ("진", 0.3, ("jin",)),
    ("지", 0.3, ("ji",)), ("엄", 0.3, ("eom", "um")), ("채", 0.3, ("chae",)),
    ("원", 0.3, ("won",)), ("천", 0.2, ("cheon", "chun")), ("방", 0.2, ("bang",)),
    ("공", 0.2, ("kong",)), ("현", 0.2, ("hyun",)), ("남궁", 0.05, ("namgung",)),
    ("제갈", 0.02, ("jegal",)), ("황보", 0.02, ("hwangbo",)), ("선우", 0.02, ("sunwoo",)),
]  # fmt: skip

GIVEN: list[tuple[str, float, str]] = [
    ("민", 6, "min"), ("준", 6, "jun"), ("서", 6, "seo"), ("연", 5, "yeon"), ("지", 6, "ji"),
    ("우", 5, "woo"), ("현", 5, "hyun"), ("수", 5, "soo"), ("영", 5, "young"), ("은", 5, "eun"),
    ("진", 4, "jin"), ("호", 4, "ho"), ("재", 4, "jae"), ("하", 4, "ha"), ("윤", 4, "yoon"),
    ("예", 3, "ye"), ("도", 3, "do"), ("유", 3, "yu"), ("주", 3, "ju"), ("성", 4, "sung"),
    ("혜", 3, "hye"), ("경", 4, "kyung"), ("정", 4, "jung"), ("승", 3, "seung"), ("태", 3, "tae"),
    ("희", 4, "hee"), ("원", 3, "won"), ("동", 3, "dong"), ("상", 3, "sang"), ("나", 2, "na"),
    ("아", 3, "a"), ("린", 2, "rin"), ("율", 2, "yul"), ("빈", 2, "bin"), ("채", 2, "chae"),
    ("건", 2, "geon"), ("소", 2, "so"), ("다", 2, "da"), ("혁", 2, "hyuk"),
    ("석", 2, "seok"), ("철", 2, "chul"), ("용", 2, "yong"), ("훈", 2, "hoon"), ("규", 2, "kyu"),
    ("한", 1, "han"), ("솔", 1, "sol"), ("별", 1, "byul"), ("미", 3, "mi"), ("보", 1, "bo"),
    ("선", 2, "sun"), ("화", 2, "hwa"), ("순", 2, "soon"), ("옥", 1, "ok"), ("자", 1, "ja"),
    ("숙", 2, "sook"), ("인", 2, "in"), ("기", 2, "ki"), ("범", 1, "beom"), ("형", 2, "hyung"),
    ("찬", 1, "chan"), ("환", 1, "hwan"), ("택", 1, "taek"), ("국", 1, "kuk"), ("란", 1, "ran"),
]  # fmt: skip

# Province (long form), district, roads that exist there.
REGIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("서울특별시", "강남구", ("테헤란로", "강남대로", "도산대로", "논현로", "봉은사로", "선릉로")),
    ("서울특별시", "서초구", ("서초대로", "반포대로", "방배로", "사평대로")),
    ("서울특별시", "송파구", ("올림픽로", "송파대로", "오금로", "백제고분로")),
    ("서울특별시", "마포구", ("월드컵로", "양화로", "독막로", "마포대로")),
    ("서울특별시", "노원구", ("동일로", "노원로", "상계로", "한글비석로")),
    ("서울특별시", "관악구", ("관악로", "남부순환로", "봉천로", "신림로")),
    ("서울특별시", "종로구", ("세종대로", "종로", "율곡로", "자하문로")),
    ("서울특별시", "중구", ("세종대로", "을지로", "퇴계로", "다산로")),
    ("부산광역시", "해운대구", ("해운대로", "센텀중앙로", "좌동순환로", "달맞이길")),
    ("부산광역시", "부산진구", ("중앙대로", "가야대로", "새싹로", "동평로")),
    ("부산광역시", "중구", ("중앙대로", "광복로", "대청로")),
    ("대구광역시", "수성구", ("달구벌대로", "동대구로", "수성로", "들안로")),
    ("인천광역시", "연수구", ("컨벤시아대로", "센트럴로", "송도과학로", "경원대로")),
    ("인천광역시", "중구", ("공항로", "영종대로", "참외전로")),
    ("광주광역시", "서구", ("상무대로", "무진대로", "화운로")),
    ("대전광역시", "유성구", ("대학로", "한밭대로", "유성대로", "엑스포로")),
    ("울산광역시", "남구", ("삼산로", "번영로", "문수로")),
    ("세종특별자치시", "", ("한누리대로", "도움8로", "갈매로", "다솜로")),
    ("경기도", "성남시 분당구", ("판교역로", "분당로", "황새울로", "불정로", "정자일로")),
    ("경기도", "수원시 영통구", ("광교로", "봉영로", "매영로", "영통로")),
    ("경기도", "고양시 일산동구", ("중앙로", "일산로", "정발산로", "강송로")),
    ("경기도", "용인시 수지구", ("수지로", "풍덕천로", "신수로", "포은대로")),
    ("경기도", "화성시", ("동탄대로", "동탄순환대로", "병점중앙로", "향남로")),
    ("경기도", "김포시", ("김포한강로", "김포대로", "태장로", "풍무로")),
    ("강원특별자치도", "춘천시", ("중앙로", "후석로", "금강로", "공지로")),
    ("충청북도", "청주시 흥덕구", ("가경로", "강서로", "직지대로")),
    ("충청남도", "천안시 서북구", ("불당대로", "번영로", "성정로")),
    ("전북특별자치도", "전주시 완산구", ("팔달로", "효자로", "홍산로")),
    ("전라남도", "여수시", ("여수시청로", "좌수영로", "시청로")),
    ("경상북도", "포항시 남구", ("포스코대로", "희망대로", "연일로")),
    ("경상남도", "창원시 성산구", ("중앙대로", "원이대로", "창이대로")),
    ("제주특별자치도", "제주시", ("연삼로", "노형로", "중앙로", "연북로")),
]

DOMAINS = [("naver.com", 42), ("gmail.com", 20), ("daum.net", 10), ("hanmail.net", 10),
           ("kakao.com", 6), ("nate.com", 7), ("outlook.com", 3), ("korea.kr", 1),
           ("hotmail.com", 1)]  # fmt: skip

PRODUCTS = [
    "제주 삼다수 2L 12병", "햇반 210g 24개", "곰곰 무항생제 특란 30구", "신라면 멀티팩 5개입",
    "에어팟 프로 2세대", "갤럭시 버즈3", "다이슨 V15 무선청소기", "코멧 물티슈 100매 10팩",
    "비비고 왕교자 1.05kg", "탐사 세탁세제 3L", "맥심 모카골드 180T", "하기스 기저귀 4단계",
    "로지텍 MX Master 3S", "삼성 27인치 모니터", "LG 그램 16 노트북", "쿠쿠 전기밥솥 6인용",
    "나이키 에어포스 1 270", "아디다스 삼바 OG", "닌텐도 스위치 OLED", "애플워치 SE 44mm",
    "필립스 전동칫솔", "오뚜기 진라면 매운맛 20봉", "풀무원 두부 300g 3입", "CJ 스팸 200g 6캔",
    "락앤락 밀폐용기 세트", "한샘 책상 1200", "이케아 포엥 의자", "시디즈 T50 의자",
    "아이패드 에어 11", "샤오미 보조배터리 20000", "동원참치 150g 10캔", "매일우유 1L 6팩",
]  # fmt: skip

_SUR = np.array([s for s, _, _ in SURNAMES], dtype=object)
_SUR_P = np.array([w for _, w, _ in SURNAMES]) / sum(w for _, w, _ in SURNAMES)
_GIV = np.array([g for g, _, _ in GIVEN], dtype=object)
_GIV_P = np.array([w for _, w, _ in GIVEN], dtype=float) / sum(w for _, w, _ in GIVEN)
_ROM_SUR = {s: r for s, _, r in SURNAMES}
_ROM_GIV = {g: r for g, _, r in GIVEN}
_DOM = np.array([d for d, _ in DOMAINS], dtype=object)
_DOM_P = np.array([w for _, w in DOMAINS], dtype=float) / sum(w for _, w in DOMAINS)

PHONE_SPACE = 100_000_000
_DAY0 = dt.date(2025, 1, 1)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    phone: str  # 010-1234-5678
    email: str
    address: str  # long form: 서울특별시 강남구 테헤란로 123, 101동 1203호
    order: str
    order_date: str = ""  # YYYY-MM-DD of the recent order
    lot_address: str = ""  # the same home in lot-number form: 서울특별시 강남구 역삼동 736-1 …


# Legal dongs and complexes are derived from the building, so one building always has
# one lot address (as in the real address database) without another random stream.
_DONG_STEMS = ["신", "중앙", "남", "북", "상", "하", "월", "송", "대", "명", "청", "용", "금",
               "수", "봉", "역삼", "삼성", "대치", "우", "좌", "반", "방", "성", "연"]
COMPLEXES = ["래미안", "자이", "푸르지오", "힐스테이트", "아이파크", "롯데캐슬", "더샵",
             "e편한세상"]


def building_lot(region: int, road: str, bldg: int) -> tuple[str, int, int, str]:
    """(legal dong, lot main, lot sub, complex name) of a building."""
    h = zlib.crc32(f"{region}|{road}|{bldg}".encode())
    a, b = _DONG_STEMS[h % len(_DONG_STEMS)], _DONG_STEMS[(h >> 5) % len(_DONG_STEMS)]
    dong = (a + b if a != b else a) + ("동" if (h >> 10) % 9 else "1동")
    return dong, 1 + (h >> 12) % 1500, (h >> 23) % 4, COMPLEXES[(h >> 26) % len(COMPLEXES)]

def _affine(seed: int, modulus: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed ^ 0x5EED)
    while True:
        a = int(rng.integers(modulus // 3, modulus - 1))
        if a % 2 and a % 5:
            return a, int(rng.integers(0, modulus))


def people(start: int, count: int, seed: int = 7) -> list[Person]:
    """Persons ``start .. start+count-1`` of the population drawn with ``seed``."""
    return list(iter_people(start, count, seed))


_BLOCK = 4096  # draws are made per aligned block, so person i never depends on the range asked


def iter_people(start: int, count: int, seed: int = 7) -> Iterator[Person]:
    a, b = _affine(seed, PHONE_SPACE)
    c, d = _affine(seed + 1, PHONE_SPACE)
    end = start + count
    for block in range(start // _BLOCK, (end - 1) // _BLOCK + 1 if count > 0 else 0):
        lo = block * _BLOCK
        n = _BLOCK
        idx = np.arange(lo, lo + n, dtype=np.int64)
        rng = np.random.default_rng([seed, block])
        sur = rng.choice(len(_SUR), n, p=_SUR_P)
        g1 = rng.choice(len(_GIV), n, p=_GIV_P)
        g2 = rng.choice(len(_GIV), n, p=_GIV_P)
        one_syllable = rng.random(n) < 0.04
        rom_pick = rng.integers(0, 3, n)
        pattern = rng.integers(0, 4, n)
        dom = rng.choice(len(_DOM), n, p=_DOM_P)
        region = rng.integers(0, len(REGIONS), n)
        road_pick = rng.integers(0, 8, n)
        side_street = rng.random(n) < 0.3
        street_no = rng.integers(1, 60, n)
        bldg = rng.integers(1, 400, n)
        apt = rng.random(n) < 0.55
        dong = rng.integers(101, 120, n)
        floor = rng.integers(1, 25, n)
        unit = rng.integers(1, 6, n)
        product = rng.integers(0, len(PRODUCTS), n)
        # Two affine maps around a half swap: a bijection on 10^8 with no visible stride.
        x = (idx * a + b) % PHONE_SPACE
        x = (x % 10_000) * 10_000 + x // 10_000
        phones = (x * c + d) % PHONE_SPACE
        year = rng.integers(60, 100, n) % 100
        order_day = rng.integers(0, 365, n)  # drawn last: earlier draws stay as they were
        for i in range(max(start - lo, 0), min(n, end - lo)):
            s = _SUR[sur[i]]
            given = _GIV[g1[i]] if one_syllable[i] else _GIV[g1[i]] + _GIV[g2[i]]
            sroms = _ROM_SUR[s]
            srom = sroms[rom_pick[i] % len(sroms)]
            grom = "".join(_ROM_GIV[c] for c in given)
            uid = int(idx[i])
            p = pattern[i]
            # The index suffix keeps every email unique, as a real mail system would.
            if p == 0:
                local = f"{grom}{srom}{uid}"
            elif p == 1:
                local = f"{srom}.{grom}{uid}"
            elif p == 2:
                local = f"{srom}{grom}{year[i]:02d}{uid}"
            else:
                local = f"{grom}{uid}"
            prov, dist, roads = REGIONS[region[i]]
            road = roads[road_pick[i] % len(roads)]
            if side_street[i]:
                road = f"{road}{street_no[i]}길"
            place = f"{prov} {dist}" if dist else prov
            addr = f"{place} {road} {bldg[i]}"
            legal, lot_main, lot_sub, cplx = building_lot(int(region[i]), road, int(bldg[i]))
            lot = f"{place} {legal} {lot_main}" + (f"-{lot_sub}" if lot_sub else "")
            if apt[i]:
                addr += f", {dong[i]}동 {floor[i]}{unit[i]:02d}호"
                lot += f" {cplx}아파트 {dong[i]}동 {floor[i]}{unit[i]:02d}호"
            ph = int(phones[i])
            yield Person(
                id=f"C{uid:09d}",
                name=s + given,
                phone=f"010-{ph // 10000:04d}-{ph % 10000:04d}",
                email=f"{local}@{_DOM[dom[i]]}",
                address=addr,
                order=PRODUCTS[product[i]],
                order_date=(_DAY0 + dt.timedelta(days=int(order_day[i]))).isoformat(),
                lot_address=lot,
            )


CORPUS_HEADER = ["customer_id", "이름", "휴대폰", "이메일", "배송지", "최근주문"]


def write_corpus_csv(path: Path, count: int, seed: int = 7, start: int = 0,
                     encoding: str = "utf-8", order_dates: bool = False) -> None:
    """Write a corpus file with Korean headers, as an export from a shop's database;
    ``order_dates`` adds the recent order's date (a 주문일 column)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CORPUS_HEADER + (["주문일"] if order_dates else []))
        buf = io.StringIO()
        bw = csv.writer(buf)
        for k, p in enumerate(iter_people(start, count, seed)):
            bw.writerow([p.id, p.name, p.phone, p.email, p.address, p.order] +
                        ([p.order_date] if order_dates else []))
            if k % 50_000 == 49_999:
                fh.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
        fh.write(buf.getvalue())


ADDRESS_TABLE_HEADER = ["시도명", "시군구명", "법정읍면동명", "지번본번", "지번부번", "도로명",
                        "건물본번", "건물부번"]


def write_address_table(path: Path, persons: list[Person]) -> int:
    """A road <-> lot table (the national address database's shape) for the buildings of
    ``persons``, for ``corpus add --address-table``; returns the number of rows."""
    rows: set[tuple[str, ...]] = set()
    for p in persons:
        road_part = p.address.split(",")[0].split()
        n = len(road_part)
        lot_part = p.lot_address.split()
        main, _, sub = lot_part[n - 1].partition("-")
        rows.add((road_part[0], " ".join(road_part[1:n - 2]), lot_part[n - 2], main, sub,
                  road_part[n - 2], road_part[n - 1], ""))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ADDRESS_TABLE_HEADER)
        w.writerows(sorted(rows))
    return len(rows)
