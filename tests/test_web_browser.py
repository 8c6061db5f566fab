"""The dashboard in a real browser (Playwright + Debian's Chromium) over a real crawl:
an analyst triages with the keyboard and opens a case, a viewer gets no buttons and a
forged POST is refused, a POST without the CSRF token is refused, and the admin's audit
log shows each step. Screenshots of the main pages go to tests/artifacts/."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from dumpwatch.web import create_app
from tests.takedown_helpers import registry
from tests.web_helpers import (
    PASSWORD,
    Site,
    assert_no_plaintext,
    crawled_site,
)

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_home: Path,
           module_database: str | None):
    with registry() as rdap:
        yield from _serve(crawled_site(tmp_path_factory.mktemp("webui"), built_home, rdap))


def _serve(site: Site):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(site.home, site.config, poll_seconds=1)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield site, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


def sign_in(browser: Browser, base: str, name: str) -> Page:
    page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    return page


def shot(page: Page, name: str, site: Site) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert_no_plaintext(page.content().encode(), site.needles, name)


def test_analyst_triages_and_opens_a_case_viewer_cannot(server, browser: Browser) -> None:
    site, base = server
    ana = sign_in(browser, base, "ana")
    shot(ana, "overview", site)
    ana.goto("/findings")
    row = ana.locator("#rows tr", has_text="쿠팡 고객 DB 판매")
    expect(row).to_have_count(1)
    shot(ana, "findings", site)
    # keyboard triage: j moves to the first row, a acknowledges it (htmx + CSRF header)
    ana.keyboard.press("j")
    first = ana.locator("#rows tr[data-id]").first
    expect(first).to_be_focused()
    ana.keyboard.press("a")
    expect(first.locator("td[id^=state-]")).to_have_text("acknowledged")
    # open the sale post, its evidence, and a takedown case
    row.get_by_role("link").click()
    expect(ana.get_by_text("redistribution").first).to_be_visible()
    expect(ana.get_by_text("cp_db_seller")).to_be_visible()
    shot(ana, "post", site)
    ana.get_by_role("button", name="False positive").click()
    expect(ana.locator("dd[id^=state-]")).to_have_text("false positive")
    ana.get_by_role("button", name="Open takedown case").click()
    expect(ana.get_by_role("heading", name="Case DW-")).to_be_visible()
    expect(ana.get_by_text("open ok by ana")).to_be_visible()
    expect(ana.get_by_text("contact ok by ana")).to_be_visible()  # the local RDAP registry
    shot(ana, "case", site)
    case_url = ana.url
    # a POST without the CSRF token is refused, even with the analyst's cookie
    bare = ana.request.post(f"{base}/cases/1/close", form={"reason": "no token"})
    assert bare.status == 403

    vic = sign_in(browser, base, "vic")
    vic.goto("/findings")
    expect(vic.locator("#rows tr[data-id]").first).to_be_visible()
    expect(vic.locator("button")).to_have_count(2)  # Filter and Sign out only
    vic.goto(case_url)
    expect(vic.get_by_role("button", name="Close")).to_have_count(0)
    token = vic.locator("input[name=csrf]").first.get_attribute("value")
    forged = vic.request.post(f"{base}/cases/1/close", form={"reason": "x", "csrf": token})
    assert forged.status == 403
    # live updates: a triage made elsewhere (the API) appears without a reload
    vic.goto("/findings")
    # a finding nobody has triaged yet (the rows' order is not the crawl's: the one the
    # analyst marked false positive above may well be the last)
    last = vic.locator("#rows tr[data-id]").filter(
        has=vic.locator("td[id^=state-]", has_text="new")).last
    expect(last).to_be_visible()
    sid = last.get_attribute("data-id")
    expect(last.locator("td[id^=state-]")).to_have_text("new")
    done = vic.request.post(f"{base}/api/v1/findings/{sid}/triage",
                            headers={"authorization": f"Bearer {site.tokens['ana']}"},
                            data={"state": "acknowledged"})
    assert done.ok, done.text()
    expect(vic.locator(f"#state-{sid}")).to_have_text("acknowledged", timeout=5000)
    vic.goto("/sources")
    shot(vic, "sources", site)

    root = sign_in(browser, base, "root")
    root.goto("/audit")
    log = root.locator("table.audit tbody")
    for who, action in (("ana", "login"), ("ana", "triage"), ("ana", "view_evidence"),
                        ("ana", "case_open"), ("vic", "login"), ("vic", "view_evidence")):
        expect(log.locator("tr", has_text=who).filter(has_text=action).first).to_be_visible()
    expect(log.locator("tr", has_text="127.0.0.1").first).to_be_visible()
    shot(root, "audit", site)
    root.goto("/report")
    shot(root, "report", site)


def test_admin_manages_sources_and_users_in_the_browser(server, browser: Browser) -> None:
    site, base = server
    root = sign_in(browser, base, "root")
    root.goto("/sources")
    row = root.locator("#src-local-paste")
    expect(row.get_by_role("button", name="Run now")).to_be_visible()
    row.get_by_label("retention days of local-paste").fill("14")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_label("retention days of local-paste")).to_have_value("14")
    expect(row.get_by_text("override")).to_be_visible()
    row.get_by_role("button", name="Run now").click()
    expect(row.get_by_text("run queued")).to_be_visible()  # no monitor here: it waits
    expect(root.locator("table.requests")).to_contain_text("pending")
    shot(root, "admin-sources", site)
    row.get_by_role("button", name="Disable").click()
    expect(row.get_by_role("button", name="Enable")).to_be_visible()
    expect(row.get_by_text("off", exact=True)).to_be_visible()
    row.get_by_label("retention days of local-paste").fill("-3")  # the browser refuses...
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_label("retention days of local-paste")).to_have_value("-3")
    assert root.url.endswith("/sources")  # ...the form was not sent

    root.goto("/users")
    add = root.locator("form.adduser")
    add.get_by_label("Name").fill("han")
    add.get_by_label("Role").select_option("analyst")
    add.get_by_label("Password").fill("han-password-1")
    add.get_by_role("button", name="Add user").click()
    han = root.locator("#user-han")
    expect(han).to_contain_text("active")
    han.get_by_label("role of han").select_option("viewer")
    han.get_by_role("button", name="Change").click()
    expect(root.locator("#user-han").get_by_label("role of han")).to_have_value("viewer")
    root.locator("#user-han").get_by_role("button", name="Disable").click()
    expect(root.locator("#user-han")).to_contain_text("disabled")
    root.locator("#user-root").get_by_role("button", name="Disable").click()
    expect(root.get_by_role("alert")).to_have_text("'root' is the last active admin")
    shot(root, "admin-users", site)
    root.goto("/audit")
    log = root.locator("table.audit tbody")
    for action, target in (("source_retention", "source:local-paste"),
                           ("source_run", "source:local-paste"),
                           ("source_disable", "source:local-paste"),
                           ("user_add", "user:han"), ("user_role", "user:han"),
                           ("user_disable", "user:han")):
        expect(log.locator("tr", has_text=action).filter(has_text=target).filter(
            has_text="root").first).to_be_visible()
    expect(log.locator("tr", has_text="refused").filter(has_text="user:root")).to_have_count(1)

    ana = sign_in(browser, base, "ana")
    expect(ana.get_by_role("link", name="Users")).to_have_count(0)
    ana.goto("/sources")
    expect(ana.locator("#src-local-paste button")).to_have_count(0)
    token = ana.locator("input[name=csrf]").first.get_attribute("value")
    for path in ("/users", "/users/han/enable", "/sources/local-paste/enable"):
        r = ana.request.post(f"{base}{path}", form={"csrf": token, "name": "x", "role": "admin",
                                                    "password": "x" * 12})
        assert r.status == 403, path


def test_api_docs_render_offline(server, browser: Browser) -> None:
    """Swagger UI comes from the pinned wheel: every request stays on 127.0.0.1."""
    _site, base = server
    page = browser.new_context(base_url=base).new_page()
    outside: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/findings").first
           ).to_be_visible(timeout=15000)
    expect(page.locator(".opblock")).not_to_have_count(0)
    assert page.locator(".opblock").count() >= 20
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()  # bearer tokens
    assert outside == []
    html = page.content()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
