"""From crawl to evidence: listings, repost lineage, evidence bundles and exports.

A local paste site carries a Korean sale post with a sample, a re-formatted re-post of
part of it, a bigger re-post, and an unrelated dump; the real CLI crawls it. Then what a
trust-and-safety team would look at is checked: the listing on the finding, the dumps,
a bundle whose hashes hold, and exports that their ecosystems' own validators accept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from pymisp import MISPEvent, MISPObject
from pymisp.exceptions import InvalidMISPObject
from stix2validator import ValidationOptions, validate_string

from dumpwatch.evidence import verify_bundle
from dumpwatch.exports import EXPORT_FIELDS
from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import db_rows, run_cli

SALE_HEAD = ("[판매] 쿠팡 고객 DB 3,370만 건 풀세트\n가격: 3000만원 (BTC 가능)\n"
             "샘플 {n}개 아래 첨부\n문의 텔레그램 @cpdb_seller / 메일 seller.kr@proton.me\n\n")


def rows(start: int, n: int, sep: str = ",") -> tuple[str, list]:
    ps = people(start, n)
    return "\n".join(sep.join([p.name, p.phone, p.email]) for p in ps), ps


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, built_home: Path,
            module_database: str | None):
    tmp = tmp_path_factory.mktemp("evidence")
    home = tmp / "home"
    (home / "corpora").mkdir(parents=True)
    (home / "corpora" / "coupang").symlink_to(built_home / "corpora" / "coupang")
    config = tmp / "config"
    with LocalSites() as sites:
        write_profiles(config, sites)
        (config / "monitor.yaml").write_text("breaches: {coupang: [쿠팡, CPNG]}\n")
        sample, ps = rows(1000, 30)
        sale = sites.paste.add("쿠팡 3370만 판매", SALE_HEAD.format(n=30) + sample,
                               author="cpdb_seller")
        other, _ = rows(9000, 25)
        unrelated = sites.paste.add("other shop", other)
        crawl(home, config)
        # found by later runs of the monitor: a re-formatted slice, then a bigger re-post
        sub, _ = rows(1000, 20, " | ")
        repost = sites.paste.add("KR shop sample", "fresh KR leak, 20 lines\n" + sub)
        crawl(home, config)
        big, _ = rows(1000, 40, "\t")
        grown = sites.paste.add("coupang full", big)
        crawl(home, config)
        served = {p.id: hashlib.sha256(p.text.encode("utf-8")).hexdigest()
                  for p in (sale, repost, grown, unrelated)}
        base = sites.paste_server.url
    urls = {k: f"{base}/raw/{p.id}" for k, p in
            {"sale": sale, "repost": repost, "grown": grown, "unrelated": unrelated}.items()}
    return {"home": home, "config": config, "urls": urls, "people": ps, "tmp": tmp,
            "served": {urls[k]: served[p.id] for k, p in
                       {"sale": sale, "repost": repost, "grown": grown,
                        "unrelated": unrelated}.items()}}


def crawl_source(home: Path, config: Path, source: str = "local-paste") -> None:
    proc = run_cli("--home", str(home), "--config", str(config), "crawl", source, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "ok", proc.stdout


crawl = crawl_source


def cli(c: dict, *args: str) -> str:
    proc = run_cli("--home", str(c["home"]), "--config", str(c["config"]), *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_listing_shown_in_findings_and_alert_payload(crawled: dict) -> None:
    found = [json.loads(x) for x in cli(crawled, "findings", "-f", "jsonl", "--limit", "0")
             .splitlines()]
    sale = [r for r in found if r["url"] == crawled["urls"]["sale"]]
    assert len(sale) == 30
    listing = sale[0]["listing"]
    assert listing["price_amount"] == 30_000_000 and listing["price_currency"] == "KRW"
    assert listing["claimed_records"] == 33_700_000 and listing["sample_size"] == 30
    assert listing["breach"] == "coupang"
    contacts = {(c["kind"], c["value"]) for c in listing["contacts"]}
    assert ("telegram", "@cpdb_seller") in contacts
    assert ("email", "seller.kr@proton.me") in contacts
    # the customers' addresses in the sample rows are never taken for contacts
    assert not {p.email.lower() for p in crawled["people"]} & {v for _, v in contacts}
    wide = run_cli("--home", str(crawled["home"]), "findings", "--source", "local-paste",
                   env={"COLUMNS": "400"})
    assert "30,000,000 KRW · 33,700,000 claimed · sample 30 · " in wide.stdout
    assert "@cpdb_seller" in wide.stdout
    payloads = {url: json.loads(p) for url, p in
                db_rows(crawled["home"], "SELECT url, payload FROM alert")}
    alert = payloads[crawled["urls"]["sale"]]
    assert alert["listing"] == listing and alert["dump_id"] is not None


def test_dumps_group_reposts_and_see_growth(crawled: dict) -> None:
    dumps = [json.loads(x) for x in cli(crawled, "dumps", "-f", "jsonl").splitlines()]
    assert len(dumps) == 2, dumps
    main = next(d for d in dumps if d["posts"] == 3)
    other = next(d for d in dumps if d["posts"] == 1)
    assert main["records"] == 40 and other["records"] == 25
    assert main["trend"] == "growing" and main["first_url"] == crawled["urls"]["sale"]
    shown = cli(crawled, "dumps", "show", str(main["id"]), "--format", "json")
    detail = json.loads(shown)
    assert detail["first"]["url"] == crawled["urls"]["sale"]
    assert {r["url"] for r in detail["reposts"]} == {crawled["urls"]["repost"],
                                                     crawled["urls"]["grown"]}
    text = cli(crawled, "dumps", "show", str(main["id"]))
    assert "first seen" in text and "re-posted" in text and "40 records" in text
    unknown = run_cli("--home", str(crawled["home"]), "dumps", "show", "999")
    assert unknown.returncode == 2 and "no dump 999" in unknown.stderr


def test_evidence_bundle(crawled: dict, tmp_path: Path) -> None:
    found = [json.loads(x) for x in cli(crawled, "findings", "-f", "jsonl", "--limit", "0")
             .splitlines()]
    sid = next(r["sighting_id"] for r in found if r["url"] == crawled["urls"]["sale"])
    folder = Path(cli(crawled, "evidence", str(sid), "--out", str(tmp_path)).strip())
    ev = json.loads((folder / "evidence.json").read_text())
    assert ev["url"] == crawled["urls"]["sale"] and ev["http_status"] == 200
    assert ev["fetched_at"].endswith("+00:00")
    assert ev["headers"]["Content-Type"].startswith("text/plain")
    assert ev["raw_sha256"] == crawled["served"][ev["url"]]  # what the server sent
    (match,) = ev["matches"]
    assert match["records"] == 30 and len(match["record_ids"]) == 30
    assert {"name", "phone", "email"} <= set(match["fields"])
    assert ev["listing"]["price_amount"] == 30_000_000
    page = (folder / "page.redacted.txt").read_text()
    assert "@cpdb_seller" in page and "3,370만" in page  # the post's own words stay
    for p in crawled["people"]:
        assert p.name not in page and p.phone not in page and p.email not in page
    assert page.count("010-****-") == 30
    assert verify_bundle(folder) == []
    (folder / "evidence.json").write_text(json.dumps({**ev, "url": "http://elsewhere/"}))
    assert verify_bundle(folder) == ["evidence.json"]  # the manifest notices tampering
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) >= {"evidence.json", "page.redacted.txt", "page.redacted.html"}
    missing = run_cli("--home", str(crawled["home"]), "evidence", "999", "--out", str(tmp_path))
    assert missing.returncode == 2 and "no sighting 999" in missing.stderr
    # `findings --evidence DIR` writes a bundle per listed sighting
    cli(crawled, "findings", "--source", "local-paste", "--evidence", str(tmp_path / "all"))
    assert len(list((tmp_path / "all").glob("sighting-*/manifest.json"))) == 4


def test_csv_and_jsonl_follow_the_documented_schema(crawled: dict) -> None:
    out = cli(crawled, "export", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == [n for n, _ in EXPORT_FIELDS]
    assert len(table) == 4 and {r["schema"] for r in table} == {"dumpwatch.export/1"}
    sale = next(r for r in table if r["url"] == crawled["urls"]["sale"])
    assert sale["records"] == "30" and sale["price_amount"] == "30000000.0"
    assert "telegram:@cpdb_seller" in sale["contacts"]
    lines = [json.loads(x) for x in cli(crawled, "export", "--format", "jsonl").splitlines()]
    assert [r["url"] for r in lines] == [r["url"] for r in table]
    assert all(len(r["record_ids"]) == r["records"] for r in lines)
    dump_id = next(r["dump_id"] for r in lines if r["url"] == crawled["urls"]["unrelated"])
    only = cli(crawled, "export", "--format", "jsonl", "--dump", str(dump_id)).splitlines()
    assert [json.loads(x)["url"] for x in only] == [crawled["urls"]["unrelated"]]
    assert cli(crawled, "export", "--format", "jsonl", "--since", "2999-01-01") == ""
    assert len(cli(crawled, "export", "-f", "jsonl", "--source", "local-paste").splitlines()) == 4
    assert cli(crawled, "export", "--format", "csv", "--source", "nowhere").splitlines() == [
        ",".join(n for n, _ in EXPORT_FIELDS)]  # the header alone
    bad = run_cli("--home", str(crawled["home"]), "export", "--format", "xml")
    assert bad.returncode == 2 and "--format" in bad.stderr


def test_stix_bundle_validates(crawled: dict, tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    cli(crawled, "export", "--format", "stix", "--owner", "Coupang Corp.", "--out", str(path))
    text = path.read_text()
    result = validate_string(text, ValidationOptions(strict=True))
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]
    objs = json.loads(text)["objects"]
    by_type: dict[str, list] = {}
    for o in objs:
        by_type.setdefault(o["type"], []).append(o)
    assert len(by_type["sighting"]) == 4 and len(by_type["observed-data"]) == 4
    ids = {o["id"]: o for o in objs}
    assert all(ids[s["sighting_of_ref"]]["type"] == "incident" for s in by_type["sighting"])
    assert any(o["name"] == "Coupang Corp." for o in by_type["identity"])
    (marking,) = by_type["marking-definition"]
    assert marking["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"][
        "tlp_2_0"] == "amber"
    assert all(marking["id"] in o.get("object_marking_refs", []) for o in objs
               if o["type"] != "marking-definition")
    (report,) = by_type["report"]
    assert set(report["object_refs"]) >= {s["id"] for s in by_type["sighting"]}
    assert any("010-****-" in n["content"] for n in by_type["note"])
    # the validator can fail: a sighting without its required reference is rejected
    broken = json.loads(text)
    for o in broken["objects"]:
        if o["type"] == "sighting":
            del o["sighting_of_ref"]
    assert not validate_string(json.dumps(broken), ValidationOptions(strict=True)).is_valid


def test_misp_event_objects_are_strictly_valid(crawled: dict, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    cli(crawled, "export", "--format", "misp", "--out", str(path))
    ev = MISPEvent()
    ev.load_file(str(path))
    assert {t.name for t in ev.tags} >= {"tlp:amber", 'infoleak:source="pastie-website"'}
    names = [o.name for o in ev.objects]
    assert names.count("paste") == names.count("leaked-document") == names.count("url") == 4

    def rebuild(obj) -> MISPObject:
        strict = MISPObject(obj.name, strict=True)
        for a in obj.attributes:
            strict.add_attribute(a.object_relation, value=a.value)
        strict.to_json(strict=True)  # raises on unknown relations or missing required ones
        return strict

    for obj in ev.objects:
        rebuild(obj)
    empty = MISPObject("paste", strict=True)
    empty.add_attribute("title", value="only a title")  # neither origin nor paste
    with pytest.raises(InvalidMISPObject):
        empty.to_json(strict=True)


def test_bundle_renders_retained_text_in_memory(tmp_path: Path, key) -> None:
    """A document kept only as encrypted retained text (no stored rendering) is rendered,
    redacted, at bundle time; without the key the bundle says the page is unavailable."""
    from dumpwatch.evidence import write_bundle
    from dumpwatch.storage import Database, Document, RetainedText, Sighting
    from dumpwatch.storage.models import utcnow
    from dumpwatch.storage.retention import retention_cipher

    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    page = "판매합니다\n박서준,010-3141-5926,seojun.park77@daum.net\n"
    with db.session() as s:
        doc = Document(content_sha256="ab" * 32, verdict="redistribution")
        s.add(doc)
        s.flush()
        s.add(Sighting(id=7, document_id=doc.id, source="p", url="http://p/1"))
        s.add(RetainedText(document_id=doc.id, expires_at=utcnow(),
                           ciphertext=retention_cipher(key).encrypt(page.encode())))
        s.commit()
    shown = (write_bundle(db, 7, tmp_path / "a", key=key) / "page.redacted.txt").read_text()
    assert shown == "판매합니다\n박*준,010-****-5926,se***@daum.net\n"
    without = write_bundle(db, 7, tmp_path / "b")
    assert not (without / "page.redacted.txt").exists()
    assert "not available" in (without / "evidence.json").read_text()


def test_same_post_seen_again_elsewhere_gets_its_own_listing(home: Path, tmp_path: Path) -> None:
    """Identical content on a second site is a new sighting of a stored document: it gets
    a listing and capture of its own, and its title is redacted with the page's values."""
    config = tmp_path / "config"
    sample, ps = rows(2000, 15)
    with LocalSites() as sites:
        write_profiles(config, sites)
        sites.paste.add(f"DB 판매 샘플 {ps[0].name} {ps[1].name}",
                        SALE_HEAD.format(n=15) + sample)
        for source in ("local-paste", "onion-paste"):
            crawl_source(home, config, source)
    found = [json.loads(x) for x in run_cli("--home", str(home), "findings", "-f", "jsonl",
                                            "--limit", "0").stdout.splitlines()]
    by_sighting = {r["sighting_id"]: r for r in found}
    assert len(by_sighting) == 2
    for r in by_sighting.values():
        assert r["listing"]["price_amount"] == 30_000_000
        assert ps[0].name not in r["title"] and ps[1].name not in r["title"]
        assert r["title"].startswith("DB 판매 샘플 ")
    urls = {r["url"] for r in by_sighting.values()}
    assert any(".onion/" in u for u in urls)


