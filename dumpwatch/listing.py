"""What a sale post claims: price, record count, sample size, seller contacts, breach.

Pure functions over a document's text and title; the pipeline stores the result on the
sighting (:class:`dumpwatch.storage.Listing`) for documents that matched.

API (stable)::

    extract_listing(text, title=None, *, breaches=None, exclude_emails=()) -> ListingInfo
    ListingInfo.as_dict() -> {"price_amount", "price_currency", "claimed_records",
                              "sample_size", "contacts": [{"kind", "value"}], "breach"}
    breach_aliases(corpora, configured) -> {canonical: [alias, ...]}

Amounts are parsed the way sellers write them: 3,370만 = 33,700,000; 1.2억 = 120,000,000;
1억 5000만원; 33.7M; 500k. A number followed by a record unit (건, 개, 명, 줄, rows,
lines, records...) is a count; a number with a currency (원, ₩, $, USD, BTC, XMR, USDT,
ETH...) or after a price word (가격, 판매가, price) is a price. Counts near "샘플"/"sample"
are the sample size, and the claimed count is the largest other count.

E-mail contacts are taken only after a contact word on the same line (문의, 연락, contact,
email...), and never when the address is one of ``exclude_emails`` — the caller passes
the emails of the document's matched rows, so a customer's address is never stored as
the seller's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_NUM = r"\d{1,3}(?:[,.\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# 1억 5000만, 3,370만, 1.2억, 33.7M, 500k, 33,700,000
_AMOUNT = (rf"(?:(?:{_NUM})\s*억(?:\s*(?:{_NUM})\s*만)?|(?:{_NUM})\s*(?:만|천)"
           rf"|(?:{_NUM})\s*(?:[kKmMbB](?![a-zA-Z])|mil(?:lion)?\b|million\b|billion\b|bn\b)"
           rf"|(?:{_NUM}))")

_COUNT_UNIT = (r"(?:건|개|명|줄|라인|행|레코드|계정|회원|rows?\b|lines?\b|records?\b|entries\b"
               r"|accounts?\b|users?\b|customers?\b|emails?\b|leads?\b)")
_COUNT = re.compile(rf"(?P<amt>{_AMOUNT})\s*(?:\+\s*)?{_COUNT_UNIT}", re.I)
_SAMPLE_WORD = re.compile(r"샘플|sample|맛보기|미리보기|free\s+preview", re.I)
_SAMPLE_OF = re.compile(rf"(?:샘플|sample)s?\s*(?:of|:|：|=)?\s*(?P<amt>{_AMOUNT})"
                        rf"(?:\s*{_COUNT_UNIT})?", re.I)

_CRYPTO = r"BTC|XMR|USDT|ETH|LTC|비트코인|모네로|테더|이더리움?"
_CRYPTO_CODE = {"비트코인": "BTC", "모네로": "XMR", "테더": "USDT", "이더리움": "ETH",
                "이더": "ETH"}
_PRICE_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(rf"(?P<amt>{_AMOUNT})\s*(?P<cur>{_CRYPTO})(?![A-Za-z])", re.I), None),
    (re.compile(rf"(?<![A-Za-z])(?P<cur>{_CRYPTO})\s*[:：]?\s*(?P<amt>{_AMOUNT})", re.I), None),
    (re.compile(rf"(?:US\s*)?\$\s*(?P<amt>{_AMOUNT})"), "USD"),
    (re.compile(rf"(?P<amt>{_AMOUNT})\s*\$"), "USD"),
    (re.compile(rf"(?P<amt>{_AMOUNT})\s*(?:USD|usd|달러|불)(?![A-Za-z])"), "USD"),
    (re.compile(rf"USD\s*(?P<amt>{_AMOUNT})"), "USD"),
    (re.compile(rf"€\s*(?P<amt>{_AMOUNT})|(?P<amt2>{_AMOUNT})\s*(?:EUR|유로)"), "EUR"),
    (re.compile(rf"₩\s*(?P<amt>{_AMOUNT})|(?P<amt2>{_AMOUNT})\s*(?:원|KRW|krw)"), "KRW"),
]
_PRICE_WORD = re.compile(
    rf"(?:가격|판매가|판매\s*가격|금액|일괄|통판|전체|price|asking|cost)\s*[:：=]?\s*"
    rf"(?P<amt>{_AMOUNT})", re.I)
# "개당 10원", "$0.01 per record": a unit price, not the asking price
_UNIT_BEFORE = re.compile(r"(?:개당|건당|장당|줄당|per|each|@)\s*$", re.I)
_UNIT_AFTER = re.compile(r"\s*(?:/\s*(?:건|개|줄|명|row|line|record)|per\s+(?:row|line|record|"
                         r"entry|account)|each\b)", re.I)
_COUNT_WORD = re.compile(rf"(?:수량|건수|총|레코드\s*수|records?|rows|lines|count|total)\s*"
                         rf"[:：=]?\s*(?:약|대략|about|approx\.?|~)?\s*(?P<amt>{_AMOUNT})"
                         rf"(?!\s*(?:원|₩|\$|USD|BTC|XMR|USDT|ETH))", re.I)

_TG_LINK = re.compile(r"(?:https?://)?(?:t(?:elegram)?\.me)/(?!s/)(?P<h>\+[\w-]{6,}|joinchat/[\w-]+"
                      r"|[A-Za-z][A-Za-z0-9_]{3,31})", re.I)
_TG_AT = re.compile(r"(?<![\w.@/])@(?P<h>[A-Za-z][A-Za-z0-9_]{3,31})(?![\w.@-])")
_TG_WORD = re.compile(r"(?:텔레그램|텔레|telegram|tg)\s*(?:id|아이디)?\s*[:：]?\s*"
                      r"(?P<h>[A-Za-z][A-Za-z0-9_]{4,31})(?![\w.@/])", re.I)
_SESSION = re.compile(r"(?<![0-9a-fA-F])05[0-9a-fA-F]{64}(?![0-9a-fA-F])")
_TOX = re.compile(r"(?<![0-9a-fA-F])[0-9A-Fa-f]{76}(?![0-9a-fA-F])")
_JID_WORD = re.compile(r"jabber|xmpp|jid|재버|쟈바", re.I)
_JID_DOMAINS = re.compile(r"@(?:jabber\.|xmpp\.|exploit\.im|thesecure\.biz|jabb\.im|"
                          r"conversations\.im|xmpp\.jp|404\.city|jabber\.ru|blabber\.im|"
                          r"jabber\.cz|dukgo\.com|draugr\.de|yourdata\.forsale|"
                          r"jabber\.calyxinstitute\.org|5222\.de)", re.I)
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,}")
_CONTACT_WORD = re.compile(r"문의|연락|컨택|이메일|메일|e-?mail|contact|reach|dm\b|구매\s*문의",
                           re.I)
_DISCORD_INVITE = re.compile(r"(?:https?://)?(?:discord\.gg|discord(?:app)?\.com/invite)/"
                             r"(?P<h>[A-Za-z0-9-]{2,32})", re.I)
_DISCORD_USER = re.compile(r"(?:discord|디스코드|디코)\s*(?:id)?\s*[:：]?\s*"
                           r"(?P<h>(?!discord)[A-Za-z0-9_.]{2,32}(?:#\d{4})?)", re.I)
# Lines of the dump itself (a phone, an e-mail, a delimited row, a JSON member) say
# nothing about the listing: an order history's "35,000원" is not an asking price.
_ROW_PHONE = re.compile(r"(?<!\d)(?:\+?82[\s.\-]?|0)1[016789][\s.\-]*\d{3,4}[\s.\-]*\d{4}(?!\d)")
_ROW_SEP = re.compile(r"\t|\||;|(?<!\d),|,(?!\d)")
_HANDLE_WORD = re.compile(r"telegram|텔레|\btg\b|jabber|xmpp|재버|discord|디스코드|session|tox"
                          r"|wickr|signal|escrow|price|asking|selling|\bWTS\b|가격|판매|팝니다|일괄|통판",
                          re.I)
_ROW_JSON = re.compile(r"^\s*[\[{]?\s*\"[^\"]{1,40}\"\s*:")
_BAD_TG = {"gmail", "naver", "daum", "hanmail", "kakao", "nate", "proton", "everyone",
           "here", "media", "import", "param", "return", "example",
           # words after "telegram" that are not handles
           "channel", "group", "groups", "chat", "only", "please", "link", "links", "contact",
           "account", "message", "messages", "first", "below", "above", "escrow", "admin"}


@dataclass
class ListingInfo:
    price_amount: float | None = None
    price_currency: str | None = None
    claimed_records: int | None = None
    sample_size: int | None = None
    contacts: list[dict[str, str]] = field(default_factory=list)
    breach: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.price_amount or self.claimed_records or self.sample_size
                    or self.contacts or self.breach)

    def as_dict(self) -> dict:
        return {"price_amount": self.price_amount, "price_currency": self.price_currency,
                "claimed_records": self.claimed_records, "sample_size": self.sample_size,
                "contacts": [dict(c) for c in self.contacts], "breach": self.breach}


def parse_amount(raw: str) -> float | None:
    """'3,370만' -> 33700000.0, '1억 5000만' -> 150000000.0, '33.7M' -> 33700000.0."""
    s = raw.strip().replace(" ", "")
    total = 0.0
    m = re.fullmatch(r"(?P<eok>[\d.,]+)억(?:(?P<man>[\d.,]+)만)?", s)
    if m:
        total = _num(m["eok"]) * 1e8 + (_num(m["man"]) * 1e4 if m["man"] else 0)
        return total
    for suffix, mult in (("만", 1e4), ("천", 1e3), ("billion", 1e9), ("million", 1e6),
                         ("mil", 1e6), ("bn", 1e9), ("k", 1e3), ("m", 1e6), ("b", 1e9)):
        if s.lower().endswith(suffix):
            base = s[: -len(suffix)]
            return _num(base) * mult if base else None
    return _num(s)


def _num(s: str) -> float:
    s = s.strip()
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", s) and not re.fullmatch(r"\d+\.\d{3}", s):
        return float(re.sub(r"[,.]", "", s))  # thousands separators
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", s):
        return float(s.replace(",", ""))
    return float(s.replace(",", ""))


def _price(text: str) -> tuple[float | None, str | None]:
    """The first price the post states (the asking price; alternatives come after it)."""
    best: tuple[int, float, str] | None = None
    for pattern, currency in _PRICE_PATTERNS:
        for m in pattern.finditer(text):
            amt = m.groupdict().get("amt") or m.groupdict().get("amt2")
            if not amt or _followed_by_count(text, m.end()) or _unit_price(text, m):
                continue
            value = parse_amount(amt)
            if not value:
                continue
            cur = currency or _CRYPTO_CODE.get(m["cur"], m["cur"].upper())
            if best is None or m.start() < best[0]:
                best = (m.start(), value, cur)
            break
    if best is not None:
        return best[1], best[2]
    m = _PRICE_WORD.search(text)  # "가격: 300만" - a bare amount after a price word
    if m and not _followed_by_count(text, m.end()) and not _unit_price(text, m):
        value = parse_amount(m["amt"])
        if value:
            return value, "KRW" if re.search(r"[가-힣]", m.group(0)) else None
    return None, None


def _terms_text(text: str) -> str:
    """The post's own words: its lines minus the rows of data it carries."""
    keep = []
    for line in text.splitlines():
        if _ROW_PHONE.search(line) or _ROW_JSON.match(line):
            continue
        row_like = len(_ROW_SEP.findall(line)) >= 3 or ("@" in line and _ROW_SEP.search(line))
        if row_like and not (_CONTACT_WORD.search(line) or _HANDLE_WORD.search(line)):
            continue
        keep.append(line)
    return "\n".join(keep)


