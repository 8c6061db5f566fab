"""``dumpwatch serve``: the analyst's dashboard and JSON API over the same library as the CLI."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from dumpwatch.storage.db import open_database
from dumpwatch.web.auth import SESSION_MAX_AGE, RateLimiter

HERE = Path(__file__).parent


def session_secret(home: Path) -> str:
    """A random signing key kept in the home (0600), created on first start."""
    path = home / "web-session.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_app(home: Path, config_dir: Path, *, secure_cookies: bool = False,
               poll_seconds: float = 10) -> FastAPI:
    from dumpwatch.web import api, pages

    app = FastAPI(title="dumpwatch", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    home.mkdir(parents=True, exist_ok=True)
    app.state.home, app.state.config_dir = home, config_dir
    app.state.db = open_database(home)
    app.state.login_limiter = RateLimiter()
    app.state.poll_seconds = poll_seconds  # how often the findings queue refreshes
    app.add_middleware(SessionMiddleware, secret_key=session_secret(home),
                       session_cookie="dw_session", max_age=SESSION_MAX_AGE,
                       same_site="strict", https_only=secure_cookies)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _offline_docs(app)
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 303:
            from fastapi.responses import RedirectResponse
            return RedirectResponse(exc.headers["location"], status_code=303)
        if request.url.path.startswith("/api/"):
            from fastapi.responses import JSONResponse
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("x-frame-options", "DENY")
        resp.headers.setdefault("x-content-type-options", "nosniff")
        resp.headers.setdefault("referrer-policy", "no-referrer")
        resp.headers.setdefault("cache-control", "no-store")
        return resp

    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI from the pinned swagger-ui-bundle-v2 wheel: no CDN, so it renders offline."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    assets = "/api/v1/docs/assets"
    app.mount(assets, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "", title="dumpwatch API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png")
