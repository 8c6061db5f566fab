"""Normalisers: turn a written value into the canonical form that gets hashed.

Each field type has one module. Every normaliser accepts masked input
(김*준, 010-****-5678, kim***@naver.com) and reports which parts are visible,
because a masked value must be compared only on what it shows.
"""

from matcher.normalize.address import Address, parse_address
from matcher.normalize.email import Email, parse_email
from matcher.normalize.name import Name, parse_name
from matcher.normalize.phone import Phone, parse_phone
from matcher.normalize.text import normalize_order, normalize_text

__all__ = [
    "Address",
    "Email",
    "Name",
    "Phone",
    "normalize_order",
    "normalize_text",
    "parse_address",
    "parse_email",
    "parse_name",
    "parse_phone",
]