def _unit_price(text: str, m: re.Match[str]) -> bool:
    return bool(_UNIT_BEFORE.search(text[max(0, m.start() - 6):m.start()])
                or _UNIT_AFTER.match(text, m.end()))


def _followed_by_count(text: str, end: int) -> bool:
    return bool(re.match(rf"\s*{_COUNT_UNIT}", text[end:end + 12], re.I))


def _counts(text: str) -> tuple[int | None, int | None]:
    sample: int | None = None
    for m in _SAMPLE_OF.finditer(text):
        value = parse_amount(m["amt"])
        if value and value < 1e7:
            sample = int(value)
            break
    claimed: list[int] = []
    for m in _COUNT.finditer(text):
        value = parse_amount(m["amt"])
        if not value:
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if _SAMPLE_WORD.search(before):
            sample = sample or int(value)
            continue
        claimed.append(int(value))
    if not claimed:  # "수량: 약 50만", "records: 2,000,000"
        for m in _COUNT_WORD.finditer(text):
            value = parse_amount(m["amt"])
            if value and value >= 100 and not _SAMPLE_WORD.search(
                    text[max(0, m.start() - 12):m.start()]):
                claimed.append(int(value))
    if sample is None:  # "100 sample rows", "100개 샘플"
        m = re.search(rf"(?P<amt>{_AMOUNT})\s*(?:{_COUNT_UNIT}\s*)?(?:샘플|samples?\b)", text,
                      re.I)
        if m and parse_amount(m["amt"]):
            sample = int(parse_amount(m["amt"]) or 0)
            claimed = [c for c in claimed if c != sample]
    return (max(claimed) if claimed else None), sample


