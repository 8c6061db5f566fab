"""JSON API under /api/v1 for SOAR/SIEM integrations: bearer tokens (``dumpwatch user
token``) or the browser session, a role check on every route, keyset pagination
(``before`` = the last id of the previous page)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request

from dumpwatch import queries
from dumpwatch.accounts import audit
from dumpwatch.errors import DumpwatchError
from dumpwatch.storage.web import WebUser
from dumpwatch.web.auth import client_addr, requirer

router = APIRouter(prefix="/api/v1", tags=["v1"])
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
                                             request.app.state.config_dir)
    except DumpwatchError as exc:
        raise HTTPException(503, str(exc)) from None
    return {"items": rows, "totals": totals}


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
