"""The web page for municipal staff: upload a count, see it and its problems, download it.

Server-rendered (Jinja2) and usable without JavaScript; a small script adds upload progress.
Everything the pages load comes from this service (see :mod:`.security` for the
Content-Security-Policy, :mod:`.docs` for the offline ``/docs`` and ``/redoc``).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from telnorm.service.web import docs, pages
from telnorm.service.web.security import SecurityHeaders
from telnorm.service.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    """Add the page routes, ``/docs`` and ``/redoc``, the static files and the CSP headers.

    The app must be created with ``docs_url=None, redoc_url=None``: FastAPI's own pages load
    their assets from a CDN.
    """
    app.mount("/web/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    docs.install(app)
    app.include_router(pages.router)
    app.add_middleware(SecurityHeaders)


__all__ = ["install"]