def _contacts(text: str, exclude_emails: set[str]) -> list[dict[str, str]]:
    found: list[tuple[str, str]] = []
    jids: set[str] = set()
    for line in text.splitlines():
        for m in _EMAIL.finditer(line):
            addr = m.group(0).lower()
            if addr in exclude_emails:
                continue
            before = line[:m.start()]
            if _JID_DOMAINS.search(m.group(0)) or _JID_WORD.search(before[-40:]):
                found.append(("jabber", addr))
                jids.add(addr)
            elif _CONTACT_WORD.search(before[-40:]):
                found.append(("email", addr))
    for m in _TG_LINK.finditer(text):
        found.append(("telegram", "t.me/" + m["h"]))
    for m in _TG_AT.finditer(text):
        if m["h"].lower() not in _BAD_TG:
            found.append(("telegram", "@" + m["h"]))
    for m in _TG_WORD.finditer(text):  # "텔레 kr_db_shop": a handle without its @
        if m["h"].lower() not in _BAD_TG and not m["h"].lower().startswith(("t.me", "http")):
            found.append(("telegram", "@" + m["h"]))
    for m in _SESSION.finditer(text):
        found.append(("session", m.group(0).lower()))
    for m in _TOX.finditer(text):
        found.append(("tox", m.group(0).upper()))
    for m in _DISCORD_INVITE.finditer(text):
        found.append(("discord", "discord.gg/" + m["h"]))
    for m in _DISCORD_USER.finditer(text):
        if "." not in m["h"][-1:]:
            found.append(("discord", m["h"]))
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for kind, value in found:
        key = (kind, value.lower())
        if key not in seen:
            seen.add(key)
            out.append({"kind": kind, "value": value[:120]})
    return out[:20]


