"""The JSON API and the pages through a real ASGI client: token auth, a role check on
every route, keyset pagination, CSRF, lock-out, and no plaintext in any answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dumpwatch.web import create_app
from tests.conftest import database_contents, run_cli
from tests.takedown_helpers import registry
from tests.web_helpers import (
    PASSWORD,
    Site,
    assert_no_plaintext,
    crawled_site,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, built_home: Path,
         module_database: str | None):
    with registry() as rdap:
        yield crawled_site(tmp_path_factory.mktemp("web"), built_home, rdap)


@pytest.fixture()
def client(site: Site):
    with TestClient(create_app(site.home, site.config), base_url="http://127.0.0.1") as c:
        yield c


ERROR_LINE = re.compile(r'class="error"[^>]*>([^<]*)<')


def bearer(site: Site, name: str) -> dict[str, str]:
    return {"authorization": f"Bearer {site.tokens[name]}"}


def sign_in(client: TestClient, name: str) -> str:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"name": name, "password": PASSWORD[name], "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text).group(1)


def first_post(client: TestClient, site: Site) -> dict:
    items = client.get("/api/v1/findings?verdict=redistribution",
                       headers=bearer(site, "vic")).json()["items"]
    assert items, "the crawl found the sale post"
    return items[0]


def test_api_needs_a_valid_token(client: TestClient, site: Site) -> None:
    assert client.get("/api/v1/findings").status_code == 401
    assert client.get("/api/v1/findings",
                      headers={"authorization": "Bearer dw_forged"}).status_code == 401
    r = client.get("/api/v1/findings", headers=bearer(site, "vic"))
    assert r.status_code == 200
    posts = {i["title"]: i for i in r.json()["items"]}
    post = posts["쿠팡 고객 DB 판매"]
    assert post["verdict"] == "redistribution" and post["records"] == 8
    assert post["source"] == "local-paste" and post["url"].endswith("/raw/p00004")
    assert sorted(i["records"] for i in posts.values()) == [5, 6, 8]


def test_every_api_route_checks_the_role(client: TestClient, site: Site) -> None:
    post = first_post(client, site)
    sid = post["sighting_id"]
    spec = client.get("/api/v1/openapi.json").json()["paths"]
    routes = [(m.upper(), p) for p, ops in spec.items() for m in ops]
    bodies = {"/api/v1/findings/{sighting_id}/triage": {"state": "acknowledged"},
              "/api/v1/cases": {"sighting_id": sid}, "/api/v1/cases/{case_id}/close": {}}
    bodies |= {"/api/v1/sources/{name}/enabled": {"enabled": False},
               "/api/v1/sources/{name}/retention": {"days": 0},
               "/api/v1/users": {"name": "eve", "role": "admin", "password": "x" * 12},
               "/api/v1/users/{name}/role": {"role": "admin"},
               "/api/v1/users/{name}/disabled": {"disabled": True}}
    admin_only = re.compile(r"^/api/v1/(audit|users|sources/\{name\})")
    assert len(routes) >= 22
    for method, route in routes:
        path = route.replace("{sighting_id}", str(sid)).replace(
            "{case_id}", "1").replace("{dump_id}", "1").replace(
            "{name}", "root" if "/users/" in route else "local-paste")
        anon = client.request(method, path, json=bodies.get(route))
        assert anon.status_code == 401, (method, path)
        needed = "admin" if admin_only.match(route) else (
            "analyst" if method == "POST" else "viewer")
        for lower in {"admin": ("ana", "vic"), "analyst": ("vic",), "viewer": ()}[needed]:
            r = client.request(method, path, json=bodies.get(route),
                               headers=bearer(site, lower))
            assert r.status_code == 403, (method, path, lower, r.text)
    # and the right role gets through, in workflow order
    ana = bearer(site, "ana")
    assert client.post(f"/api/v1/findings/{sid}/triage", json={"state": "acknowledged"},
                       headers=ana).json()["triage"] == "acknowledged"
    opened = client.post("/api/v1/cases", json={"sighting_id": sid}, headers=ana)
    assert opened.status_code == 200, opened.text
    cid = opened.json()["case"]["id"]
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(site, "vic")).status_code == 200
    assert client.post(f"/api/v1/cases/{cid}/close", json={"reason": "test"},
                       headers=ana).json()["status"] == "closed"
    audit = client.get("/api/v1/audit", headers=bearer(site, "root")).json()["items"]
    assert [(a["actor"], a["action"]) for a in audit[:4]] == [
        ("ana", "case_close"), ("vic", "view_evidence"), ("ana", "case_open"),
        ("ana", "triage")]


def test_keyset_pagination_walks_every_post_once(client: TestClient, site: Site) -> None:
    h = bearer(site, "vic")
    everything = client.get("/api/v1/findings?limit=500", headers=h).json()["items"]
    assert len(everything) >= 2
    seen, before = [], None
    while True:
        url = "/api/v1/findings?limit=1" + (f"&before={before}" if before else "")
        page = client.get(url, headers=h).json()
        seen += [i["sighting_id"] for i in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == [i["sighting_id"] for i in everything]
    assert client.get("/api/v1/findings?limit=501", headers=h).status_code == 422


def test_browser_posts_need_the_csrf_token(client: TestClient, site: Site) -> None:
    sid = first_post(client, site)["sighting_id"]
    csrf = sign_in(client, "ana")
    cookie = client.cookies.get("dw_session")
    assert cookie
    refused = client.post(f"/posts/{sid}/triage", data={"state": "false_positive"})
    assert refused.status_code == 403
    wrong = client.post(f"/posts/{sid}/triage", data={"state": "false_positive"},
                        headers={"x-csrf-token": "guess"})
    assert wrong.status_code == 403
    ok = client.post(f"/posts/{sid}/triage", data={"state": "false_positive"},
                     headers={"x-csrf-token": csrf, "hx-request": "true"})
    assert ok.status_code == 200 and "false positive" in ok.text
    # an analyst may triage but not run sources (admin), even with a valid token
    ran = client.post("/sources/local-paste/run", headers={"x-csrf-token": csrf})
    assert ran.status_code == 403
    assert "Run now" not in client.get("/sources").text


def test_viewer_sees_no_buttons_and_forged_posts_are_refused(client: TestClient,
                                                              site: Site) -> None:
    sid = first_post(client, site)["sighting_id"]
    csrf = sign_in(client, "vic")
    for page in ("/findings", f"/posts/{sid}", "/"):
        html = client.get(page).text
        assert "hx-post" not in html and "Open takedown case" not in html, page
    forged = client.post(f"/posts/{sid}/triage", data={"state": "acknowledged"},
                         headers={"x-csrf-token": csrf})
    assert forged.status_code == 403
    assert client.post("/cases", data={"sighting_id": sid, "csrf": csrf}).status_code == 403
    assert client.get("/audit").status_code == 403


def test_repeated_failures_lock_the_account(site: Site) -> None:
    from dumpwatch.accounts import add_user
    from dumpwatch.storage.db import open_database

    db = open_database(site.home)
    add_user(db, "mallory-target", "viewer", "right-password-1")
    db.dispose()
    with TestClient(create_app(site.home, site.config)) as c:
        def attempt(pw: str) -> str:
            csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
            return c.post("/login", data={"name": "mallory-target", "password": pw,
                                          "csrf": csrf}, follow_redirects=False).text
        for _ in range(4):
            page = attempt("wrong-password")
            assert "Wrong name or password" in page, ERROR_LINE.findall(page) or page[-300:]
        assert "locked" in attempt("wrong-password")  # the fifth failure locks
        assert "locked" in attempt("right-password-1")  # even the right password now
        for _ in range(4):
            attempt("x")
        assert "Too many attempts" in attempt("right-password-1")  # per-address rate limit


def test_no_plaintext_in_any_page_or_api_answer(client: TestClient, site: Site) -> None:
    sid = first_post(client, site)["sighting_id"]
    h = bearer(site, "root")
    answers = {}
    for path in ("/api/v1/findings?limit=500", f"/api/v1/findings/{sid}",
                 f"/api/v1/sightings/{sid}", "/api/v1/dumps", "/api/v1/dumps/1",
                 "/api/v1/cases", "/api/v1/cases/1", "/api/v1/sources", "/api/v1/stats",
                 "/api/v1/audit", "/api/v1/users", "/api/v1/openapi.json"):
        r = client.get(path, headers=h)
        assert r.status_code in (200, 404), (path, r.status_code)
        answers[path] = r.content
    sign_in(client, "root")
    for path in ("/", "/findings", "/findings/rows", f"/posts/{sid}", "/dumps/1", "/cases",
                 "/cases/1", "/sources", "/report", "/audit", "/users"):
        r = client.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        answers[path] = r.content
    assert "redistribution" in answers[f"/api/v1/findings/{sid}"].decode()
    assert b"cp_db_seller" in answers[f"/posts/{sid}"]  # the seller's handle is shown
    for path, body in answers.items():
        assert_no_plaintext(body, site.needles, path)


def test_serve_refuses_a_public_address_without_tls(tmp_path: Path) -> None:
    out = run_cli("--home", str(tmp_path), "serve", "--host", "0.0.0.0")
    assert out.returncode == 2 and "refusing to serve on 0.0.0.0" in out.stderr


def test_user_commands(tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    added = run_cli("--home", home, "user", "add", "lee", "--role", "analyst",
                    "--password-stdin", input="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert run_cli("--home", home, "user", "add", "x", "--role", "god", "--password-stdin",
                   input="a-long-password\n").returncode == 2
    assert "lee\tanalyst" in run_cli("--home", home, "user", "list").stdout
    tok = run_cli("--home", home, "user", "token", "lee").stdout.strip()
    assert tok.startswith("dw_")
    # the database as stored: the SQLite files, and every value through SQL (PostgreSQL's
    # data is not under the home)
    db_bytes = database_contents(tmp_path / "h") + b"".join(
        p.read_bytes() for p in (tmp_path / "h").glob("dumpwatch.db*"))
    assert tok.encode() not in db_bytes and b"a-long-password" not in db_bytes
    assert b"argon2" in db_bytes  # the dump does hold the users table


def _log_in(client: TestClient, name: str, password: str) -> int:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": csrf},
                       follow_redirects=False).status_code


def test_admin_manages_users_through_the_api(client: TestClient, site: Site) -> None:
    from dumpwatch.accounts import issue_token
    from dumpwatch.storage.db import open_database

    root = bearer(site, "root")
    new = {"name": "kim", "role": "viewer", "password": "kim-password-1"}
    assert client.post("/api/v1/users", json=new, headers=root).status_code == 201
    assert client.post("/api/v1/users", json=new, headers=root).status_code == 409
    assert client.post("/api/v1/users", json={**new, "name": "k2", "role": "god"},
                       headers=root).status_code == 400
    assert client.post("/api/v1/users", json={**new, "name": "k3", "password": "short"},
                       headers=root).status_code == 400
    listed = client.get("/api/v1/users", headers=root)
    kim = next(u for u in listed.json()["items"] if u["name"] == "kim")
    assert kim["role"] == "viewer" and not kim["disabled"] and kim["api_tokens"] == 0
    assert b"argon2" not in listed.content and b"hash" not in listed.content
    r = client.post("/api/v1/users/kim/role", json={"role": "analyst"}, headers=root)
    assert r.json() == {"name": "kim", "role": "analyst"}
    # a token works until it is revoked
    db = open_database(site.home)
    kim_token = {"authorization": f"Bearer {issue_token(db, 'kim')}"}
    assert client.get("/api/v1/stats", headers=kim_token).status_code == 200
    r = client.post("/api/v1/users/kim/revoke-tokens", headers=root)
    assert r.json()["revoked"] == 1
    assert client.get("/api/v1/stats", headers=kim_token).status_code == 401
    # disabled: no sign-in, a fresh token is refused, an open session ends
    assert _log_in(client, "kim", "kim-password-1") == 303
    assert client.get("/findings").status_code == 200
    kim_token = {"authorization": f"Bearer {issue_token(db, 'kim')}"}
    assert client.post("/api/v1/users/kim/disabled", json={"disabled": True},
                       headers=root).json()["disabled"] is True
    assert client.get("/findings", follow_redirects=False).status_code == 303  # to /login
    assert client.get("/api/v1/stats", headers=kim_token).status_code == 401
    assert _log_in(client, "kim", "kim-password-1") == 200  # the form again, with an error
    client.post("/api/v1/users/kim/disabled", json={"disabled": False}, headers=root)
    # locked after five failures; an admin unlocks before the 15 minutes are up
    for _ in range(5):
        _log_in(client, "kim", "wrong-password")
    assert _log_in(client, "kim", "kim-password-1") == 200
    assert next(u for u in client.get("/api/v1/users", headers=root).json()["items"]
                if u["name"] == "kim")["locked"] is True
    assert client.post("/api/v1/users/kim/unlock", headers=root).status_code == 200
    assert _log_in(client, "kim", "kim-password-1") == 303
    # the last active admin can be neither demoted nor disabled
    r = client.post("/api/v1/users/root/role", json={"role": "viewer"}, headers=root)
    assert r.status_code == 409 and "last active admin" in r.text
    r = client.post("/api/v1/users/root/disabled", json={"disabled": True}, headers=root)
    assert r.status_code == 409
    assert client.post("/api/v1/users/nobody/unlock", headers=root).status_code == 404
    audit = [(a["actor"], a["action"], a["target"], a["outcome"]) for a in reversed(
        client.get("/api/v1/audit?limit=500", headers=root).json()["items"])
        if a["target"] == "user:kim" or a["outcome"] == "refused"]
    db.dispose()
    assert audit == [
        ("root", "user_add", "user:kim", "ok"), ("root", "user_role", "user:kim", "ok"),
        ("system", "token_issued", "user:kim", "ok"), ("root", "token_revoke", "user:kim", "ok"),
        ("system", "token_issued", "user:kim", "ok"), ("root", "user_disable", "user:kim", "ok"),
        ("root", "user_enable", "user:kim", "ok"), ("root", "user_unlock", "user:kim", "ok"),
        ("root", "user_role", "user:root", "refused"),
        ("root", "user_disable", "user:root", "refused")]


def test_user_pages_are_admin_only_and_need_the_csrf_token(client: TestClient,
                                                          site: Site) -> None:
    csrf = sign_in(client, "root")
    page = client.get("/users")
    assert page.status_code == 200 and 'id="user-ana"' in page.text
    form = {"name": "park", "role": "analyst", "password": "park-password-1"}
    assert client.post("/users", data=form).status_code == 403  # no CSRF token
    r = client.post("/users", data={**form, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/users"
    assert 'id="user-park"' in client.get("/users").text
    r = client.post("/users/park/role", data={"role": "viewer", "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/users/root/disable", data={"csrf": csrf}, follow_redirects=True)
    assert "last active admin" in r.text  # shown on the page, nothing changed
    csrf = sign_in(client, "ana")
    assert client.get("/users").status_code == 403
    assert "/users" not in client.get("/").text  # no menu entry
    for path in ("/users", "/users/park/disable", "/users/park/revoke-tokens",
                 "/sources/local-paste/disable", "/sources/local-paste/retention"):
        r = client.post(path, data={**form, "days": "1", "csrf": csrf})
        assert r.status_code == 403, path
    csrf = sign_in(client, "vic")
    assert client.post("/users/park/unlock", headers={"x-csrf-token": csrf}).status_code == 403
    audit = client.get("/api/v1/audit", headers=bearer(site, "root")).json()["items"]
    assert [(a["actor"], a["action"], a["target"]) for a in audit
            if a["target"] == "user:park"] == [("root", "user_role", "user:park"),
                                               ("root", "user_add", "user:park")]


def test_user_admin_commands_are_audited_as_the_os_user(tmp_path: Path) -> None:
    import getpass

    from dumpwatch.accounts import audit_log
    from dumpwatch.storage.db import open_database

    home = str(tmp_path / "h")
    for name, role in (("boss", "admin"), ("lee", "analyst")):
        assert run_cli("--home", home, "user", "add", name, "--role", role,
                       "--password-stdin", input="a-long-password\n").returncode == 0
    assert run_cli("--home", home, "user", "token", "lee").stdout.startswith("dw_")
    assert run_cli("--home", home, "user", "role", "lee", "viewer").returncode == 0
    assert "1 tokens of lee revoked" in run_cli("--home", home, "user", "revoke-tokens",
                                                "lee").stdout
    assert run_cli("--home", home, "user", "disable", "lee").returncode == 0
    assert "lee\tviewer" in run_cli("--home", home, "user", "list").stdout
    assert "(disabled)" in run_cli("--home", home, "user", "list").stdout
    assert run_cli("--home", home, "user", "enable", "lee").returncode == 0
    assert run_cli("--home", home, "user", "unlock", "lee").returncode == 0
    last = run_cli("--home", home, "user", "disable", "boss")
    assert last.returncode == 2 and "last active admin" in last.stderr
    db = open_database(tmp_path / "h")
    log = [(a.actor, a.action, a.target, a.outcome) for a in reversed(audit_log(db))]
    db.dispose()
    me = f"cli:{getpass.getuser()}"
    assert log == [(me, "user_add", "user:boss", "ok"), (me, "user_add", "user:lee", "ok"),
                   (me, "token_issued", "user:lee", "ok"), (me, "user_role", "user:lee", "ok"),
                   (me, "token_revoke", "user:lee", "ok"),
                   (me, "user_disable", "user:lee", "ok"), (me, "user_enable", "user:lee", "ok"),
                   (me, "user_unlock", "user:lee", "ok"),
                   (me, "user_disable", "user:boss", "refused")]
