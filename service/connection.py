"""Misbehaving connections: slow, vanishing and failed ones must cost their own request only.

* :class:`ConnectionGuard` (ASGI middleware): a request body that stops arriving for
  ``body_timeout_seconds`` is answered 408 ``request-timeout``; a client that disconnects
  mid-upload or mid-response is logged at info as ``client-disconnected`` (never an
  unhandled error with a 500); any 5xx answer carries ``Connection: close`` so that a
  keep-alive client opens a fresh connection for its next request instead of reusing one
  the server is about to drop.
* :func:`protocol_class`: uvicorn's HTTP protocol with a header read timeout. uvicorn has
  none of its own (a connection that sends half a request line, or nothing, is kept open for
  ever); here the headers of each request must be complete within ``header_timeout_seconds``
  of its first byte (of the connection, for the first), or the connection is answered 408 and
  closed. Idle keep-alive connections are closed by uvicorn's ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telnorm.service.problems import PROBLEM_MEDIA_TYPE, problem

LOGGER = logging.getLogger("telnorm.connection")


class BodyTimeout(Exception):
    """No part of the request body arrived within the body timeout."""


def _body_timeout_detail(seconds: float) -> str:
    return (
        f"The request body stopped arriving: nothing came for {seconds:g} seconds "
        "(TELNORM_BODY_TIMEOUT_SECONDS). Send the file again over a steadier connection."
    )


class ConnectionGuard:
    """ASGI middleware: body read timeout, client gone, ``Connection: close`` after a 5xx."""

    def __init__(self, app: ASGIApp, body_timeout: float) -> None:
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        finished = False
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # waiting for a disconnect while streaming: no timeout there
                message = await receive()
                if message["type"] == "http.disconnect" and started and not finished:
                    self._log(scope, "client-disconnected", "the client left mid-response")
                return message
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            if message["type"] == "http.response.start":
                started = True
                if message["status"] >= 500:
                    headers = [
                        (k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"
                    ]
                    message["headers"] = [*headers, (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except ClientDisconnect:
            self._log(scope, "client-disconnected", "the client disconnected mid-request")
            if not started:  # the server drops it if the client is really gone
                await self._answer(scope, receive, send, 400, "client-disconnected")
        except BodyTimeout:
            self._log(scope, "request-timeout", "the request body stopped arriving")
            if not started:
                await self._answer(scope, receive, send, 408, "request-timeout")

    def _log(self, scope: Scope, code: str, message: str) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        state["problem"] = code
        LOGGER.info(
            message,
            extra={
                "fields": {
                    "request_id": state.get("request_id"),
                    "path": scope.get("path"),
                    "outcome": code,
                }
            },
        )

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str
    ) -> None:
        if code == "request-timeout":
            title, detail = (
                "The request took too long to arrive",
                _body_timeout_detail(self.body_timeout),
            )
        else:
            title = "The client disconnected"
            detail = "The client closed the connection before the request was complete."
        response = problem(status, code, title, detail, scope.get("path"))
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def _timeout_answer(seconds: float) -> bytes:
    body = orjson.dumps(
        {
            "type": "/problems/request-timeout",
            "title": "The request took too long to arrive",
            "status": 408,
            "detail": f"The request's headers were not complete within {seconds:g} seconds "
            "(TELNORM_HEADER_TIMEOUT_SECONDS).",
            "code": "request-timeout",
        }
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def protocol_class(header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with a header read timeout (see the module docstring)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.write(_timeout_answer(header_timeout))
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._header_timer is None:
                self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


__all__ = ["BodyTimeout", "ConnectionGuard", "protocol_class"]
