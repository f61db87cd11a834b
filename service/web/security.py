"""Security headers of every HTML answer: a Content-Security-Policy of the service's own origin.

Set by middleware rather than per route so that no HTML answer can be added without one. A
page may set its own policy, which is kept: the web pages set the strictest (:data:`POLICY`),
``/docs`` and ``/redoc`` theirs. Any other HTML (the self-contained reports of other routes,
such as ``POST /protocol`` as ``text/html``, which embed their CSS in a ``<style>``) gets
:data:`REPORT_POLICY`. None of them allows another host.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The web pages: only the service itself. ``img-src data:`` for the page's empty icon;
#: ``form-action 'self'`` keeps the upload forms from posting elsewhere.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

#: HTML of other routes: self-contained pages with their CSS inline; no script at all.
REPORT_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

#: Swagger UI and ReDoc write ``style`` attributes and ``<style>`` elements at run time, and
#: ReDoc starts its search index in a ``blob:`` worker. Still nothing from another host.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """ASGI middleware: CSP (unless the page set one) and no-sniff on every HTML response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    if "content-security-policy" not in headers:
                        headers["Content-Security-Policy"] = REPORT_POLICY
                    headers["X-Content-Type-Options"] = "nosniff"
                    headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, send_with_headers)
