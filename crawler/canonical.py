"""Canonical URLs: one spelling per page, so identities built on them cannot collide.

The query string names the page on most forum engines (``board.php?bo_table=free&wr_id=7``)
and is kept; what varies between visits of the same page is dropped: tracking parameters
(utm_*, fbclid, gclid, ...), session ids (PHPSESSID, sid, s, jsessionid, ...) and the
fragment. Parameters are sorted. ``keep`` narrows the query to the parameters that name
a thread on an engine whose links also carry list state (page=, sca=, stx=...).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|"
                      r"mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref_src|spm)$", re.I)
SESSION = re.compile(r"^(phpsessid|sid|s|jsessionid|sessionid|session_id|sess|aspsessionid"
                     r"\w*|cfid|cftoken|zenid|osCsid)$", re.I)
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)


def canonical_url(url: str, keep: list[str] | None = None) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else (
        f"{host}:{port}")
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
              if not TRACKING.match(k) and not SESSION.match(k)]
    if keep is not None:
        params = [(k, v) for k, v in params if k in keep]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(params)), ""))
