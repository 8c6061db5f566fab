"""Server-rendered pages. Handlers call the library (queries, cases, lineage, regulator,
accounts) and render templates; no SQL here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from dumpwatch import queries
from dumpwatch.accounts import audit, audit_log, authenticate, role_at_least
from dumpwatch.errors import DumpwatchError
from dumpwatch.storage.web import WebUser
from dumpwatch.web.auth import HERE_TEMPLATES, check_csrf, client_addr, csrf_token, requirer

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE_TEMPLATES)

Viewer = Annotated[WebUser, Depends(requirer("viewer"))]
Analyst = Annotated[WebUser, Depends(requirer("analyst"))]
Admin = Annotated[WebUser, Depends(requirer("admin"))]


def render(request: Request, name: str, user: WebUser | None, **ctx) -> HTMLResponse:
    can = {"triage": bool(user and role_at_least(user.role, "analyst")),
           "admin": bool(user and role_at_least(user.role, "admin"))}
    return templates.TemplateResponse(request, name, {
        "user": user, "can": can, "csrf": csrf_token(request),
        "poll_seconds": request.app.state.poll_seconds, **ctx})


def _cases(request: Request):
    from dumpwatch.cases.service import Cases
    return Cases(request.app.state.db, request.app.state.config_dir)


@router.get("/login")
def login_form(request: Request, error: str | None = None):
    return render(request, "login.html", None, error=error)


@router.post("/login")
async def login(request: Request, name: Annotated[str, Form()],
                password: Annotated[str, Form()]):
    await check_csrf(request)
    db, addr = request.app.state.db, client_addr(request)
    if not request.app.state.login_limiter.allow(addr):
        audit(db, name, "login", outcome="rate_limited", remote=addr)
        return render(request, "login.html", None, error="Too many attempts; wait a minute.")
    user, why = authenticate(db, name, password)
    if user is None:
        audit(db, name, "login", outcome=why, remote=addr)
        msg = "Account locked for 15 minutes." if why == "locked" else "Wrong name or password."
        return render(request, "login.html", None, error=msg)
    import secrets
    import time
    request.session.clear()
    request.session.update(uid=user.id, at=time.time(), csrf=secrets.token_urlsafe(32))
    audit(db, user.name, "login", remote=addr)
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request, user: Viewer):
    audit(request.app.state.db, user.name, "logout", remote=client_addr(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def overview(request: Request, user: Viewer):
    from dumpwatch.queries import source_status
    db = request.app.state.db
    ov = queries.overview(db)
    try:
        srcs, _ = source_status(request.app.state.home, request.app.state.config_dir,
                                  request.app.state.db)
    except DumpwatchError:
        srcs = []
    peak = max([n for _, n in ov["per_day"]] + [1])
    return render(request, "overview.html", user, ov=ov, sources=srcs, peak=peak,
                  latest=queries.findings_queue(db, state="new", limit=10))


def _filters(request: Request) -> dict:
    q = request.query_params
    since = None
    if q.get("days"):
        since = datetime.now(UTC) - timedelta(days=int(q["days"]))
    return {"source": q.get("source") or None, "verdict": q.get("verdict") or None,
            "dump": int(q["dump"]) if q.get("dump") else None, "since": since,
            "state": q.get("state") or None,
            "before_id": int(q["before"]) if q.get("before") else None}


@router.get("/findings")
def findings(request: Request, user: Viewer):
    f = _filters(request)
    rows = queries.findings_queue(request.app.state.db, **f, limit=50)
    from urllib.parse import urlencode
    qs = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "before"])
    return render(request, "findings.html", user, rows=rows, q=request.query_params, qs=qs,
                  next_before=rows[-1]["sighting_id"] if len(rows) == 50 else None)


@router.get("/findings/rows")
def finding_rows(request: Request, user: Viewer):
    """The queue's body, polled by htmx for live updates."""
    f = _filters(request)
    rows = queries.findings_queue(request.app.state.db, **f, limit=50)
    return render(request, "_rows.html", user, rows=rows)


