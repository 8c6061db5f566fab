"""Which charset a page is in: the profile's, the HTTP header's, the BOM's, a <meta>
tag's, or detection's — in that order."""

from __future__ import annotations

from matcher.decode import decode_bytes


def decode_page(body: bytes, content_type: str, forced: str | None = None, *,
                html: bool = False) -> str:
    """Charset from the profile, then the HTTP header, the BOM, a <meta> tag (HTML), and
    finally detection — old Korean boards send CP949 with only a <meta charset>."""
    from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

    for enc in (forced, http_content_type_encoding(content_type)):
        if enc:
            try:
                return body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                pass
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(body)
    declared = html_body_declared_encoding(body) if html else None
    return decode_bytes(body, declared)
