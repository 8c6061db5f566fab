"""Local sites that look like the real thing, for tests, benchmarks and the demo.

A paste site, a forum and a SOCKS5 proxy that serves them as .onion hosts, all on
127.0.0.1 with ephemeral ports. They are real servers (stdlib ``http.server``), so a
crawl of them goes through Scrapy's whole download path; they can publish new posts
while running; and they can misbehave on purpose (429, 503, resets, timeouts, redirect
loops, oversized and binary pages, undeclared CP949, broken HTML, challenge pages,
expiring sessions, pagination traps).
"""

from dumpwatch.testsites.forum import ForumSite
from dumpwatch.testsites.paste import PasteSite
from dumpwatch.testsites.server import LocalSites
from dumpwatch.testsites.socks import Socks5Proxy

__all__ = ["ForumSite", "LocalSites", "PasteSite", "Socks5Proxy"]
