"""The pieces a takedown test needs: a local RDAP registry, an SMTP server, profiles
whose paste site has a public-looking name and address, and a sale post."""

from __future__ import annotations

from pathlib import Path

from dumpwatch.synth import people
from dumpwatch.testsites.takedown import (  # noqa: F401 - re-exported for the tests
    HOSTING_ABUSE,
    PASTE_DOMAIN,
    PASTE_IP,
    REGISTRAR_ABUSE,
    registry,
    write_takedown_config,
)


def takedown_config(config: Path, rdap, smtp_port: int, extra: str = "") -> None:
    write_takedown_config(config, rdap, smtp_port, extra)


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
