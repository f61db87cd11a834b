"""Unknown query parameters are a 400 naming them and the accepted ones, on every route.

A misspelt option (``?locatoins=true``) must never be ignored: the caller would get a
document without what they asked for and no word why. The accepted names of a route are
those it declares, read once from the route itself, so that a route added later is covered
without listing it anywhere:

* the query parameters of its FastAPI dependant (``Query(...)`` arguments, also those of
  its dependencies), and
* ``in: query`` parameters it documents in ``openapi_extra`` (options read from
  ``request.query_params`` directly, such as the export options and ``filename``).

A route that is not a FastAPI route (``/openapi.json``, ``/docs``) takes no query parameters
unless listed in :data:`OPEN_QUERY`; a mounted sub-application checks its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from telnorm.service.problems import problem

#: Non-FastAPI routes that take query parameters not declared anywhere (Swagger UI's OAuth
#: redirect receives whatever the identity provider appends).
OPEN_QUERY = frozenset({"/docs/oauth2-redirect"})


def accepted_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` declares (aliases, as a caller spells them)."""
    names = {param.alias for param in get_flat_dependant(route.dependant).query_params}
    extra: dict[str, Any] = route.openapi_extra or {}
    for param in extra.get("parameters", ()):
        if param.get("in") == "query":
            names.add(str(param["name"]))
    return frozenset(names)


class QueryCheck:
    """ASGI middleware: 400 ``unknown-parameter`` for a query parameter the route lacks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._accepted: dict[int, frozenset[str] | None] = {}

    def _for(self, route: BaseRoute) -> frozenset[str] | None:
        """Accepted names of ``route``; None when it checks its own (a mount)."""
        key = id(route)
        if key not in self._accepted:
            if isinstance(route, APIRoute):
                self._accepted[key] = accepted_parameters(route)
            elif isinstance(route, Mount) or getattr(route, "path", None) in OPEN_QUERY:
                self._accepted[key] = None
            else:
                self._accepted[key] = frozenset()
        return self._accepted[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if not query:
            await self.app(scope, receive, send)
            return
        names = {name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
        app = scope.get("app")
        for route in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = route.matches(scope)
            if match is not Match.FULL:
                continue
            accepted = self._for(route)
            unknown = sorted(names - accepted) if accepted is not None else []
            if unknown:
                await self._refuse(scope, unknown, sorted(accepted or ()))(scope, receive, send)
                return
            break
        await self.app(scope, receive, send)

    @staticmethod
    def _refuse(scope: Scope, unknown: list[str], accepted: list[str]) -> Any:
        scope.setdefault("state", {})["problem"] = "unknown-parameter"
        takes = ", ".join(accepted) if accepted else "no query parameters"
        return problem(
            400,
            "unknown-parameter",
            "Unknown query parameter",
            f"This endpoint does not know the query parameter(s) {', '.join(unknown)}; it "
            f"takes {takes}. Check the spelling.",
            str(scope.get("path", "")),
            unknown=unknown,
            accepted=accepted,
        )
