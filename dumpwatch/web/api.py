"""JSON API under /api/v1 for SOAR/SIEM integrations: bearer tokens (``dumpwatch user
token``) or the browser session, a role check on every route, keyset pagination
(``before`` = the last id of the previous page)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.security import HTTPBearer

from dumpwatch import queries
from dumpwatch.accounts import audit
from dumpwatch.errors import DumpwatchError
from dumpwatch.storage.web import WebUser
from dumpwatch.web.auth import client_addr, requirer

# Declares the bearer scheme in the OpenAPI document (Swagger UI's "Authorize"); the check
# itself is requirer(), which also accepts the browser session.
router = APIRouter(prefix="/api/v1", tags=["v1"],
                   dependencies=[Depends(HTTPBearer(auto_error=False))])
Viewer = Annotated[WebUser, Depends(requirer("viewer"))]
Analyst = Annotated[WebUser, Depends(requirer("analyst"))]
Admin = Annotated[WebUser, Depends(requirer("admin"))]


def _cases(request: Request):
    from dumpwatch.cases.service import Cases
    return Cases(request.app.state.db, request.app.state.config_dir)


def _page(items: list[dict], key: str, limit: int) -> dict:
    return {"items": items, "next_before": items[-1][key] if len(items) == limit else None}


@router.get("/findings")
def findings(request: Request, user: Viewer, source: str | None = None,
             verdict: str | None = None, dump: int | None = None,
             since: datetime | None = None, state: str | None = None,
             before: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50):
    """Posts with findings, newest first (one item per post)."""
    rows = queries.findings_queue(request.app.state.db, source=source, verdict=verdict,
                                  dump=dump, since=since, state=state, before_id=before,
                                  limit=limit)
    return _page(rows, "sighting_id", limit)


@router.get("/findings/{sighting_id}")
def finding(request: Request, sighting_id: int, user: Viewer):
    """A post with its redacted findings, listing facts, fields exposed and sightings."""
    try:
        d = queries.post_detail(request.app.state.db, sighting_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    audit(request.app.state.db, user.name, "view_evidence", f"post:{sighting_id}",
          remote=client_addr(request), detail="api")
    return d


@router.post("/findings/{sighting_id}/triage")
def triage(request: Request, sighting_id: int, user: Analyst,
           state: Annotated[str, Body(embed=True)]):
    try:
        queries.triage(request.app.state.db, sighting_id, state, user.name)
    except DumpwatchError as exc:
        raise HTTPException(400, str(exc)) from None
    audit(request.app.state.db, user.name, "triage", f"post:{sighting_id}",
          remote=client_addr(request), detail=f"{state} (api)")
    return {"sighting_id": sighting_id, "triage": state}


@router.get("/sightings/{sighting_id}")
def sighting(request: Request, sighting_id: int, user: Viewer):
    try:
        return queries.post_detail(request.app.state.db, sighting_id)["sightings"]
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/dumps")
def dumps(request: Request, user: Viewer, corpus: str | None = None,
          before: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50):
    from dumpwatch.lineage import list_dumps
    rows = sorted(list_dumps(request.app.state.db, corpus=corpus), key=lambda d: -d["id"])
    if before:
        rows = [d for d in rows if d["id"] < before]
    return _page(rows[:limit], "id", limit)


@router.get("/dumps/{dump_id}")
def dump(request: Request, dump_id: int, user: Viewer):
    from dumpwatch.lineage import dump_detail
    try:
        return dump_detail(request.app.state.db, dump_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/cases")
def cases(request: Request, user: Viewer, status: str | None = None,
          before: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50):
    rows = [c.model_dump() for c in reversed(_cases(request).list(status))]
    if before:
        rows = [c for c in rows if c["id"] < before]
    return _page(rows[:limit], "id", limit)


@router.get("/cases/{case_id}")
def case(request: Request, case_id: int, user: Viewer):
    try:
        d = _cases(request).show(case_id)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    audit(request.app.state.db, user.name, "view_evidence", f"case:{case_id}",
          remote=client_addr(request), detail="api")
    return d


@router.post("/cases")
def case_open(request: Request, user: Analyst, sighting_id: Annotated[int, Body(embed=True)]):
    try:
        new, warnings = _cases(request).open(sighting_id=sighting_id, actor=user.name)
    except DumpwatchError as exc:
        raise HTTPException(409, str(exc)) from None
    audit(request.app.state.db, user.name, "case_open", f"case:{new[0].id}",
          remote=client_addr(request), detail="api")
    return {"case": new[0].model_dump(), "warnings": warnings}


@router.post("/cases/{case_id}/close")
def case_close(request: Request, case_id: int, user: Analyst,
               reason: Annotated[str, Body(embed=True)] = ""):
    try:
        c = _cases(request).close(case_id, reason, actor=user.name)
    except DumpwatchError as exc:
        raise HTTPException(404, str(exc)) from None
    audit(request.app.state.db, user.name, "case_close", f"case:{case_id}",
          remote=client_addr(request), detail="api")
    return c.model_dump()


@router.get("/sources")
def sources(request: Request, user: Viewer):
    try:
        rows, totals = queries.source_status(request.app.state.home,
                                             request.app.state.config_dir,
                                             request.app.state.db)
    except DumpwatchError as exc:
        raise HTTPException(503, str(exc)) from None
    return {"items": rows, "totals": totals}


def _profiles(request: Request):
    from crawler.profiles import load_sources
    return load_sources(request.app.state.config_dir, strict=False)


def _refusal(exc: DumpwatchError) -> HTTPException:
    code = 404 if str(exc).startswith("no ") else 409
    return HTTPException(code, str(exc))


@router.post("/sources/{name}/enabled")
def source_enabled(request: Request, name: str, user: Admin,
                   enabled: Annotated[bool, Body(embed=True)]):
    """Switch a source on or off for every monitor and worker (overrides its profile)."""
    from dumpwatch.source_controls import set_enabled
    try:
        o = set_enabled(request.app.state.db, _profiles(request), name, enabled, user.name,
                        client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return o.model_dump()


@router.post("/sources/{name}/retention")
def source_retention(request: Request, name: str, user: Admin,
                     days: Annotated[float, Body(embed=True, ge=0)]):
    """Keep the source's page text (encrypted) this many days; shortening applies now."""
    from dumpwatch.source_controls import set_retention
    try:
        o, shortened = set_retention(request.app.state.db, _profiles(request), name, days,
                                     user.name, client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return {**o.model_dump(), "shortened": shortened}


@router.post("/sources/{name}/run", status_code=202)
def source_run(request: Request, name: str, user: Admin):
    """Ask the running monitor to crawl the source now (claimed within its poll interval)."""
    from dumpwatch.source_controls import request_run
    try:
        req = request_run(request.app.state.db, _profiles(request), name, user.name,
                          client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return req.model_dump()


@router.get("/users")
def users(request: Request, user: Admin):
    from dumpwatch.accounts import user_summaries
    return {"items": user_summaries(request.app.state.db)}


@router.post("/users", status_code=201)
def user_add(request: Request, user: Admin, name: Annotated[str, Body()],
             role: Annotated[str, Body()], password: Annotated[str, Body()]):
    from dumpwatch.accounts import add_user
    try:
        u = add_user(request.app.state.db, name, role, password, actor=user.name,
                     remote=client_addr(request))
    except DumpwatchError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 400, str(exc)) from None
    return {"name": u.name, "role": u.role}


@router.post("/users/{name}/role")
def user_role(request: Request, name: str, user: Admin, role: Annotated[str, Body(embed=True)]):
    from dumpwatch.accounts import set_role
    try:
        u = set_role(request.app.state.db, name, role, actor=user.name,
                     remote=client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return {"name": u.name, "role": u.role}


@router.post("/users/{name}/disabled")
def user_disabled(request: Request, name: str, user: Admin,
                  disabled: Annotated[bool, Body(embed=True)]):
    """A disabled account cannot sign in; its sessions and API tokens stop working."""
    from dumpwatch.accounts import set_disabled
    try:
        u = set_disabled(request.app.state.db, name, disabled, actor=user.name,
                         remote=client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return {"name": u.name, "disabled": u.disabled}


@router.post("/users/{name}/unlock")
def user_unlock(request: Request, name: str, user: Admin):
    from dumpwatch.accounts import unlock
    try:
        u = unlock(request.app.state.db, name, actor=user.name, remote=client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return {"name": u.name, "locked": False}


@router.post("/users/{name}/revoke-tokens")
def user_revoke_tokens(request: Request, name: str, user: Admin):
    from dumpwatch.accounts import revoke_tokens
    try:
        n = revoke_tokens(request.app.state.db, name, actor=user.name,
                          remote=client_addr(request))
    except DumpwatchError as exc:
        raise _refusal(exc) from None
    return {"name": name, "revoked": n}


@router.get("/stats")
def stats(request: Request, user: Viewer):
    ov = queries.overview(request.app.state.db)
    return {**ov, "per_day": [{"day": d, "detections": n} for d, n in ov["per_day"]]}


@router.get("/audit")
def audit_entries(request: Request, user: Admin, before: int | None = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100):
    from dumpwatch.accounts import audit_log
    rows = [a.model_dump() for a in audit_log(request.app.state.db, limit, before)]
    return _page(rows, "id", limit)
