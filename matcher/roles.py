"""Which column holds what: header names in English and Korean, or the values themselves."""

from __future__ import annotations

import re
import unicodedata

_FOLD = re.compile(r"[\s_\-./()\[\]:#]+")

# Exact names first; then fragments that identify a role anywhere in a header.
_EXACT: dict[str, str] = {}
for _role, _names in {
    "id": ["id", "customerid", "custid", "userid", "memberid", "accountid", "recordid", "uid",
           "clientid", "no", "seq", "회원번호", "고객번호", "회원id", "고객id", "아이디", "번호",
           "idx", "key", "customerno", "memberno", "userno", "고객코드", "회원코드"],
    "name": ["name", "fullname", "customername", "membername", "realname", "recipient",
             "receiver", "이름", "성명", "고객명", "회원명", "수령인", "수취인", "받는분", "주문자",
             "받는사람", "예금주", "성함", "nm", "cust_nm", "custnm", "username"],
    "phone": ["phone", "mobile", "tel", "cell", "hp", "phonenumber", "mobilephone", "cellphone",
              "전화", "전화번호", "연락처", "휴대폰", "핸드폰", "휴대전화", "휴대폰번호", "폰",
              "hpno", "telno", "mobileno", "contact", "msisdn"],
    "email": ["email", "mail", "emailaddress", "이메일", "메일", "전자우편", "이메일주소"],
    "address": ["address", "addr", "shippingaddress", "deliveryaddress", "주소", "배송지",
                "배송주소", "도로명주소", "거주지", "자택주소", "수령지"],
    "surname": ["성", "성씨", "last", "lastname", "surname", "familyname", "family", "lname",
                "성(姓)", "姓"],
    "given": ["given", "givenname", "firstname", "first", "fname", "名", "이름(名)"],
    "order_date": ["주문일", "주문일자", "주문일시", "주문날짜", "구매일", "구매일자", "구매일시",
                   "결제일", "결제일시", "orderdate", "ordereddate", "orderedat", "purchasedate",
                   "purchasedat", "date", "일자", "날짜", "최근주문일", "lastorderdate",
                   "orddt", "orderdt", "orddate", "ordymd", "구매날짜", "결제날짜"],
    "order": ["품목", "품명", "구매품목", "주문품목", "order", "orders", "product", "item",
              "items", "orderitem", "recentorder",
              "productname", "goods", "주문", "주문내역", "최근주문", "상품", "상품명", "구매내역",
              "구매상품", "주문상품"],
}.items():
    for _n in _names:
        _EXACT[_n] = _role

_FRAGMENTS: list[tuple[str, str]] = [
    ("주문번호", ""), ("orderid", ""), ("orderno", ""), ("zip", ""), ("우편", ""),
    ("주문일", "order_date"), ("구매일", "order_date"), ("결제일", "order_date"),
    ("orderdate", "order_date"), ("orderedat", "order_date"), ("purchasedate", "order_date"),
    ("lastname", "surname"), ("familyname", "surname"), ("firstname", "given"),
    ("givenname", "given"),
    ("mail", "email"), ("메일", "email"),
    ("phone", "phone"), ("mobile", "phone"), ("tel", "phone"), ("전화", "phone"),
    ("연락처", "phone"), ("휴대", "phone"), ("핸드폰", "phone"),
    ("addr", "address"), ("주소", "address"), ("배송지", "address"),
    ("product", "order"), ("주문", "order"), ("상품", "order"), ("item", "order"),
    ("name", "name"), ("이름", "name"), ("성명", "name"), ("고객명", "name"),
    ("customerid", "id"), ("memberid", "id"), ("userid", "id"), ("회원번호", "id"),
    ("고객번호", "id"),
]


def fold_header(header: str) -> str:
    return _FOLD.sub("", unicodedata.normalize("NFKC", header).strip().lower())


def role_of_header(header: str) -> str | None:
    key = fold_header(header)
    if not key:
        return None
    role = _EXACT.get(key)
    if role:
        return role
    for frag, frole in _FRAGMENTS:
        if frag in key:
            return frole or None
    return None


def roles_from_headers(headers: list[str]) -> dict[int, str]:
    """Column index -> role, the first column claiming a role winning it."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        role = role_of_header(h)
        if role and role not in taken:
            found[i] = role
            taken.add(role)
    return found


def looks_like_header(cells: list[str]) -> bool:
    """A header names at least two roles and holds no value that parses as a phone or email."""
    if sum(role_of_header(c) is not None for c in cells) < 2:
        return False
    return not any("@" in c or sum(ch.isdigit() for ch in c) >= 7 for c in cells)
