"""``/docs`` (Swagger UI) and ``/redoc`` with their assets served by the app itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from another
host). The assets come here from the ``fastapi-offline`` package, which ships the released
``swagger-ui-bundle.js``, ``swagger-ui.css`` and ReDoc's ``redoc.standalone.js``; the pages
are our own templates without inline script, so the policy can forbid inline script.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from telnorm.service.web.security import DOCS_POLICY
from telnorm.service.web.templating import templates

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/web/docs-assets"


def _page(request: Request, template: str) -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {
            "title": request.app.title,
            "openapi_url": request.app.openapi_url or "/openapi.json",
            "assets": ASSETS_URL,
        },
    )
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


def install(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def swagger_ui(request: Request) -> Response:
        return _page(request, "swagger.html")

    @app.get("/docs/oauth2-redirect", include_in_schema=False, response_class=HTMLResponse)
    async def swagger_ui_redirect(request: Request) -> Response:
        # Swagger UI opens this after an OAuth2 login; the service uses bearer tokens only,
        # so the page just says so instead of carrying Swagger's inline redirect script.
        return _page(request, "oauth2-redirect.html")

    @app.get("/redoc", include_in_schema=False, response_class=HTMLResponse)
    async def redoc(request: Request) -> Response:
        return _page(request, "redoc.html")
