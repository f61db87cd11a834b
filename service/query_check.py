"""Unknown query parameters are a 400 naming them and the accepted ones, on every route.

A misspelt option (``?locatoins=true``) must never be ignored: the caller would get a
document without what they asked for and no word why. The accepted names of a route are
those it declares, read once from the route itself, so that a route added later is covered
without listing it anywhere:

* the query parameters of its FastAPI dependant (``Query(...)`` arguments, also those of
  its dependencies), and
* ``in: query`` parameters it documents in ``openapi_extra`` (options read from
  ``request.query_params`` directly, such as the export options and ``filename``).

It is an app-level dependency, so it covers every FastAPI route, and none of Starlette's own
(``/openapi.json``, ``/docs``), which read no query parameters.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from telnorm.parsers.errors import RequestError


class UnknownParameter(RequestError):
    """A query parameter the endpoint does not take (a misspelt option is never ignored)."""

    code = "unknown-parameter"
    title = "Unknown query parameter"


def _query_names(dependant: Dependant) -> set[str]:
    """Query parameter names of a dependant and of its dependencies, as a caller spells
    them (the alias)."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def accepted_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` declares."""
    names = _query_names(route.dependant)
    extra: dict[str, Any] = route.openapi_extra or {}
    for param in extra.get("parameters", ()):
        if param.get("in") == "query":
            names.add(str(param["name"]))
    return frozenset(names)


_CACHE: dict[int, frozenset[str]] = {}


def _accepted_for(route: APIRoute) -> frozenset[str]:
    key = id(route)
    if key not in _CACHE:
        _CACHE[key] = accepted_parameters(route)
    return _CACHE[key]


async def reject_unknown_query(request: Request) -> None:
    """App-level dependency: runs after routing (``scope["route"]`` is the matched route)
    and before the route's own dependencies, so before any upload is read."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.query:
        return
    accepted = _accepted_for(route)
    unknown = sorted(set(request.query_params.keys()) - accepted)
    if unknown:
        takes = ", ".join(sorted(accepted)) if accepted else "no query parameters"
        raise UnknownParameter(
            f"This endpoint does not know the query parameter(s) {', '.join(unknown)}; it "
            f"takes {takes}. Check the spelling.",
            unknown=unknown,
            accepted=sorted(accepted),
        )
