"""The other side of a takedown, on 127.0.0.1: a registry answering RDAP, a mail server
receiving notices, and a paste site that removes a post once its notice arrives.

The paste site gets a public-looking name and hosting address in its profile (whoisit
refuses private addresses as lookup keys); every RDAP request still goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dumpwatch.testsites.rdap import RdapServer
from dumpwatch.testsites.server import LocalSites
from dumpwatch.testsites.smtp import SmtpSink

PASTE_DOMAIN = "paste.dumpwatch.test"
PASTE_IP = "211.43.200.10"
REGISTRAR_ABUSE = "abuse@registrar-one.test"
HOSTING_ABUSE = "abuse@hosting-kr.test"
FORUM_TRUST_SAFETY = "trust-safety@forum.test"
FORUM_DOMAIN = "forum.dumpwatch.test"
FORUM_IP = "211.43.7.20"
POLICE = "cyber@police.test"


def registry() -> RdapServer:
    return RdapServer(domains={"dumpwatch.test": ("Registrar One", REGISTRAR_ABUSE)},
                      networks={"211.43.0.0/16": ("KR", HOSTING_ABUSE)})


def write_takedown_config(config: Path, rdap: RdapServer, smtp_port: int, extra: str = ""
                          ) -> None:
    """config/takedown.yaml for the local servers; public names for the local sites."""
    bootstrap = rdap.write_bootstrap(config / "rdap-bootstrap.json")
    (config / "takedown.yaml").write_text(f"""\
notifier:
  name: Kim Minji
  email: privacy-desk@shop.test
  organization: Shop Korea Trust & Safety
  domain: shop.test
affected_organization: Shop Korea
smtp: {{host: 127.0.0.1, port: {smtp_port}, timeout: 3}}
rdap: {{bootstrap: {bootstrap}, allow_insecure: true, timeout: 3}}
law_enforcement: {POLICE}
{extra}""")
    blocks = {"local-paste": f"  domain: {PASTE_DOMAIN}\n  hosting_ip: {PASTE_IP}\n",
              "local-forum": f"  contact: {FORUM_TRUST_SAFETY}\n  domain: {FORUM_DOMAIN}\n"
                             f"  hosting_ip: {FORUM_IP}\n"}
    for name, block in blocks.items():
        path = config / "sources" / f"{name}.yaml"
        if path.exists():
            path.write_text(path.read_text() + "takedown:\n" + block)


class NoticeDesk:
    """Reads the notices the mail server received; the paste site takes the named post
    down ``delay`` seconds after its notice (the forum ignores notices)."""

    def __init__(self, sites: LocalSites, smtp: SmtpSink, delay: float = 1.0,
                 on_notice: Callable[[str, str], None] | None = None,
                 on_removed: Callable[[str], None] | None = None) -> None:
        self.sites, self.smtp, self.delay = sites, smtp, delay
        self.on_notice, self.on_removed = on_notice, on_removed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> NoticeDesk:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        seen = 0
        while not self._stop.wait(0.2):
            while seen < len(self.smtp.received):
                mail = self.smtp.received[seen]
                seen += 1
                msg = mail.message()
                part = next((p for p in msg.iter_attachments()
                             if p.get_filename() == "xarf.json"), None)
                if part is None:
                    continue
                content = part.get_content()
                url = json.loads(content if isinstance(content, str) else content.decode())["url"]
                if self.on_notice:
                    self.on_notice(url, ", ".join(mail.recipients))
                m = re.search(r"/raw/([\w-]+)$", url)
                if m and url.startswith(self.sites.paste_server.url):
                    time.sleep(self.delay)
                    self.sites.paste.remove(m.group(1))
                    if self.on_removed:
                        self.on_removed(url)


__all__ = ["HOSTING_ABUSE", "PASTE_DOMAIN", "PASTE_IP", "REGISTRAR_ABUSE", "NoticeDesk",
           "SmtpSink", "registry", "write_takedown_config"]