def test_bundle_image_of_the_redacted_page(crawled: dict, tmp_path: Path) -> None:
    """Where a headless Chromium is available the bundle holds an image of the redacted
    rendering (Debian: chromium-headless-shell fonts-nanum, see .ci/run)."""
    from dumpwatch.evidence import find_browser

    if find_browser() is None:
        pytest.skip("no headless Chromium on this machine")
    folder = Path(cli(crawled, "evidence", "1", "--out", str(tmp_path)).strip())
    png = (folder / "page.redacted.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"]["page.redacted.png"] == hashlib.sha256(png).hexdigest()
    assert "captured with" in json.loads((folder / "evidence.json").read_text())["page_image"]


def test_cli_exports_are_in_the_audit_log(crawled: dict, tmp_path: Path) -> None:
    """Exports from the CLI are audited like the web's: actor = the OS user, marked cli."""
    import getpass

    from dumpwatch.accounts import audit_log
    from dumpwatch.storage import open_database

    def entries() -> list:
        db = open_database(crawled["home"])
        rows = audit_log(db, 1000)
        db.dispose()
        return rows

    before = max([a.id for a in entries()], default=0)
    cli(crawled, "export", "-f", "csv", "-o", str(tmp_path / "x.csv"), "--source", "local-paste")
    found = [json.loads(x) for x in cli(crawled, "findings", "-f", "jsonl").splitlines()]
    sid = next(r["sighting_id"] for r in found if r["url"] == crawled["urls"]["sale"])
    cli(crawled, "evidence", str(sid), "--out", str(tmp_path / "ev"))
    cli(crawled, "report", "--json")
    new = [a for a in reversed(entries()) if a.id > before]
    me = f"cli:{getpass.getuser()}"
    assert [(a.actor, a.action, a.target, a.remote) for a in new] == [
        (me, "export", "findings", "cli"), (me, "export", f"post:{sid}", "cli"),
        (me, "export", "regulator_report", "cli")]
    assert new[0].detail == f"csv, 4 rows to {tmp_path / 'x.csv'}; source=local-paste"
