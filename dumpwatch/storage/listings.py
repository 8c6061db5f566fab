"""What a sale post says about itself, 1:1 with a sighting (filled for matched documents).

Seller contact handles are the seller's, not corpus data, and may be shown; e-mail
handles that also occur in the document's matched rows are never stored (the pipeline
drops them before this row is written).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow


class Listing(SQLModel, table=True):
    sighting_id: int = Field(foreign_key="sighting.id", primary_key=True)
    price_amount: float | None = None  # in the currency below, e.g. 30000000.0 KRW
    price_currency: str | None = None  # ISO 4217 (KRW, USD, EUR) or BTC/XMR/USDT/ETH
    claimed_records: int | None = None  # "3,370만 건" -> 33700000
    sample_size: int | None = None  # "샘플 100개" -> 100
    contacts: str = "[]"  # JSON list of {"kind": "telegram|session|tox|jabber|email|discord",
    #                       "value": "..."}
    breach: str | None = None  # canonical breach name from config, when the post names one
    created_at: datetime = Field(default_factory=utcnow)
