"""``GET``/``POST /web/reconcile``: the whole-election reconciliation as a page.

Many municipal files (or a zip) against one or more reference counts. The report is made by
the route function of ``POST /reconcile`` itself (called with ``format=json``: one
orchestration, not a second one), and its HTML fragment (summary, chart, table, seat impact)
is shown inside the site's page. The fragment's sortable tables get their script from
``/web/reconcile.js`` (the reconcile renderer's own script, served as a file so that the
page's policy can still forbid inline script).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, Any, cast

import orjson
from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from telnorm.parsers.errors import RequestError, TelnormError
from telnorm.service.reconcile import render as reconcile_render
from telnorm.service.routes import reconcile as reconcile_route
from telnorm.service.web import i18n
from telnorm.service.web.pages import bug_page, pool_of, problem_page, render, settings_of

router = APIRouter(include_in_schema=False)


@router.get("/web/reconcile", response_class=HTMLResponse)
async def reconcile_form(
    request: Request,
    lang: Annotated[str | None, Query(description="nl or en; another value is ignored.")] = None,
) -> Response:
    return render(request, "reconcile.html", i18n.choose(request, lang), report=None)


@router.get("/web/reconcile.js")
async def reconcile_script() -> Response:
    # the renderer's own sorting script (the standalone report inlines it)
    return Response(
        reconcile_render._SCRIPT,  # the same script, not a copy of it
        media_type="text/javascript; charset=utf-8",
    )


@router.post("/web/reconcile", response_class=HTMLResponse)
async def reconcile_page(request: Request) -> Response:
    lang = i18n.choose(request)
    try:
        settings = settings_of(request)
        uploads = cast(
            AsyncGenerator[reconcile_route.ManyUpload, None],
            reconcile_route.receive_many(request, settings),
        )
        async with aclosing(uploads):
            async for upload in uploads:
                lang = i18n.choose(request, upload.fields.get("lang"))
                # empty optional inputs arrive as parts with no bytes: leave them out
                for role, items in list(upload.parts.items()):
                    upload.parts[role] = [i for i in items if i.path.stat().st_size > 0]
                answer = await reconcile_route.reconcile(
                    request,
                    upload,
                    pool_of(request),
                    settings,
                    format="json",
                    seats=upload.fields.get("seats") or None,
                )
                report: dict[str, Any] = orjson.loads(bytes(answer.body))
                # the renderer escapes every value it writes (telnorm.service.reconcile.render)
                fragment = Markup(reconcile_render.render_html_fragment(report))
                return render(request, "reconcile.html", lang, report=report, fragment=fragment)
        raise RequestError("No form was received.")  # pragma: no cover - yields once
    except TelnormError as error:
        return problem_page(request, lang, error)
    except Exception as exc:
        return bug_page(request, lang, exc)
