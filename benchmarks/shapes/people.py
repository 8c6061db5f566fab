"""A Korean online retailer's customers, written from scratch for the shapes evaluation.

Independent of dumpwatch/synth.py on purpose: own surname frequencies (2015 census shares),
a given-name pool mixing popular names of several generations with free syllable pairs (so
names collide the way real ones do), road addresses in the official 도로명 form with a lot
(지번) twin for every building, households that share an address or a landline, emails in
the romanisation habits of Korean users, and one recent order per customer.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

# --- names ------------------------------------------------------------------------------

# surname, per-mille share (Statistics Korea 2015, rounded; rare ones lumped at the tail)
SURNAMES = [
    ("김", 215), ("이", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 24), ("조", 21),
    ("윤", 21), ("장", 20), ("임", 17), ("한", 15), ("오", 15), ("서", 15), ("신", 15),
    ("권", 14), ("황", 14), ("안", 13), ("송", 13), ("전", 11), ("홍", 11), ("유", 13),
    ("고", 9), ("문", 9), ("양", 9), ("손", 9), ("배", 8), ("백", 7), ("허", 6), ("남", 5),
    ("심", 5), ("노", 5), ("하", 5), ("곽", 4), ("성", 4), ("차", 4), ("주", 4), ("우", 4),
    ("구", 4), ("민", 3), ("류", 3), ("나", 3), ("진", 3), ("지", 3), ("엄", 3), ("채", 3),
    ("원", 3), ("천", 2), ("방", 2), ("공", 2), ("현", 2), ("함", 2), ("변", 2), ("염", 2),
    ("여", 1), ("추", 1), ("도", 1), ("소", 1), ("석", 1), ("선", 1), ("설", 1), ("마", 1),
    ("길", 1), ("연", 1), ("위", 1), ("표", 1), ("명", 1), ("기", 1), ("반", 1), ("왕", 1),
    ("금", 1), ("옥", 1), ("육", 1), ("인", 1), ("맹", 1), ("제", 1), ("모", 1), ("탁", 1),
    ("남궁", 1), ("황보", 1), ("제갈", 1), ("선우", 1), ("독고", 1), ("사공", 1),
]

# popular given names across birth decades 1950s–2010s (drawn Zipf-like: collisions)
POPULAR = (
    "민준 서준 도윤 예준 시우 하준 지호 주원 지후 준우 서연 서윤 지우 서현 민서 하은 하윤 윤서 "
    "지유 채원 지훈 동현 현우 준호 민재 성민 승현 지원 수빈 예은 지민 유진 민지 수진 지현 은지 "
    "혜진 지영 지은 미영 은영 현주 미경 정희 영희 순자 영숙 정숙 영자 경숙 영수 영호 영철 성수 "
    "상철 정호 성호 민수 상훈 성진 재현 동훈 준영 태현 승민 건우 우진 선우 연우 유준 정우 승우 "
    "수아 지아 다은 예린 소윤 하린 가은 아린 나연 수연 은서 혜원 소연 민경 보람 슬기 아름 "
    "한결 하늘 다솜 가람"
).split()
FIRST_SYL = list("민서지도예시하주준수현성영정승재동상진태우건유경은혜미소다아나가보채윤연"
                 "희선창용석규한종대광병기세원형인철호주명덕")
SECOND_SYL = list("준윤우호훈민서연현진수영희숙자경은주아린원빈지혁석철식환균규성기범찬율"
                  "후헌결솔람별비담솜나정미선애옥")

# revised romanisation by jamo (passport style: no sound changes across syllables)
_L = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k",
      "t", "p", "h"]
_V = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
      "we", "wi", "yu", "eu", "ui", "i"]
_T = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
      "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
SURNAME_ROMAN = {
    "김": ["kim", "gim"], "이": ["lee", "yi", "rhee", "i"], "박": ["park", "pak", "bak"],
    "최": ["choi", "choe"], "정": ["jung", "jeong", "chung"], "강": ["kang", "gang"],
    "조": ["cho", "jo"], "윤": ["yoon", "yun"], "장": ["jang", "chang"], "임": ["lim", "im"],
    "오": ["oh", "o"], "신": ["shin", "sin"], "서": ["seo", "suh"], "권": ["kwon", "gwon"],
    "안": ["ahn", "an"], "유": ["yoo", "yu"], "류": ["ryu", "yoo"], "전": ["jeon", "chun"],
    "고": ["ko", "go"], "문": ["moon", "mun"], "손": ["son", "sohn"], "백": ["baek", "paik"],
    "노": ["noh", "roh"], "성": ["sung", "seong"], "주": ["joo", "ju"], "우": ["woo", "u"],
    "구": ["koo", "gu"], "나": ["na", "ra"], "엄": ["eom", "um"], "천": ["cheon", "chun"],
    "공": ["kong", "gong"], "현": ["hyun"], "변": ["byun"], "추": ["choo"], "선": ["sun"],
    "금": ["keum"], "육": ["yook"], "국": ["kook"], "명": ["myung"], "기": ["ki"],
    "곽": ["kwak"], "차": ["cha"], "선우": ["sunwoo"],
}


def romanize_syllable(s: str) -> str:
    code = ord(s) - 0xAC00
    if not 0 <= code < 11172:
        return s
    return _L[code // 588] + _V[(code % 588) // 28] + _T[code % 28]


def romanize_given(given: str, rng: random.Random | None = None) -> str:
    """민준 → minjun; with rng, the looser spellings people choose (joon, hyun, suh)."""
    parts = [romanize_syllable(s) for s in given]
    if rng is not None:
        swaps = [("eo", "u"), ("u", "oo"), ("i", "ee")]
        parts = [p.replace(a, b, 1) if rng.random() < 0.25 and a in p else p
                 for p in parts for a, b in [rng.choice(swaps)]]
    return "".join(parts)


def romanize_surname(sur: str, rng: random.Random | None = None) -> str:
    forms = SURNAME_ROMAN.get(sur) or ["".join(romanize_syllable(s) for s in sur)]
    if rng is None:
        return forms[0]
    return forms[0] if rng.random() < 0.7 else rng.choice(forms)


# --- addresses --------------------------------------------------------------------------

SIDO_SHORT = {
    "서울특별시": "서울", "부산광역시": "부산", "대구광역시": "대구", "인천광역시": "인천",
    "광주광역시": "광주", "대전광역시": "대전", "울산광역시": "울산", "세종특별자치시": "세종",
    "경기도": "경기", "강원특별자치도": "강원", "충청북도": "충북", "충청남도": "충남",
    "전북특별자치도": "전북", "전라남도": "전남", "경상북도": "경북", "경상남도": "경남",
    "제주특별자치도": "제주",
}
AREA_CODE = {"서울": "02", "부산": "051", "대구": "053", "인천": "032", "광주": "062",
             "대전": "042", "울산": "052", "세종": "044", "경기": "031", "강원": "033",
             "충북": "043", "충남": "041", "전북": "063", "전남": "061", "경북": "054",
             "경남": "055", "제주": "064"}

# sido | sigungu | legal dongs | roads   (weights follow population roughly)
REGIONS = """
서울특별시|강남구|역삼동 삼성동 대치동 논현동 개포동 도곡동|\
테헤란로 강남대로 언주로 선릉로 도산대로 봉은사로|9
서울특별시|서초구|서초동 반포동 방배동 잠원동 양재동|\
서초대로 반포대로 방배로 남부순환로 효령로|7
서울특별시|송파구|잠실동 신천동 가락동 문정동 방이동 오금동|\
올림픽로 송파대로 잠실로 백제고분로 오금로|9
서울특별시|마포구|합정동 망원동 서교동 공덕동 상암동 연남동|\
월드컵로 양화로 독막로 마포대로 성미산로|6
서울특별시|노원구|상계동 중계동 하계동 공릉동 월계동|\
동일로 노원로 상계로 한글비석로 공릉로|7
서울특별시|관악구|봉천동 신림동 남현동|\
관악로 남부순환로 신림로 봉천로|6
서울특별시|강서구|화곡동 등촌동 가양동 마곡동 염창동|\
강서로 공항대로 양천로 화곡로 마곡중앙로|7
서울특별시|은평구|불광동 응암동 진관동 녹번동 역촌동|\
통일로 은평로 연서로 진관2로|5
부산광역시|해운대구|우동 중동 좌동 재송동 반여동|\
해운대로 센텀중앙로 좌동순환로 달맞이길|5
부산광역시|부산진구|부전동 전포동 양정동 범천동 개금동|\
중앙대로 서면로 동평로 가야대로|4
대구광역시|수성구|범어동 만촌동 황금동 지산동 시지동|\
달구벌대로 동대구로 수성로 청수로|5
인천광역시|연수구|송도동 연수동 동춘동 청학동|\
컨벤시아대로 송도과학로 청량로 함박뫼로|5
대전광역시|유성구|봉명동 궁동 도룡동 지족동 관평동|\
대학로 유성대로 엑스포로 노은로|4
광주광역시|서구|치평동 쌍촌동 화정동 풍암동|\
상무대로 치평로 무진대로 화운로|4
울산광역시|남구|삼산동 달동 신정동 무거동|\
삼산로 번영로 문수로 대공원로|3
세종특별자치시||어진동 나성동 도담동 보람동 새롬동|\
한누리대로 도움1로 보듬3로 나리로|3
경기도|성남시 분당구|정자동 서현동 삼평동 수내동 야탑동 구미동|\
판교역로 분당로 황새울로 정자일로 성남대로|9
경기도|수원시 영통구|영통동 매탄동 이의동 원천동 망포동|\
광교중앙로 영통로 매영로 봉영로|8
경기도|고양시 일산동구|장항동 마두동 백석동 식사동 풍동|\
중앙로 일산로 정발산로 호수로|7
경기도|용인시 수지구|풍덕천동 죽전동 상현동 성복동 동천동|\
포은대로 수지로 풍덕천로 문인로|7
경기도|화성시|반송동 청계동 영천동 오산동 능동|\
동탄대로 동탄순환대로 노작로 떡전골로|8
경기도|부천시|중동 상동 심곡동 역곡동 소사본동|\
길주로 부천로 송내대로 소사로|6
강원특별자치도|춘천시|퇴계동 석사동 후평동 온의동|\
중앙로 퇴계로 후석로 동내로|3
충청북도|청주시 흥덕구|가경동 복대동 봉명동 강서동|\
직지대로 가경로 복대로 2순환로|4
충청남도|천안시 서북구|불당동 두정동 쌍용동 성정동|\
불당대로 번영로 두정로 쌍용대로|4
전북특별자치도|전주시 완산구|효자동3가 서신동 평화동1가 중화산동2가|\
효자로 홍산로 서신로 용머리로|3
전라남도|순천시|조례동 연향동 왕지동 덕암동|\
연향번영길 조례로 왕지로 해룡로|2
경상북도|포항시 남구|대잠동 이동 지곡동 효자동|\
포스코대로 대이로 지곡로 새천년대로|3
경상남도|창원시 성산구|상남동 중앙동 용호동 사파동|\
중앙대로 창원대로 원이대로 용지로|5
제주특별자치도|제주시|노형동 연동 이도이동 아라동|\
연북로 노형로 신대로 중앙로|3
"""

BRANDS = ["래미안", "힐스테이트", "자이", "e편한세상", "푸르지오", "아이파크", "롯데캐슬",
          "더샵", "SK뷰", "두산위브", "센트레빌", "한신더휴", "호반베르디움", "우미린",
          "주공", "현대", "삼성", "한양수자인", "금호어울림", "꿈에그린"]
PLACE_TAILS = ["", "", "1단지", "2단지", "3차", "센트럴", "퍼스트", "리버파크", "파크뷰",
               "에듀포레"]


@dataclass(frozen=True)
class Building:
    sido: str
    sigungu: str
    dong: str
    road: str
    bno: int
    bsub: int
    lno: int
    lsub: int
    complex: str  # apartment/villa/officetel name, "" for a house

    @property
    def road_no(self) -> str:
        return f"{self.bno}-{self.bsub}" if self.bsub else str(self.bno)

    @property
    def lot_no(self) -> str:
        return f"{self.lno}-{self.lsub}" if self.lsub else str(self.lno)

    @property
    def is_apartment(self) -> bool:
        return any(b in self.complex for b in BRANDS)


@dataclass(frozen=True)
class Address:
    bld: Building
    unit: str  # "101동 1203호", "302호", "2층", ""


@dataclass
class Person:
    rid: str
    sur: str
    given: str
    phone: str  # digits only, e.g. 01023456789 / 0215551234
    email: str
    addr: Address
    item: str
    odate: dt.date
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.sur + self.given


ITEMS = """
삼다수 2L 12개|코카콜라 제로 355ml 24캔|햇반 210g 24개|신라면 멀티팩 20봉|곰곰 무항생제 계란 30구
탐사 물티슈 100매 10팩|크리넥스 3겹 데코앤소프트 30롤|다우니 섬유유연제 2.6L|비비고 왕교자 1.05kg
애플 에어팟 프로 2세대|삼성전자 갤럭시 버즈3|로지텍 MX Master 3S 마우스|샤오미 보조배터리 20000mAh
하기스 네이처메이드 기저귀 4단계|매일 바이오 요거트 플레인 12개|서울우유 1L 2팩
맥심 모카골드 커피믹스 210T
닥터지 선크림 50ml|라운드랩 독도 토너 500ml|메디힐 마스크팩 10매|아이깨끗해 핸드워시 리필 450ml
필립스 전동칫솔 소닉케어|쿠쿠 전기밥솥 6인용|테팔 프라이팬 28cm|락앤락 밀폐용기 10종 세트
나이키 에어포스1 270mm|아디다스 트레이닝 팬츠 L|유니클로 히트텍 크루넥 M|크록스 클래식 클로그
종이컵 6.5oz 1000개|3M 포스트잇 노트 654|모나미 153 볼펜 12자루|A4 복사용지 2500매
로얄캐닌 인도어 캣 4kg|풀무원 국산콩 두부 300g|CJ 스팸 클래식 200g 6개|오뚜기 진라면 매운맛 5입
레고 클래식 11013|아이패드 10세대 케이스|무선 충전기 15W|차량용 휴대폰 거치대|캠핑 의자 경량
""".strip().replace("\n", "|").split("|")


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]):
    names = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return lambda: rng.choices(names, weights)[0]


class CustomerFactory:
    """Draws customers (and non-customers for decoys) from one seeded world."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.surname = _weighted(rng, SURNAMES)
        self.regions: list[tuple[str, str, list[str], list[str]]] = []
        weights = []
        for line in REGIONS.strip().splitlines():
            sido, sgg, dongs, roads, w = line.split("|")
            self.regions.append((sido, sgg, dongs.split(), roads.split()))
            weights.append(int(w))
        self.region_weights = weights
        self.popular_w = [1 / (i + 20) for i in range(len(POPULAR))]
        self.buildings: list[Building] = []
        self.complexes: list[Building] = []
        self._road_taken: set[tuple] = set()
        self._lot_taken: set[tuple] = set()
        self._units_taken: set[tuple] = set()
        self._phones: set[str] = set()
        self._emails: set[str] = set()
        self._ids: set[str] = set()

    # ---- pieces
    def given_name(self) -> str:
        r = self.rng.random()
        if r < 0.30:  # the top full name ends up near 0.2% of customers, as 김영숙 is
            return self.rng.choices(POPULAR, self.popular_w)[0]
        if r < 0.97:
            return self.rng.choice(FIRST_SYL) + self.rng.choice(SECOND_SYL)
        if r < 0.99:
            return self.rng.choice(SECOND_SYL)
        return self.rng.choice(["하늘", "가람", "새봄", "다온"]) + self.rng.choice("이별빛솔")

    def _new_building(self, complex_name: str = "") -> Building:
        rng = self.rng
        while True:
            sido, sgg, dongs, roads = rng.choices(self.regions, self.region_weights)[0]
            road = rng.choice(roads)
            bno = int(rng.paretovariate(1.1) * 8) % 900 + 1
            bsub = rng.choice([0] * 8 + [1, 2, 3, 5, 7, 11])
            dong = rng.choice(dongs)
            lno = rng.randint(1, 1999)
            lsub = rng.choice([0] * 4 + list(range(1, 40)))
            rk, lk = (sido, sgg, road, bno, bsub), (sido, sgg, dong, lno, lsub)
            if rk in self._road_taken or lk in self._lot_taken:
                continue
            self._road_taken.add(rk)
            self._lot_taken.add(lk)
            b = Building(sido, sgg, dong, road, bno, bsub, lno, lsub, complex_name)
            self.buildings.append(b)
            return b

    def _apartment_name(self, dong: str) -> str:
        place = re.sub(r"(\d*동)?(\d+가)?$", "", dong)  # 효자동3가 → 효자
        place = place if len(place) >= 2 else dong
        return self.rng.choice(BRANDS) + self.rng.choice([place, "", place]) + \
            self.rng.choice(PLACE_TAILS)

    def address(self) -> Address:
        rng = self.rng
        r = rng.random()
        if r < 0.55:  # apartment complex: reuse one, or open a new one
            if not self.complexes or rng.random() < 0.04:
                b = self._new_building("tmp")
                b2 = Building(**{**b.__dict__, "complex": self._apartment_name(b.dong)})
                self.buildings[-1] = b2
                self.complexes.append(b2)
            b = rng.choice(self.complexes)
            while True:
                unit = f"{rng.randint(101, 125)}동 {rng.randint(1, 35)}{rng.randint(1, 8):02d}호"
                if (b, unit) not in self._units_taken:
                    self._units_taken.add((b, unit))
                    return Address(b, unit)
        if r < 0.80:  # villa / officetel with a unit number
            kind = rng.choice(["빌라", "빌", "하우스", "오피스텔", "맨션", "타워"])
            b = self._new_building(rng.choice(["행복", "그린", "하이", "청솔", "대성", "한빛",
                                               "동아", "미소", "썬", "로얄"]) + kind)
            return Address(b, f"{rng.randint(1, 6)}0{rng.randint(1, 4)}호")
        b = self._new_building("")
        return Address(b, rng.choice(["", "", "2층", "1층", "지하1층"]))

    def mobile(self) -> str:
        while True:
            p = "010" + str(self.rng.randint(2000, 9999)) + f"{self.rng.randint(0, 9999):04d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def phone(self, sido: str) -> str:
        r = self.rng.random()
        if r < 0.9:
            return self.mobile()
        while True:
            if r < 0.94:
                p = "070" + str(self.rng.randint(4000, 8999)) + f"{self.rng.randint(0, 9999):04d}"
            else:
                code = AREA_CODE[SIDO_SHORT[sido]]
                mid = str(self.rng.randint(2000, 9999) if code == "02" and self.rng.random() < .6
                          else self.rng.randint(200, 999))
                p = code + mid + f"{self.rng.randint(0, 9999):04d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def email(self, sur: str, given: str) -> str:
        rng = self.rng
        s, g = romanize_surname(sur, rng), romanize_given(given, rng)
        initials = "".join(romanize_syllable(c)[0] for c in given)
        year = rng.choice([str(rng.randint(1955, 2006)), f"{rng.randint(55, 99)}",
                           f"{rng.randint(0, 6):02d}"])
        style = rng.random()
        if style < 0.2:
            local = f"{g}{s}"
        elif style < 0.35:
            local = f"{s}{g}"
        elif style < 0.45:
            local = f"{g}.{s}"
        elif style < 0.6:
            local = f"{initials}{s}" if rng.random() < .5 else f"{s}{initials}"
        elif style < 0.7:
            local = f"{s}_{g}"
        else:
            local = rng.choice(["sky", "happy", "sunny", "blue", "dream", "star", "lovely",
                                "angel", "tiger", "music", "coffee", "ssong", "jjang", "hana",
                                "mint", "cherry", "gomdori", "haru", "luna", "rain"])
            local += rng.choice([s, initials, "", g[:3]])
        if rng.random() < 0.6:
            birthday = f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            local += year if rng.random() < 0.7 else birthday
        domain = rng.choices(["naver.com", "gmail.com", "daum.net", "hanmail.net", "nate.com",
                              "kakao.com", "hotmail.com", "korea.com", "yahoo.co.kr"],
                             [45, 25, 9, 8, 5, 3, 2, 2, 1])[0]
        email = f"{local}@{domain}"
        while email in self._emails:
            email = f"{local}{rng.randint(1, 999)}@{domain}"
        self._emails.add(email)
        return email

    def order(self) -> tuple[str, dt.date]:
        day = dt.date(2024, 6, 1) + dt.timedelta(days=self.rng.randint(0, 547))
        return self.rng.choice(ITEMS), day

    def record_id(self) -> str:
        while True:
            rid = f"CP{self.rng.randint(10**8, 10**9 - 1)}"
            if rid not in self._ids:
                self._ids.add(rid)
                return rid

    def person(self, household_of: Person | None = None) -> Person:
        if household_of is not None:  # family member: same address, maybe same landline
            sur = household_of.sur if self.rng.random() < 0.5 else self.surname()
            addr = household_of.addr
            phone = household_of.phone if (not household_of.phone.startswith("010")
                                            and self.rng.random() < 0.5) else self.mobile()
        else:
            sur = self.surname()
            addr = self.address()
            phone = self.phone(addr.bld.sido)
        given = self.given_name()
        item, day = self.order()
        return Person(self.record_id(), sur, given, phone, self.email(sur, given), addr, item,
                      day)

    def customers(self, n: int) -> list[Person]:
        out: list[Person] = []
        for _ in range(n):
            fam = out[self.rng.randrange(len(out))] if out and self.rng.random() < 0.04 else None
            out.append(self.person(fam))
        return out


