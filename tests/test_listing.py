"""Listing extraction on sale posts written like the ones on Korean and English boards."""

from __future__ import annotations

import pytest

from dumpwatch.listing import breach_aliases, extract_listing, parse_amount

BREACHES = breach_aliases(["coupang"], {"coupang": ["쿠팡", "CPNG", "Coupang Corp"]})
SESSION_ID = "05" + "a3f1" * 16
TOX_ID = "56A1ADE4B65B86BCD51CC73E2CD4E542179F47959FE3E0E21B4B0ACDADE51855D34D34D37CB5"


@pytest.mark.parametrize("raw,value", [
    ("3,370만", 33_700_000), ("1.2억", 120_000_000), ("1억 5000만", 150_000_000),
    ("33.7M", 33_700_000), ("500k", 500_000), ("33,700,000", 33_700_000), ("2.5", 2.5),
])
def test_amounts_as_sellers_write_them(raw: str, value: float) -> None:
    assert parse_amount(raw) == pytest.approx(value)


def test_korean_sale_post() -> None:
    post = ("[판매] 쿠팡 고객 DB 3,370만 건 (이름/전화/주소/주문내역)\n"
            "가격: 3000만원, 비트코인 가능\n샘플 100개 먼저 드립니다\n"
            "문의 텔레그램 @cp_seller_kr 또는 t.me/cpdbshop\n"
            "김민준 010-1234-5678 kmj@naver.com\n")
    info = extract_listing(post, "쿠팡 3370만 판매", breaches=BREACHES,
                           exclude_emails={"kmj@naver.com"})
    assert info.price_amount == 30_000_000 and info.price_currency == "KRW"
    assert info.claimed_records == 33_700_000
    assert info.sample_size == 100
    assert info.breach == "coupang"
    values = {c["value"] for c in info.contacts}
    assert {"@cp_seller_kr", "t.me/cpdbshop"} <= values
    assert not any("naver" in v for v in values)


def test_korean_phrasings() -> None:
    a = extract_listing("1.2억개 계정 통판 ₩50,000,000 에 넘깁니다. 맛보기 샘플: 50줄")
    assert (a.claimed_records, a.price_amount, a.price_currency, a.sample_size) == (
        120_000_000, 50_000_000, "KRW", 50)
    b = extract_listing("회원정보 500만명분, 판매가 300만 (협의), 세션 " + SESSION_ID)
    assert (b.claimed_records, b.price_amount, b.price_currency) == (5_000_000, 3_000_000, "KRW")
    assert {"kind": "session", "value": SESSION_ID} in b.contacts
    c = extract_listing("쿠팡 디비 팝니다 1억 5000만원. 재버 dbking@jabber.ru 로 연락")
    assert (c.price_amount, c.price_currency) == (150_000_000, "KRW")
    assert {"kind": "jabber", "value": "dbking@jabber.ru"} in c.contacts


def test_english_sale_posts() -> None:
    a = extract_listing(
        "Selling Coupang Corp customers - 33.7M lines, fresh 2025. Price: $15,000 or 0.25 BTC."
        "\nFree sample of 50 rows below. Contact: seller.db@proton.me / discord.gg/dbmarket\n"
        f"Tox: {TOX_ID}", breaches=BREACHES)
    assert a.claimed_records == 33_700_000 and a.sample_size == 50
    assert (a.price_amount, a.price_currency) == (15_000, "USD")
    assert a.breach == "coupang"
    kinds = {(c["kind"], c["value"]) for c in a.contacts}
    assert {("email", "seller.db@proton.me"), ("discord", "discord.gg/dbmarket"),
            ("tox", TOX_ID)} <= kinds
    b = extract_listing("500k rows of KR shopping accounts. 1500 USDT, escrow ok. xmpp: "
                        "kr_leaks@exploit.im, telegram @krleaks_bot")
    assert (b.claimed_records, b.price_amount, b.price_currency) == (500_000, 1500, "USDT")
    assert {"kind": "jabber", "value": "kr_leaks@exploit.im"} in b.contacts
    assert {"kind": "telegram", "value": "@krleaks_bot"} in b.contacts
    c = extract_listing("XMR 12.5 for the full 2,000,000 records; 100 sample rows attached")
    assert (c.price_amount, c.price_currency, c.claimed_records, c.sample_size) == (
        12.5, "XMR", 2_000_000, 100)


def test_unit_prices_totals_and_bare_handles() -> None:
    a = extract_listing("쿠팡 개인정보 1200만개 팝니다 개당 10원 일괄 1억 텔레 kr_db_shop")
    assert (a.price_amount, a.price_currency, a.claimed_records) == (1e8, "KRW", 12_000_000)
    assert a.contacts == [{"kind": "telegram", "value": "@kr_db_shop"}]
    b = extract_listing("$0.01 per record, records: 2,000,000, total $20,000. Telegram: krseller")
    assert (b.price_amount, b.price_currency, b.claimed_records) == (20_000, "USD", 2_000_000)
    c = extract_listing("가격 : 1,500,000원 / 수량 약 50만 / 샘플 20줄 / 텔레그램 : @db_korea")
    assert (c.price_amount, c.claimed_records, c.sample_size) == (1_500_000, 500_000, 20)
    d = extract_listing("selling 2.3 million rows, price 3,500$, join our telegram channel")
    assert (d.price_amount, d.price_currency, d.claimed_records) == (3500, "USD", 2_300_000)
    assert d.contacts == []


def test_negatives_chatter_and_dumps() -> None:
    """A plain dump or a news post has no price; a count in a sentence is not a price;
    customer emails in the rows are never contacts."""
    dump = ("이름,연락처,이메일\n김민준,010-1234-5678,kmj@naver.com\n"
            "이서연,010-2222-3333,lsy@daum.net\n")
    info = extract_listing(dump, None, breaches=BREACHES)
    assert info.empty, info
    news = extract_listing("쿠팡에서 3370만 건 유출 사고가 있었다고 합니다. 다들 비번 바꾸세요",
                           breaches=BREACHES)
    assert news.price_amount is None and news.contacts == []
    assert news.claimed_records == 33_700_000 and news.breach == "coupang"
    orders = ("이름,연락처,주문,금액,수량\n김민준,010-1234-5678,락앤락 밀폐용기,35,000원,2개\n"
              '{"name": "이서연", "order_amount": "12,900원", "qty": "3개"}\n')
    assert extract_listing(orders).empty  # an order history's amounts are not a listing
    terms = extract_listing("가격: 3000만원, BTC, XMR, USDT 가능\n" + orders)
    assert (terms.price_amount, terms.price_currency, terms.claimed_records) == (
        30_000_000, "KRW", None)
    assert extract_listing("email me at you@example.com ok").contacts == [
        {"kind": "email", "value": "you@example.com"}]
    assert extract_listing("contact: a@b.co", exclude_emails={"A@B.CO"}).contacts == []
    assert extract_listing("CPNGX stock talk, nothing for sale", breaches=BREACHES).breach is None
