"""Fault kinds a crawl run records, and the translation of download exceptions to them.

Translating in one place means the run summary, the source's health and the tests all
speak of the same kinds: timeout, connection_reset, redirect_loop, oversized, binary,
challenge, http_429, http_503, session_expired, login_failed, pagination_trap,
archive_bomb (a downloaded file crossed an expansion limit), archive_corrupt, ...
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionLost, ConnectionRefusedError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeout
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

STAT_PREFIX = "dumpwatch/error/"


def classify(failure: Failure) -> str:
    exc = failure.value
    if isinstance(exc, DownloadTimeoutError | TwistedTimeout | TCPTimedOutError):
        return "timeout"
    if isinstance(exc, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, CannotResolveHostError):
        return "dns"
    if isinstance(exc, DownloadCancelledError | CancelledError):
        return "oversized" if "max size" in str(exc) else "cancelled"
    if isinstance(exc, ResponseDataLossError | DownloadFailedError | ConnectionLost
                  | ResponseFailed | ResponseNeverReceived):
        return "connection_reset"
    if isinstance(exc, IgnoreRequest):
        msg = str(exc)
        if "redirection" in msg:
            return "redirect_loop"
        return getattr(exc, "kind", "ignored")
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    return type(exc).__name__


def record(stats, kind: str, n: int = 1) -> None:
    stats.inc_value(STAT_PREFIX + kind, n)


class Blocked(IgnoreRequest):
    """Raised by the challenge middleware: the page is an anti-bot wall, not content."""

    kind = "challenge"