# --- files ------------------------------------------------------------------------------

CORPUS_HEADER = ["회원번호", "고객명", "휴대전화", "이메일주소", "배송지주소", "최근주문내역"]
CORPUS_MAP = {"id": "회원번호", "name": "고객명", "phone": "휴대전화", "email": "이메일주소",
              "address": "배송지주소"}
# one column, date and item: a repeated `--map order=` keeps only the last column mapped
ORDER_COLUMNS = ["최근주문내역"]


def dash_phone(p: str) -> str:
    if p.startswith("02"):
        return f"02-{p[2:-4]}-{p[-4:]}"
    return f"{p[:3]}-{p[3:-4]}-{p[-4:]}"


def road_address(a: Address, rng: random.Random | None = None, short_sido: bool = False,
                 reference: bool | None = None) -> str:
    """The official road form: 시도 시군구 도로명 건물번호, 상세 (참고: 법정동, 건물명)."""
    b = a.bld
    sido = SIDO_SHORT[b.sido] if short_sido else b.sido
    head = " ".join(x for x in (sido, b.sigungu, b.road, b.road_no) if x)
    unit = a.unit
    if b.complex and not b.is_apartment and unit:
        unit = f"{unit}"
    if reference is None:
        reference = rng.random() < 0.5 if rng else True
    s = head + (f", {unit}" if unit else "")
    if reference:
        ref = b.dong + (f", {b.complex}" if b.complex else "")
        s += f" ({ref})"
    elif b.complex and b.is_apartment and unit:
        s = f"{head} {b.complex} {unit}"
    return s


def write_corpus(path: Path, people: list[Person], seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CORPUS_HEADER)
        for p in people:
            phone = dash_phone(p.phone) if rng.random() < 0.85 else p.phone
            w.writerow([p.rid, p.name, phone, p.email, road_address(p.addr, rng),
                        f"{p.odate.isoformat()} {p.item}"])


TABLE_HEADER = ["시도명", "시군구명", "법정읍면동명", "지번본번", "지번부번", "도로명", "건물본번",
                "건물부번"]


def write_address_table(path: Path, buildings: list[Building]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TABLE_HEADER)
        for b in buildings:
            w.writerow([b.sido, b.sigungu, b.dong, b.lno, b.lsub, b.road, b.bno, b.bsub])
