"""Optional bearer-token authentication.

Off unless tokens are configured (``TELNORM_AUTH_TOKENS`` or ``TELNORM_AUTH_TOKENS_FILE``).
When on, every route but the health probes (:data:`OPEN_PATHS`) needs
``Authorization: Bearer <token>``; a missing or
wrong token gets a 401 problem document.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from telnorm.service.problems import problem

#: Probes (a load balancer or an orchestrator sends no token) are open.
OPEN_PATHS = frozenset({"/health", "/health/live", "/health/ready"})


class BearerAuth:
    def __init__(self, app: ASGIApp, tokens: frozenset[str]) -> None:
        self.app = app
        self.tokens = tuple(token.encode() for token in tokens)

    def _allowed(self, header: bytes) -> bool:
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not token:
            return False
        # compare against every token in constant time, without stopping at the first match
        matches = [hmac.compare_digest(token.strip(), known) for known in self.tokens]
        return any(matches)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.tokens or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers", ())).get(b"authorization", b"")
        if self._allowed(header):
            await self.app(scope, receive, send)
            return
        detail = (
            "This service needs a bearer token: send 'Authorization: Bearer <token>'."
            if not header
            else "The bearer token is not valid."
        )
        response = problem(
            401, "unauthorized", "Authentication required", detail, scope.get("path")
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="telnorm"'
        scope.setdefault("state", {})["problem"] = "unauthorized"
        await response(scope, receive, send)
