"""Fixtures of the web page tests: a TestClient, a live server, a headless browser, and the
files uploaded (the samples, a count with seeded faults, hostile files).

Browser tests drive the system Chromium (Debian's ``chromium``) with Playwright; Playwright's
own browser download is not used. Without Playwright or without Chromium they skip, saying
which is missing. Set ``TELNORM_SCREENSHOTS=docs/img`` to save the pages' screenshots into
the docs (``make screenshots``); otherwise they go to the test's temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.conftest import ROOT, SAMPLES

TABULAR = SAMPLES / "tabular"
CANDIDATE_LIST = TABULAR / "lindehoven.230b.eml.xml"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium calls its vendor's hosts on start (and floods a closed network)
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sample_files() -> list[Path]:
    """Every count among the samples (not the candidate list, not the expected outputs)."""
    return sorted(
        path
        for path in TABULAR.iterdir()
        if not path.name.endswith((".expected.json", ".230b.eml.xml"))
    )


def seeded_faults_csv() -> bytes:
    """The Lindehoven osv-like CSV with two faults seeded by hand:

    * station 2 (Dorpshuis Oost): VVD 210 -> 260, so its lists add up to 1.070, not the
      1.020 valid votes stated (F.202), and the total no longer matches the units (A.101);
    * station 3 (Café 't Hoekje): admitted voters 421 -> 431, not A + B + C = 421 (F.201).
    """
    text = (TABULAR / "a_lindehoven_semicolon_cp1252.csv").read_bytes().decode("cp1252")
    station2 = "2;Dorpshuis Oost;1235 CD;1.234;1.000;31;0;1.031;6;5;1.020;620;210;190"
    station3 = "3;Café 't Hoekje;1236 EF;800;400;20;1;421;4;6;411;150;150;111"
    assert station2 in text and station3 in text
    text = text.replace(station2, station2.replace(";620;210;", ";620;260;"))
    text = text.replace(station3, station3.replace(";1;421;", ";1;431;"))
    return text.encode("cp1252")


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("telling.csv", b"0" * (64 * 1024 * 1024))
    return buffer.getvalue()


#: Hostile or broken uploads: name -> (filename, bytes, the problem code the page must show).
HOSTILE: dict[str, tuple[str, bytes, str]] = {
    "xxe": (
        "telling.eml.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE EML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<EML>&xxe;</EML>\n",
        "forbidden-doctype",
    ),
    "billion-laughs": (
        "lol.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b"<lolz>&lol2;</lolz>\n",
        "forbidden-doctype",
    ),
    "binary": ("telling.csv", bytes(range(256)) * 64, "binary-input"),
    "truncated-xml": (
        "telling.eml.xml",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<EML xmlns="urn:oasis:names:tc:evs:schema:'
        b'eml" Id="510b" SchemaVersion="5"><ManagingAuthority><AuthorityIdentifier Id="0668">',
        "malformed-xml",
    ),
    "zip-bomb": ("telling.zip", _zip_bomb(), "limit-exceeded"),
    "empty": ("telling.csv", b"", "empty-input"),
}


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# --- a live server and a browser ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the service at {url} did not become healthy in {seconds:g} s")


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 and a free port, for the browser."""
    port = _free_port()
    env = {
        **os.environ,
        "TELNORM_WORKERS": "1",
        "TELNORM_MAX_UPLOAD_BYTES": str(16 * 1024 * 1024),
        "TELNORM_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "telnorm.service.main:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chromium_path() -> str | None:
    """The system Chromium: ``TELNORM_CHROMIUM``, else ``chromium`` on the PATH."""
    configured = os.environ.get("TELNORM_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@contextlib.contextmanager
def _address_space_unlimited() -> Iterator[None]:
    """Lift the soft address-space limit while Playwright's driver and Chromium start.

    The CLI limits its own process's memory (RLIMIT_AS, service/cli.py), and CLI tests run
    it in the test process: Chromium started afterwards would inherit the limit and die at
    start (SIGTRAP: V8 reserves far more address space than it uses). The test process gets
    its limit back as soon as the browser runs.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "browser tests need Playwright for Python: pip install -e '.[dev]' (playwright)"
        )
    executable = chromium_path()
    if executable is None:
        configured = os.environ.get("TELNORM_CHROMIUM")
        pytest.skip(
            f"browser tests need Chromium: TELNORM_CHROMIUM={configured} does not exist"
            if configured
            else "browser tests need Chromium: apt-get install chromium (scripts/system-deps), "
            "or set TELNORM_CHROMIUM to a Chromium binary"
        )
    with _address_space_unlimited():
        playwright = sync_playwright().start()
        try:
            # A Chromium that is there but does not start is a failure, not a skip.
            instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except BaseException:
            playwright.stop()
            raise
    try:
        yield instance
    finally:
        instance.close()
        playwright.stop()


class Visit:
    """A browser page on the live server that records every request it makes."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        #: Requests the page's Content-Security-Policy stopped in the browser: never sent.
        self.blocked: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", self._failed)

    def _failed(self, request: Any) -> None:
        if request.failure == "csp":
            self.blocked.append(request.url)

    def _foreign(self, url: str) -> bool:
        return not (url.startswith((self.base + "/", "data:", "blob:")) or url == self.base)

    def foreign_requests(self) -> list[str]:
        """Requests to another origin that the browser sent (``data:`` and ``blob:`` stay
        inside; one the CSP blocked never left the browser)."""
        return [url for url in self.requests if self._foreign(url) and url not in self.blocked]

    def blocked_foreign(self) -> list[str]:
        return [url for url in self.blocked if self._foreign(url)]


@pytest.fixture
def visit(browser: Any, live_server: str) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_visit(**options: Any) -> Visit:
        # a Dutch clerk's browser unless a test says otherwise (Playwright's default is en-US)
        options.setdefault("locale", "nl-NL")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        return Visit(context.new_page(), live_server)

    yield open_visit
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[..., Path]:
    """Save a full-page screenshot as ``<name>.png`` (into TELNORM_SCREENSHOTS when set)."""
    folder = Path(os.environ.get("TELNORM_SCREENSHOTS") or tmp_path)
    if not folder.is_absolute():
        folder = ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        assert target.stat().st_size > 0
        return target

    return take
