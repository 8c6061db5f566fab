"""Email addresses: lower-cased, de-obfuscated, masked local parts kept as a prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.normalize.text import MASK_CHARS, nfkc

_OBFUSCATIONS = [
    (re.compile(r"\s*[\[\(\{<]\s*(?:at|골뱅이|@)\s*[\]\)\}>]\s*", re.I), "@"),
    (re.compile(r"\s*[\[\(\{<]\s*(?:dot|점|\.)\s*[\]\)\}>]\s*", re.I), "."),
    (re.compile(r"\s+at\s+", re.I), "@"),
    (re.compile(r"\s+dot\s+", re.I), "."),
]
_MAILTO = re.compile(r"^mailto:", re.I)
_LOCAL_OK = re.compile(r"^[a-z0-9._%+\-" + re.escape(MASK_CHARS.lower()) + r"]+$")
_DOMAIN_OK = re.compile(r"^[a-z0-9\-]+(?:\.[a-z0-9\-]+)+$")
# x is a common letter in local parts, so it does not count as a mask here
_MASK_RE = re.compile("[" + re.escape(MASK_CHARS.replace("x", "").replace("X", "")) + "]")


_X_RUN = re.compile(r"[xX]{3,}(?=[^a-wyzA-WYZ0-9]*$)")


@dataclass(frozen=True, slots=True)
class Email:
    """``full`` is None when the local part is masked; ``prefix`` is what shows before it."""

    full: str | None
    local_prefix: str
    domain: str
    ocr: bool = False  # read only after undoing OCR confusions (see normalize.ocr)

    @property
    def masked(self) -> bool:
        return self.full is None


def deobfuscate(value: str) -> str:
    text = nfkc(value).strip()
    if "@" not in text:
        for pattern, repl in _OBFUSCATIONS:
            text = pattern.sub(repl, text)
    else:
        for pattern, repl in _OBFUSCATIONS[1:2]:
            text = pattern.sub(repl, text)
    return _MAILTO.sub("", text)


_PLAIN = re.compile(r"^([a-z0-9._%+\-]+)@([a-z0-9\-]+(?:\.[a-z0-9\-]+)+)$")


def parse_email(value: str) -> Email | None:
    m = _PLAIN.match(value.lower()) if value.isascii() else None
    if m and "xxx" not in m.group(1):  # the common case, with nothing to undo
        return Email(m.group(0), m.group(1), m.group(2))
    text = deobfuscate(value).lower().strip("<>\"'(),;: ")
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not _DOMAIN_OK.match(domain):
        return None
    m = _MASK_RE.search(local)
    cut = m.start() if m else None
    x_run = _X_RUN.search(local)  # "leexxxx": x is a letter, but a run of them is a mask
    if x_run and (cut is None or x_run.start() < cut):
        cut = x_run.start()
    if cut is None:
        if not _LOCAL_OK.match(local):
            return None
        return Email(f"{local}@{domain}", local, domain)
    return Email(None, local[:cut], domain)