@router.get("/posts/{sighting_id}")
def post(request: Request, sighting_id: int, user: Viewer):
    try:
        d = queries.post_detail(request.app.state.db, sighting_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    audit(request.app.state.db, user.name, "view_evidence", f"post:{sighting_id}",
          remote=client_addr(request))
    return render(request, "post.html", user, d=d)


@router.post("/posts/{sighting_id}/triage")
async def triage(request: Request, sighting_id: int, user: Analyst,
                 state: Annotated[str, Form()]):
    db = request.app.state.db
    try:
        queries.triage(db, sighting_id, state, user.name)
    except DumpwatchError as exc:
        raise HTTPException(400, str(exc)) from None
    audit(db, user.name, "triage", f"post:{sighting_id}", remote=client_addr(request),
          detail=state)
    if request.headers.get("hx-request"):
        return HTMLResponse(f'<span class="badge {state}">{state.replace("_", " ")}</span>')
    return RedirectResponse(f"/posts/{sighting_id}", status_code=303)


@router.get("/dumps/{dump_id}")
def dump(request: Request, dump_id: int, user: Viewer):
    from dumpwatch.lineage import dump_detail
    try:
        d = dump_detail(request.app.state.db, dump_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    return render(request, "dump.html", user, d=d)


@router.get("/cases")
def cases(request: Request, user: Viewer):
    return render(request, "cases.html", user,
                  cases=_cases(request).list(request.query_params.get("status")))


@router.get("/cases/{case_id}")
def case(request: Request, case_id: int, user: Viewer):
    try:
        d = _cases(request).show(case_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    audit(request.app.state.db, user.name, "view_evidence", f"case:{case_id}",
          remote=client_addr(request))
    return render(request, "case.html", user, d=d)


@router.post("/cases")
async def case_open(request: Request, user: Analyst, sighting_id: Annotated[int, Form()]):
    db = request.app.state.db
    try:
        new, warnings = _cases(request).open(sighting_id=sighting_id, actor=user.name)
    except DumpwatchError as exc:
        audit(db, user.name, "case_open", f"post:{sighting_id}", outcome="failed",
              remote=client_addr(request), detail=str(exc))
        raise HTTPException(409, str(exc)) from None
    audit(db, user.name, "case_open", f"case:{new[0].id}", remote=client_addr(request),
          detail="; ".join(warnings))
    return RedirectResponse(f"/cases/{new[0].id}", status_code=303)


@router.post("/cases/{case_id}/{action}")
async def case_action(request: Request, case_id: int, action: str, user: Analyst):
    db, svc = request.app.state.db, _cases(request)
    form = await request.form()
    try:
        if action == "send":
            svc.send(case_id, to=str(form.get("to") or "") or None, actor=user.name)
        elif action == "close":
            svc.close(case_id, str(form.get("reason") or ""), actor=user.name)
        else:
            raise HTTPException(404)
    except DumpwatchError as exc:
        audit(db, user.name, f"case_{action}", f"case:{case_id}", outcome="failed",
              remote=client_addr(request), detail=str(exc))
        raise HTTPException(409, str(exc)) from None
    audit(db, user.name, f"case_{action}", f"case:{case_id}", remote=client_addr(request))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/sources")
def sources(request: Request, user: Viewer):
    from dumpwatch.queries import source_status
    try:
        rows, totals = source_status(request.app.state.home, request.app.state.config_dir,
                                  request.app.state.db)
    except DumpwatchError as exc:
        rows, totals = [], {"error": str(exc)}
    from dumpwatch.source_controls import recent_requests
    return render(request, "sources.html", user, rows=rows, totals=totals,
                  requests=recent_requests(request.app.state.db, 10),
                  error=request.query_params.get("error"))


def _profiles(request: Request):
    from crawler.profiles import load_sources
    return load_sources(request.app.state.config_dir, strict=False)


def _back(path: str, error: str | None = None) -> RedirectResponse:
    from urllib.parse import quote
    return RedirectResponse(path + (f"?error={quote(error)}" if error else ""), status_code=303)


@router.post("/sources/{name}/{action}")
async def source_control(request: Request, name: str, action: str, user: Admin):
    """Enable/disable, retention, run now, reset: the library the CLI uses, audited there."""
    from dumpwatch import source_controls as sc

    db, addr = request.app.state.db, client_addr(request)
    form = await request.form()
    profiles = _profiles(request)
    try:
        if action == "enable":
            sc.set_enabled(db, profiles, name, True, user.name, addr)
        elif action == "disable":
            sc.set_enabled(db, profiles, name, False, user.name, addr)
        elif action == "retention":
            try:
                days = float(str(form.get("days", "")))
            except ValueError:
                raise DumpwatchError("retention: a number of days") from None
            sc.set_retention(db, profiles, name, days, user.name, addr)
        elif action == "run":
            sc.request_run(db, profiles, name, user.name, addr)
        elif action == "reset":
            sc.reset(db, profiles, name, user.name, addr)
        else:
            raise HTTPException(404)
    except DumpwatchError as exc:
        return _back("/sources", str(exc))
    return _back("/sources")


@router.get("/users")
def users(request: Request, user: Admin):
    from dumpwatch.accounts import user_summaries
    from dumpwatch.storage.web import ROLES
    return render(request, "users.html", user, rows=user_summaries(request.app.state.db),
                  roles=ROLES, error=request.query_params.get("error"))


@router.post("/users")
async def user_add(request: Request, user: Admin, name: Annotated[str, Form()],
                   role: Annotated[str, Form()], password: Annotated[str, Form()]):
    from dumpwatch.accounts import add_user
    try:
        add_user(request.app.state.db, name.strip(), role, password, actor=user.name,
                 remote=client_addr(request))
    except DumpwatchError as exc:
        return _back("/users", str(exc))
    return _back("/users")


@router.post("/users/{name}/{action}")
async def user_change(request: Request, name: str, action: str, user: Admin):
    from dumpwatch import accounts

    db, addr = request.app.state.db, client_addr(request)
    form = await request.form()
    try:
        if action == "role":
            accounts.set_role(db, name, str(form.get("role", "")), actor=user.name, remote=addr)
        elif action in ("disable", "enable"):
            accounts.set_disabled(db, name, action == "disable", actor=user.name, remote=addr)
        elif action == "unlock":
            accounts.unlock(db, name, actor=user.name, remote=addr)
        elif action == "revoke-tokens":
            accounts.revoke_tokens(db, name, actor=user.name, remote=addr)
        else:
            raise HTTPException(404)
    except DumpwatchError as exc:
        return _back("/users", str(exc))
    return _back("/users")


@router.get("/report")
def report(request: Request, user: Viewer):
    from dumpwatch.regulator import build_report, profile_domains, render_html
    end = datetime.now(UTC)
    days = int(request.query_params.get("days", "90"))
    try:
        domains = profile_domains(request.app.state.config_dir)
    except DumpwatchError:
        domains = {}
    rep = build_report(request.app.state.db, end - timedelta(days=days), end, domains)
    audit(request.app.state.db, user.name, "export", "regulator_report",
          remote=client_addr(request), detail=f"{days} days")
    back = ('<p style="font:14px sans-serif;margin:8px 16px"><a href="/">← dashboard</a> · '
            'period: <a href="?days=30">30</a> <a href="?days=90">90</a> '
            '<a href="?days=365">365 days</a></p>')
    return HTMLResponse(render_html(rep).replace("<body>", "<body>" + back, 1))


@router.get("/audit")
def audit_page(request: Request, user: Admin):
    before = request.query_params.get("before")
    rows = audit_log(request.app.state.db, 100, int(before) if before else None)
    return render(request, "audit.html", user, rows=rows)
