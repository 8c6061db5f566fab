"""An RDAP server on 127.0.0.1 (RFC 9083 JSON) and a bootstrap that points at it.

Domains answer with a registrar entity carrying an abuse entity (as registries do);
IP networks with a country and an abuse entity. Lookup keys must look public (whoisit
refuses private addresses), but every request still goes to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from dumpwatch.testsites.server import SiteServer, send


def _entity(handle: str, roles: list[str], name: str, email: str | None = None,
            children: list[dict] | None = None) -> dict:
    card = [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]
    if email:
        card.append(["email", {}, "text", email])
    out = {"objectClassName": "entity", "handle": handle, "roles": roles,
           "vcardArray": ["vcard", card]}
    if children:
        out["entities"] = children
    return out


@dataclass
class RdapServer:
    """domains: name -> (registrar, abuse e-mail); networks: CIDR -> (country, abuse e-mail)."""

    domains: dict[str, tuple[str, str]] = field(default_factory=dict)
    networks: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = SiteServer(self)
        self.url = self.server.url + "/"

    def __enter__(self) -> RdapServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def bootstrap(self) -> str:
        """A whoisit bootstrap sending every TLD and network listed here to this server."""
        tlds = sorted({d.rsplit(".", 1)[-1] for d in self.domains})
        v4 = [n for n in self.networks if ipaddress.ip_network(n).version == 4]
        v6 = [n for n in self.networks if ipaddress.ip_network(n).version == 6]
        svc = [self.url]
        return json.dumps({
            "timestamp": int(time.time()),
            "asn": {"services": [[["64512-65534"], svc]]},
            "dns": {"services": [[tlds or ["test"], svc]]},
            "ipv4": {"services": [[v4 or ["1.0.0.0/8"], svc]]},
            "ipv6": {"services": [[v6 or ["2001:200::/23"], svc]]},
            "object": {"services": [[["DW"], svc]]},
        })

    def write_bootstrap(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.bootstrap())
        return path

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        self.requests.append(req.path)
        kind, _, key = req.path.strip("/").partition("/")
        body = self._domain(key.lower()) if kind == "domain" else (
            self._ip(key) if kind == "ip" else None)
        if body is None:
            return send(req, 404, json.dumps({"errorCode": 404, "title": "Not Found"}),
                        "application/rdap+json")
        return send(req, 200, json.dumps(body), "application/rdap+json")

    def _domain(self, name: str) -> dict | None:
        if name not in self.domains:
            return None
        registrar, abuse = self.domains[name]
        return {"objectClassName": "domain", "ldhName": name, "handle": name.upper(),
                "rdapConformance": ["rdap_level_0"],
                "entities": [_entity("REG-1", ["registrar"], registrar, children=[
                    _entity("REG-1-ABUSE", ["abuse"], f"{registrar} abuse desk", abuse)])]}

    def _ip(self, key: str) -> dict | None:
        addr = ipaddress.ip_address(key.split("/")[0])
        for cidr, (country, abuse) in self.networks.items():
            net = ipaddress.ip_network(cidr)
            if addr in net:
                return {"objectClassName": "ip network", "handle": f"NET-{cidr}",
                        "startAddress": str(net[0]), "endAddress": str(net[-1]),
                        "ipVersion": f"v{net.version}", "country": country,
                        "name": "HOSTING-NET", "rdapConformance": ["rdap_level_0"],
                        "entities": [_entity("HOST-ABUSE", ["abuse"], "hosting abuse", abuse)]}
        return None
