"""Bytes of a scraped page or a dropped file -> text, whatever its (undeclared) charset."""

from __future__ import annotations

from charset_normalizer import from_bytes


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode with the declared charset if it works, then UTF-8, CP949, then detection.

    Korean dumps are often CP949 with no declaration; trying it before statistical
    detection is both faster and right far more often on short samples.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for enc in (declared, "utf-8", "cp949"):
        if not enc:
            continue
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:1 << 20]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def decode_with_utf8(data: bytes) -> tuple[str, bytes | None]:
    """:func:`decode_bytes`, and the UTF-8 bytes of the text when the data was just that
    (what the sparse-text prefilter scans: no need to encode megabytes back)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8"), body
    except UnicodeDecodeError:
        return decode_bytes(data), None


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl > len(head) * 0.1