def breach_aliases(corpora: Iterable[str], configured: Mapping[str, Iterable[str]] | None = None
                   ) -> dict[str, list[str]]:
    """Every corpus names itself; config adds aliases (``breaches:`` in monitor.yaml)."""
    out: dict[str, list[str]] = {c: [c] for c in corpora}
    for name, aliases in (configured or {}).items():
        out.setdefault(name, [name]).extend(a for a in aliases if a)
    return out


def named_breach(text: str, breaches: Mapping[str, Iterable[str]]) -> str | None:
    """The breach the post names: the alias found earliest (titles come first)."""
    best: tuple[int, str] | None = None
    for name, aliases in breaches.items():
        for alias in aliases:
            a = re.escape(alias)
            pat = rf"(?<![A-Za-z0-9]){a}(?![A-Za-z0-9])" if alias.isascii() else a
            m = re.search(pat, text, re.I)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), name)
    return best[1] if best else None


def extract_listing(text: str, title: str | None = None, *,
                    breaches: Mapping[str, Iterable[str]] | None = None,
                    exclude_emails: Iterable[str] = ()) -> ListingInfo:
    """The listing a post makes, from its title and the first part of its text (a sale
    post's terms come before its sample; a 30 MB dump is not read to the end)."""
    head = text[:20_000]
    whole = f"{title}\n{head}" if title else head
    terms = _terms_text(whole)
    amount, currency = _price(terms)
    claimed, sample = _counts(terms)
    return ListingInfo(
        price_amount=amount, price_currency=currency, claimed_records=claimed,
        sample_size=sample,
        contacts=_contacts(whole, {e.lower() for e in exclude_emails}),
        breach=named_breach(whole, breaches) if breaches else None)
