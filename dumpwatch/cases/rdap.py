"""Who to ask: the abuse contact and hosting country of a post's URL.

Order: the source profile's own contact (a platform's trust-and-safety address or web
form) wins; an .onion post has no RDAP or WHOIS and goes to the profile's or the
configured law-enforcement contact; otherwise RDAP is asked (``whoisit``) for the
registrable domain (the registrar's abuse entity) and for the hosting address (the
network's abuse entity, which also gives the country). Library errors become one
:class:`ContactLookupError` line.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
import time
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import requests
import whoisit
from whoisit.errors import BootstrapError, QueryError, ResourceDoesNotExist

from crawler.profiles import Takedown
from dumpwatch.cases.config import Rdap
from dumpwatch.errors import ContactLookupError

_bootstrap_lock = threading.Lock()
_loaded_from: list[str | None] = [None]  # whoisit keeps its bootstrap per process


@dataclass
class Contact:
    email: str | None = None
    form: str | None = None
    origin: str | None = None  # rdap-domain | rdap-ip | profile | law-enforcement
    domain: str | None = None
    hosting_ip: str | None = None
    country: str | None = None
    registrar: str | None = None


@cache
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, offline


def registrable_domain(host: str) -> str:
    """example.co.kr for a.b.example.co.kr; the last two labels for unknown suffixes."""
    ext = _extractor()(host)
    if ext.suffix and ext.domain:
        return f"{ext.domain}.{ext.suffix}"
    return ".".join(host.split(".")[-2:])


def find_contact(url: str, profile: Takedown, rdap: Rdap,
                 law_enforcement: str | None = None) -> Contact:
    host = (urlsplit(url).hostname or "").lower()
    is_ip = _is_ip(host)
    domain = profile.domain or (None if is_ip else host)
    if host.endswith(".onion"):
        email = profile.law_enforcement or profile.contact or law_enforcement
        origin = "profile" if profile.contact and not profile.law_enforcement else (
            "law-enforcement" if email else None)
        return Contact(email=email, form=profile.web_form, origin=origin, domain=host,
                       country="onion")
    contact = Contact(domain=domain, form=profile.web_form)
    contact.hosting_ip = profile.hosting_ip or (host if is_ip else _resolve(host))
    if profile.contact:
        contact.email, contact.origin = profile.contact, "profile"
    need_email = contact.email is None and contact.form is None
    ip_ok = contact.hosting_ip is not None and ipaddress.ip_address(contact.hosting_ip).is_global
    if not need_email and not ip_ok:
        return contact
    _ensure_bootstrap(rdap)
    if ip_ok:
        net = _query(whoisit.ip, contact.hosting_ip, rdap)
        if net:
            contact.country = (net.get("country") or "").upper() or None
            if need_email and (email := _abuse_email(net)):
                contact.email, contact.origin = email, "rdap-ip"
    if domain and need_email:
        reg = _query(whoisit.domain, registrable_domain(domain), rdap)
        if reg:
            registrar = reg.get("entities", {}).get("registrar") or [{}]
            contact.registrar = registrar[0].get("name") or None
            if email := _abuse_email(reg):  # the registrar's abuse desk beats the network's
                contact.email, contact.origin = email, "rdap-domain"
    if contact.email is None and contact.form is None:
        why = "RDAP names no abuse contact" if ip_ok or domain else (
            "a private address has no RDAP record and no domain is known")
        raise ContactLookupError(f"{why} for {domain or host}; set takedown.contact (or "
                                 "domain and hosting_ip) in the source profile")
    return contact


def _abuse_email(parsed: dict) -> str | None:
    for entity in parsed.get("entities", {}).get("abuse", []):
        if entity.get("email"):
            return entity["email"]
    return None


def _query(func, key: str, rdap: Rdap) -> dict | None:
    session = requests.Session()
    session.request = _with_timeout(session.request, rdap.timeout)  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(key, session=session)
    except ResourceDoesNotExist:
        return None
    except (QueryError, BootstrapError, requests.RequestException) as exc:
        raise ContactLookupError(f"RDAP lookup of {key} failed: {_short(exc)}") from None
    finally:
        session.close()


def _with_timeout(request, timeout: float):
    def call(method, url, **kwargs):
        kwargs.setdefault("timeout", timeout)
        return request(method, url, **kwargs)
    return call


def bootstrap_cache() -> Path:
    """IANA's bootstrap, fetched once a week at most (it changes rarely)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dumpwatch" / "rdap-bootstrap.json"


def _ensure_bootstrap(rdap: Rdap) -> None:
    source = rdap.bootstrap
    cache = bootstrap_cache()
    if source is None and cache.exists() and time.time() - cache.stat().st_mtime < 7 * 86400:
        source = cache
    wanted = str(source) if source else "iana"
    with _bootstrap_lock:
        if whoisit.is_bootstrapped() and _loaded_from[0] == wanted:
            return
        whoisit.clear_bootstrapping()
        try:
            if source:
                whoisit.load_bootstrap_data(source.read_text(),
                                            allow_insecure=rdap.allow_insecure)
            else:
                whoisit.bootstrap(allow_insecure=rdap.allow_insecure)
                cache.parent.mkdir(parents=True, exist_ok=True)
                cache.write_text(whoisit.save_bootstrap_data())
        except OSError as exc:
            raise ContactLookupError(f"RDAP bootstrap {source or cache}: {exc.strerror}") from None
        except (BootstrapError, QueryError, requests.RequestException) as exc:
            raise ContactLookupError(f"RDAP bootstrap failed: {_short(exc)}") from None
        _loaded_from[0] = wanted


def _resolve(host: str) -> str | None:
    try:
        return socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)[0][4][0]
    except (OSError, IndexError):
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _short(exc: BaseException) -> str:
    """whoisit wraps urllib3's whole retry story into its message: keep what a person needs."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    m = re.search(r"request to (\S+?): .*(NewConnectionError|Max retries|timed out|Timeout)",
                  text)
    if m or isinstance(exc, requests.ConnectionError):
        where = f" at {m.group(1)}" if m else ""
        return f"no answer from the RDAP server{where} (unreachable or timed out)"
    return text[:200]
