"""Receiving files: multipart parts or a raw body, spooled to a per-request folder on disk.

Files go to disk, never into memory whole, so the worker processes read them by path (no
100 MB pickles) and the service's memory stays flat. The body size is capped by
:class:`BodySizeLimit` before anything is read.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telnorm.parsers.errors import InputTooLarge, RequestError
from telnorm.service.pipeline import InputFile
from telnorm.service.problems import problem

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DISPOSITION_NAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)
_CHUNK = 1 << 20


def _too_large_message(limit: int) -> str:
    return (
        f"The upload is larger than {limit / 1024 / 1024:.0f} MiB, the most this service "
        "accepts. Split the file or ask the operator to raise TELNORM_MAX_UPLOAD_BYTES."
    )


class BodySizeLimit:
    """ASGI middleware: 413 for a body over the limit, by header or by counting."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    response = problem(
                        413,
                        InputTooLarge.code,
                        InputTooLarge.title,
                        _too_large_message(self.max_bytes),
                        scope.get("path"),
                        limit_bytes=self.max_bytes,
                    )
                    await response(scope, receive, send)
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise InputTooLarge(
                        _too_large_message(self.max_bytes), limit_bytes=self.max_bytes
                    )
            return message

        await self.app(scope, counting_receive, send)


@dataclass
class Upload:
    """The files of one request, on disk in a folder removed when the request ends."""

    folder: Path
    files: dict[str, InputFile] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def main(self) -> InputFile:
        main = self.files.get("file")
        if main is None:
            raise RequestError(
                "No file was sent. Send it as the multipart part 'file' "
                "(curl -F file=@count.xml ...) or as the raw body "
                "(curl --data-binary @count.xml ...).",
            )
        return main

    def context(self, roles: Iterable[str]) -> dict[str, InputFile]:
        return {role: self.files[role] for role in roles if role in self.files}


def _safe_filename(name: str | None, fallback: str) -> str:
    if not name:
        return fallback
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _SAFE_NAME.sub("_", base)[:200] or fallback


async def _save_upload(part: UploadFile, target: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := await part.read(_CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _log_input(request: Request, part: str, filename: str, size: int, sha256: str) -> None:
    """What the access log says of an input: never its content."""
    inputs = request.scope.setdefault("state", {}).setdefault("inputs", [])
    inputs.append({"part": part, "filename": filename, "bytes": size, "sha256": sha256})


async def receive_upload(
    request: Request, allowed_parts: tuple[str, ...], max_files: int
) -> AsyncIterator[Upload]:
    """FastAPI dependency body: yields the request's files, then removes them."""
    folder = Path(tempfile.mkdtemp(prefix="telnorm-"))
    upload = Upload(folder)
    try:
        content_type = request.headers.get("content-type", "")
        # media types are case-insensitive (RFC 9110 8.3.1): Multipart/Form-Data is multipart
        if content_type.strip().lower().startswith("multipart/form-data"):
            form = await request.form(max_files=max_files, max_fields=50)
            try:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        if key not in allowed_parts:
                            raise RequestError(
                                f"Unexpected file part {key!r}. This endpoint accepts: "
                                f"{', '.join(allowed_parts)}.",
                                allowed_parts=list(allowed_parts),
                            )
                        if key in upload.files:
                            raise RequestError(f"The part {key!r} was sent twice.")
                        target = folder / f"{len(upload.files)}-{key}"
                        size, sha256 = await _save_upload(value, target)
                        filename = _safe_filename(value.filename, key)
                        upload.files[key] = InputFile(target, filename, sha256)
                        _log_input(request, key, filename, size, sha256)
                    else:
                        upload.fields[key] = str(value)
            finally:
                await form.close()
        else:
            target = folder / "0-file"
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as out:
                async for chunk in request.stream():
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            name = request.query_params.get("filename")
            if not name:
                match = _DISPOSITION_NAME.search(request.headers.get("content-disposition", ""))
                name = match.group(1) if match else None
            filename = _safe_filename(name, "upload")
            upload.files["file"] = InputFile(target, filename, digest.hexdigest())
            _log_input(request, "file", filename, size, digest.hexdigest())
        yield upload
    finally:
        shutil.rmtree(folder, ignore_errors=True)
