"""STIX 2.1 bundle (``stix2``): who owns the corpus, where it was seen, what it exposed.

Per sighting row: a ``url`` observable inside ``observed-data``; a ``sighting`` of the
breach ``incident`` (sighting_of_ref must name an SDO) seen by the monitor's identity; a
``note`` with the redacted match evidence and the listing. One ``identity`` for the
corpus owner (the victim organisation), one ``incident`` per corpus, a ``report`` wrapping
everything. Every object is marked TLP:AMBER of TLP 2.0 — the OASIS marking-definition
under the TLP 2.0 extension, since ``stix2`` ships only TLP 1.0. Ids are derived from the
sighting (hashed into UUIDv4 form), so re-exporting the same findings yields the same objects.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import stix2

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_AMBER_ID = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP2_AMBER = stix2.MarkingDefinition(
    id=TLP2_AMBER_ID, created="2022-10-01T00:00:00.000Z", name="TLP:AMBER",
    extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "amber"}})


def _id(kind: str, *parts: object) -> str:
    """A stable id in UUIDv4 form (SDO ids should be v4) derived from what it names."""
    seed = hashlib.sha256("|".join(["dumpwatch", kind, *map(str, parts)]).encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=seed[:16], version=4)}"


def _t(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else datetime.now(UTC)


def _note_text(r: dict) -> str:
    lines = [f"{r['records']} records of corpus {r['corpus']} ({r['verdict']}) at {r['url']}",
             f"fields exposed: {', '.join(r['fields'])}",
             f"raw SHA-256 as fetched: {r['raw_sha256'] or 'n/a'}; HTTP {r['http_status']}",
             "redacted samples:", *(f"  {x}" for x in r["samples"])]
    if r.get("price_amount") or r.get("claimed_records") or r.get("contacts"):
        lines.append(f"listing: price {r.get('price_amount')} {r.get('price_currency') or ''}; "
                     f"claims {r.get('claimed_records')} records; sample "
                     f"{r.get('sample_size')}; contacts "
                     f"{', '.join(c['value'] for c in r.get('contacts') or [])}")
    if r.get("dump_id"):
        lines.append(f"dumpwatch dump {r['dump_id']}")
    return "\n".join(lines)


def bundle(rows: list[dict], *, owner: str | None = None) -> stix2.Bundle:
    marking = [TLP2_AMBER_ID]
    now = datetime.now(UTC)
    monitor = stix2.Identity(id=_id("identity", "dumpwatch-monitor"), name="dumpwatch monitor",
                             identity_class="system", created=datetime(2025, 1, 1, tzinfo=UTC),
                             modified=datetime(2025, 1, 1, tzinfo=UTC),
                             object_marking_refs=marking)
    objects: list = [TLP2_AMBER, monitor]
    owners: dict[str, stix2.Identity] = {}
    incidents: dict[str, stix2.Incident] = {}
    for r in rows:
        corpus = r["corpus"]
        if corpus not in owners:
            name = owner or f"Owner of the {corpus} customer data"
            owners[corpus] = stix2.Identity(
                id=_id("identity", "owner", name), name=name, identity_class="organization",
                created_by_ref=monitor.id, object_marking_refs=marking,
                created=datetime(2025, 1, 1, tzinfo=UTC),
                modified=datetime(2025, 1, 1, tzinfo=UTC))
            incidents[corpus] = stix2.Incident(
                id=_id("incident", "breach", corpus), name=f"{corpus} breach corpus",
                description=f"Records of the {corpus} breach corpus redistributed online",
                created_by_ref=owners[corpus].id, object_marking_refs=marking,
                created=datetime(2025, 1, 1, tzinfo=UTC),
                modified=datetime(2025, 1, 1, tzinfo=UTC))
            objects += [owners[corpus], incidents[corpus]]
        seen = _t(r["fetched_at"])
        key = (r["sighting_id"], corpus)
        url = stix2.URL(value=r["url"], object_marking_refs=marking)
        observed = stix2.ObservedData(
            id=_id("observed-data", *key), first_observed=seen, last_observed=seen,
            number_observed=1, object_refs=[url.id], created_by_ref=monitor.id,
            created=seen, modified=seen, object_marking_refs=marking)
        sighting = stix2.Sighting(
            id=_id("sighting", *key), sighting_of_ref=incidents[corpus].id,
            observed_data_refs=[observed.id], where_sighted_refs=[monitor.id],
            first_seen=seen, last_seen=seen, count=1, created_by_ref=monitor.id,
            created=seen, modified=seen, object_marking_refs=marking,
            description=f"{r['records']} records ({r['verdict']}) on {r['source']}")
        note = stix2.Note(
            id=_id("note", *key), abstract=f"Redacted match evidence, sighting "
            f"{r['sighting_id']}", content=_note_text(r), authors=["dumpwatch"],
            object_refs=[sighting.id, observed.id], created_by_ref=monitor.id,
            created=seen, modified=seen, object_marking_refs=marking)
        objects += [url, observed, sighting, note]
    refs = [o.id for o in objects if o.type not in ("marking-definition",)]
    report = stix2.Report(
        id=_id("report", *sorted(refs)), name="dumpwatch: breach corpus redistribution",
        published=now, report_types=["threat-report"], object_refs=refs,
        created_by_ref=monitor.id, object_marking_refs=marking,
        description=f"{len(rows)} sighting(s) of breach corpus records, redacted")
    return stix2.Bundle(objects=[*objects, report], allow_custom=False)
