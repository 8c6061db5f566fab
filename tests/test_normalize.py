"""Worked examples of normalisation: every written form lands on one canonical value."""

import pytest

from matcher.normalize import parse_address, parse_email, parse_name, parse_phone


@pytest.mark.parametrize("written", [
    "010-1234-5678", "01012345678", "010.1234.5678", "010 1234 5678", "(010)1234-5678",
    "+82 10-1234-5678", "+821012345678", "82-10-1234-5678", "０１０－１２３４－５６７８",
])
def test_mobile_forms_normalise_to_e164(written: str) -> None:
    phone = parse_phone(written)
    assert phone is not None and phone.e164 == "+821012345678"
    assert (phone.mid, phone.last4) == ("1234", "5678")


@pytest.mark.parametrize("written,mid,last4", [
    ("010-****-5678", None, "5678"), ("010-12**-5678", None, "5678"),
    ("010-1234-****", "1234", None), ("010-●●●●-5678", None, "5678"),
])
def test_masks_are_detected_before_parsing(written: str, mid: str | None, last4: str | None
                                           ) -> None:
    phone = parse_phone(written)
    assert phone is not None and phone.masked
    assert (phone.mid, phone.last4) == (mid, last4)


@pytest.mark.parametrize("masked,plain", [
    ("02-41**-**14", "02-4143-2514"), ("02-4**-2514", "02-415-2514"),
    ("031-***-2514", "031-415-2514"), ("070-#689-#0#4", "070-8689-5074"),
])
def test_masked_landlines_line_up_with_the_records_blocks(masked: str, plain: str) -> None:
    m, p = parse_phone(masked), parse_phone(plain)
    assert m is not None and m.masked and p is not None and p.e164 is not None
    digits = (p.mid or "") + (p.last4 or "")
    assert len(m.shown) == len(digits) == 8
    assert all(a in ("*", b) for a, b in zip(m.shown, digits, strict=True))
    assert m.last4 == (p.last4 if m.shown[4:].isdigit() else None)


def test_addresses_and_words_are_not_phones() -> None:
    assert parse_phone("부산광역시 중구 광복로 44 102-205") is None
    assert parse_phone("2025-11-03") is None
    assert parse_phone("010-****-****") is None
    assert parse_phone("02-***-***4") is None  # one digit shown: nothing to compare


@pytest.mark.parametrize("written", [
    "Kim.Minjun@Naver.com", "mailto:kim.minjun@naver.com", "kim.minjun [at] naver [dot] com",
    "kim.minjun(at)naver.com", "kim.minjun at naver dot com", " <kim.minjun@naver.com>",
])
def test_email_obfuscations_are_undone(written: str) -> None:
    email = parse_email(written)
    assert email is not None and email.full == "kim.minjun@naver.com"


def test_masked_email_keeps_visible_prefix() -> None:
    email = parse_email("kim***@naver.com")
    assert email is not None and email.masked
    assert (email.local_prefix, email.domain) == ("kim", "naver.com")


@pytest.mark.parametrize("written,parts", [
    ("김민준", ("김", "민", "준")), ("김*준", ("김", None, "준")), ("김○준", ("김", None, "준")),
    ("김**", ("김", None, None)), ("김민준 님", ("김", "민", "준")),
    ("남궁민수", ("남", "궁", "민", "수")),
])
def test_names_keep_syllables_by_position(written: str, parts: tuple) -> None:
    name = parse_name(written)
    assert name is not None and name.parts == parts


@pytest.mark.parametrize("written", [
    "서울특별시 강남구 테헤란로 123, 101동 1203호", "서울 강남구 테헤란로123 101동 1203호",
    "서울시 강남구 테헤란로 123 101-1203", "강남구 테헤란로 123 (역삼동) 101동 1203호",
])
def test_address_forms_reduce_to_the_same_parts(written: str) -> None:
    addr = parse_address(written)
    assert addr is not None
    assert (addr.district, addr.road, addr.detail) == ("강남구", "테헤란로 123", "101동1203호")


def test_district_is_the_most_specific_unit() -> None:
    addr = parse_address("경기도 성남시 분당구 판교역로 235")
    assert addr is not None and (addr.province, addr.district) == ("경기", "분당구")
