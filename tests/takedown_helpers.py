"""The pieces a takedown test needs: a local RDAP registry, an SMTP server, profiles
whose paste site has a public-looking name and address, and a sale post."""

from __future__ import annotations

from pathlib import Path

from dumpwatch.synth import people

PASTE_DOMAIN = "paste.dumpwatch.test"
PASTE_IP = "211.43.200.10"  # public-looking: whoisit refuses private keys; served locally
REGISTRAR_ABUSE = "abuse@registrar-one.test"
HOSTING_ABUSE = "abuse@hosting-kr.test"


def registry():
    from dumpwatch.testsites.rdap import RdapServer

    return RdapServer(domains={"dumpwatch.test": ("Registrar One", REGISTRAR_ABUSE)},
                      networks={"211.43.0.0/16": ("KR", HOSTING_ABUSE)})


def takedown_config(config: Path, rdap, smtp_port: int, extra: str = "") -> None:
    """config/takedown.yaml for the local servers, and public names for the paste site."""
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
law_enforcement: cyber@police.test
{extra}""")
    for name in ("local-paste",):
        path = config / "sources" / f"{name}.yaml"
        if path.exists():
            path.write_text(path.read_text() + f"takedown:\n  domain: {PASTE_DOMAIN}\n"
                            f"  hosting_ip: {PASTE_IP}\n")


def sale_post(start: int, n: int) -> tuple[str, list]:
    """A Korean sale post: price, claimed count, Telegram handle, and a proof sample."""
    ps = people(start, n)
    rows = "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps)
    return (f"쿠팡 고객 DB 판매합니다. 총 3,370만 건, 샘플 {n}건 첨부\n"
            f"가격 300만원 (USDT 2,200 가능)\n문의 텔레그램 @cp_db_seller\n\n"
            f"이름,연락처,이메일\n{rows}\n"), ps


def plaintexts(ps: list) -> list[bytes]:
    """Every way a posted record's values could leak as bytes."""
    out = []
    for p in ps:
        for v in (p.name, p.phone, p.phone.replace("-", ""), "+82" + p.phone.replace("-", "")[1:],
                  p.email, p.email.split("@")[0]):
            out.append(v.encode("utf-8"))
    return out
