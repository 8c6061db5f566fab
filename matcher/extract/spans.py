"""Typed values found anywhere in text: the layout-free core of extraction.

Every layout ends up here, either one cell at a time (:func:`classify_cell`) or a whole
line at a time (:func:`find_spans`). Names are the weakest signal and the most
false-positive prone, so a name needs a real surname and must not look like a place
or a common word; it only ever corroborates a phone, email or address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.normalize import parse_address, parse_email, parse_name, parse_phone
from matcher.normalize.address import PROVINCES
from matcher.normalize.ocr import repair_email, repair_phone
from matcher.normalize.text import MASK_CHARS, nfkc

SURNAMES = frozenset(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 "
    "심 노 하 곽 성 차 주 우 구 민 나 진 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 "
    "마 길 연 위 표 명 기 반 라 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 황 가 "
    "복 태 목 형 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 상 갈 시 단 견 당 화 창 옹 순 빙 궁 묵 "
    "남궁 제갈 황보 선우 독고 사공 서문 동방 어금 망절".split()
)
_TWO_SYLLABLE_SURNAMES = frozenset(s for s in SURNAMES if len(s) == 2)
# Endings of place names and units; names ending in 호/원/도 are common, so not those.
_NOT_NAME_ENDINGS = ("시", "군", "구", "읍", "면", "로", "길", "층", "역", "점", "병", "팩")
_STOPWORDS = frozenset(
    "배송 주문 판매 구매 가격 문의 연락 회원 고객 정보 이름 전화 주소 상품 이메일 휴대폰 연락처 "
    "성명 수령인 판매자 구매자 샘플 전체 일부 최신 데이터 디비 자료 유출 확인 거래 텔레그램 "
    "카톡 문자 입금 결제 계좌 선입금 후기 공지 안내 감사 부탁 가능 불가 시간 오늘 내일 어제 "
    "지금 수량 건수 만건 천건 목록 명단 리스트 파일 다운 링크 정리 최근 신규 기존 업데이트 "
    "개인 정보 번호 주민 나이 생일 성별 남자 여자 서울 부산 대구 인천 광주 대전 울산 세종 "
    "경기 강원 충북 충남 전북 전남 경북 경남 제주 한국 대한 민국 코리아 쿠팡 네이버 카카오 "
    "다음 구글 애플 삼성 엘지 현대 기아 신한 국민 우리 하나 농협 기업 대표 사장 직원 담당 "
    "관리 운영 진행 완료 대기 취소 반품 교환 환불 처리 접수 등록 수정 삭제 조회 검색 "
    "안녕 안녕하세요 여러분 진짜 정말 이번 다른 같은 모든 많은 정도 하나 둘 셋".split()
)

_EMAIL = re.compile(
    r"(?:mailto:)?[A-Za-z0-9._%+\-*●○]+(?:@|\s*[\[\(\{]\s*(?:at|@)\s*[\]\)\}]\s*|\s+at\s+)"
    r"[A-Za-z0-9\-]+(?:(?:\.|\s*[\[\(\{]\s*(?:dot|\.)\s*[\]\)\}]\s*|\s+dot\s+)[A-Za-z0-9\-]+)+",
    re.I,
)
_M = "[0-9" + re.escape(MASK_CHARS) + "]"
PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?82[\s.\-]*\(?0?1[016789]\)?|\(?01[016789]\)?)[\s.\-]*"
    + _M + r"{3,4}[\s.\-]*" + _M + r"{4}(?![0-9])"
    r"|(?<![0-9])0(?:2|[3-6][1-5]|70|50[2-8]|80)[\s.\-)]+\d{3,4}[\s.\-]+\d{4}(?![0-9])"
)
_NAME_TOKEN = re.compile(r"[가-힣" + re.escape(MASK_CHARS) + r"OＯ]{2,6}")
_WORD = re.compile(r"[^\s,|;]+")
_DISTRICT_TOKEN = re.compile(r"^[가-힣]{1,5}[시군구]$")
_ROAD_START = re.compile(r"^[가-힣][가-힣0-9]{0,10}(?:로|길|거리|\d가)(?:\d+(?:-\d+)?)?$")
# Either of the two above, in one call per word (a hot line has a dozen words).
_DISTRICT_OR_ROAD = re.compile(f"(?:{_DISTRICT_TOKEN.pattern}|{_ROAD_START.pattern})")
# Used only where the strict patterns found nothing: OCR'd phones (O1O-l234-5678, digit
# blocks split by spaces) and emails (spaces around "@", "," for "." in the domain).
OCR_PHONE = re.compile(
    r"(?<![0-9A-Za-z])[0O]\s?[1lI|]\s?[0O16789](?:[\s.\-]{0,2}[0-9OolI|SBZ]){7,8}"
    r"(?![0-9A-Za-z])")
_OCR_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s?@\s?[A-Za-z0-9\-]+(?:\s?[.,]\s?[A-Za-z0-9\-]{2,})+")
# "김 민준": a surname, a space, a given name
_SPACED_NAME = re.compile(r"(?<![가-힣])([가-힣]{1,2}) ([가-힣]{1,2})(?![가-힣])")
# "…5678 강남구": a district appended to a masked line
_DISTRICT_ONLY = re.compile(r"(?<![가-힣])((?:[가-힣]{2,7} ){0,2}[가-힣]{1,4}[구군시])(?![가-힣])")
_LABEL = re.compile(r"^\s*([^:：=\-]{1,20}?)\s*[:：=]\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class Span:
    role: str
    start: int
    end: int
    value: str


_PARTICLES = ("으로", "에게", "께서", "은", "는", "이", "가", "을", "를", "의", "에", "로", "도",
              "만", "와", "과", "랑")
_STOPWORDS_WITH_PARTICLE = frozenset(w + p for w in _STOPWORDS for p in _PARTICLES)


def plausible_name(token: str) -> bool:
    """A Hangul name with a real surname, not a place, a unit or a common word."""
    first = token[0]
    if first not in SURNAMES and first not in MASK_CHARS and first not in "OＯ" and (
            token[:2] not in _TWO_SYLLABLE_SURNAMES):
        return False  # the cheap test first: most words do not start with a surname
    if token in _STOPWORDS or (token.endswith(_NOT_NAME_ENDINGS) and "*" not in token):
        return False
    if token[:2] in _STOPWORDS or token in _STOPWORDS_WITH_PARTICLE:
        return False  # 연락은, 배송지로: a common word with a particle
    name = parse_name(token)
    if name is None:
        return False
    parts = name.parts
    if not all(p is None or "\uac00" <= p <= "\ud7a3" for p in parts):
        return False
    if not 2 <= len(parts) <= 4:
        return False
    first = parts[0]
    if first is None:
        return sum(p is not None for p in parts) >= 2
    two = first + (parts[1] or "")
    if len(parts) == 4:  # 4-syllable Korean names are almost always 남궁민수-style
        return two in _TWO_SYLLABLE_SURNAMES
    return first in SURNAMES or (len(parts) == 3 and two in _TWO_SYLLABLE_SURNAMES)


def classify_cell(value: str) -> str | None:
    """The role of one isolated cell, from its content alone."""
    v = value.strip()
    if not v or len(v) > 200:
        return None
    if "@" in v or " at " in v.lower() or "[at]" in v.lower() or "(at)" in v.lower():
        return "email" if parse_email(v) or repair_email(v) else None
    digits = sum(c.isdigit() for c in v)
    if digits >= 4 and len(v) <= 24 and (parse_phone(v) or (digits >= 6 and repair_phone(v))):
        return "phone"
    if len(v) <= 12 and plausible_name(v):
        return "name"
    if digits and len(v) >= 6:
        addr = parse_address(v)
        if addr is not None and addr.located:
            return "address"
    return None


def find_spans(line: str) -> list[Span]:
    """Typed values in a line of any layout, left to right, without overlaps."""
    text = nfkc(line)
    spans: list[Span] = []
    taken = bytearray(len(text))

    def claim(role: str, start: int, end: int, value: str) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        spans.append(Span(role, start, end, value))

    if "@" in text or " at " in text or "[at]" in text or "(at)" in text:
        for m in _EMAIL.finditer(text):
            if parse_email(m.group()):
                claim("email", m.start(), m.end(), m.group())
        if not spans:
            for m in _OCR_EMAIL.finditer(text):
                if repair_email(m.group()):
                    claim("email", m.start(), m.end(), m.group())
    for m in PHONE.finditer(text):
        if parse_phone(m.group()):
            claim("phone", m.start(), m.end(), m.group())
    if not any(s.role == "phone" for s in spans):
        for m in OCR_PHONE.finditer(text):
            if repair_phone(m.group()):
                claim("phone", m.start(), m.end(), m.group())
    _find_addresses(text, taken, claim)
    for m in _SPACED_NAME.finditer(text):
        if m.group(1) in SURNAMES and not any(taken[m.start():m.end()]) and plausible_name(
                m.group(1) + m.group(2)):
            claim("name", m.start(), m.end(), m.group())
    for m in _NAME_TOKEN.finditer(text):
        if not any(taken[m.start():m.end()]) and plausible_name(m.group()):
            claim("name", m.start(), m.end(), m.group())
    if spans and not any(s.role == "address" for s in spans) and any(
            s.role in ("phone", "email") for s in spans):
        for m in _DISTRICT_ONLY.finditer(text):
            value = m.group(1)
            addr = parse_address(value)
            while (addr is None or addr.district is None) and " " in value:
                value = value.split(" ", 1)[1]  # drop a leading word that is no place
                addr = parse_address(value)
            if addr is not None and addr.district and not any(taken[m.start():m.end()]):
                claim("address", m.end() - len(value), m.end(), value)
                break
    spans.sort(key=lambda s: s.start)
    return spans


def _find_addresses(text: str, taken: bytearray, claim: object) -> None:
    words = [(m.start(), m.end(), m.group().strip(",.;()[]\"'")) for m in _WORD.finditer(text)]
    i = 0
    while i < len(words):
        start, _, tok = words[i]
        if (tok in PROVINCES or _DISTRICT_OR_ROAD.match(tok)) and not taken[start]:
            window = words[i:i + 9]
            addr = parse_address(text[start:window[-1][1]])
            if addr is not None and addr.located:
                end = _address_end(text, window, addr)
                claim("address", start, end, text[start:end])  # type: ignore[operator]
                while i < len(words) and words[i][0] < end:
                    i += 1
                continue
        i += 1


_DETAIL_TOKEN = re.compile(
    r"^\d{1,4}(?:동|층|호)|^\d{1,4}-\d{1,5}$|^\d{1,4}호$|^번지$|^\d{1,4}번지$")
_COMPLEX_TOKEN = re.compile(
    r"(?:아파트|APT|apt|빌라|맨션|오피스텔|타워|하이츠|빌리지|캐슬|자이|푸르지오|래미안|아이파크|"
    r"힐스테이트|e편한세상|더샵|롯데캐슬|주공|현대|삼성|한신|대우|우성|쌍용|한양|\d단지)")


def _address_end(text: str, window: list[tuple[int, int, str]], addr: object) -> int:
    """Where the address ends: after the building or lot number, a complex name and the
    unit ("래미안아파트 101동 1203호"), never over a word that is neither."""
    located = getattr(addr, "road", None) or getattr(addr, "lot", None) or ""
    bldg = located.rsplit(" ", 1)[-1]
    end = window[-1][1]
    for k, (_s, e, tok) in enumerate(window):
        if (tok.endswith(bldg) or tok.split("번지")[0].endswith(bldg)) and any(
                ch.isdigit() for ch in tok):
            end = e
            complex_words = 0
            for _s2, e2, tok2 in window[k + 1:k + 6]:
                if _DETAIL_TOKEN.match(tok2):
                    end = e2
                elif complex_words < 2 and _COMPLEX_TOKEN.search(tok2):
                    complex_words += 1
                    end = e2
                else:
                    break
            break
    return end


def split_label(line: str) -> tuple[str, str] | None:
    """"연락처: 010-..." -> ("연락처", "010-..."), for key-value blocks in sale posts."""
    m = _LABEL.match(line)
    if not m:
        return None
    return m.group(1), m.group(2)
