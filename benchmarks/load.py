"""Load and soak run of the telnorm service (issue 6): not a test, a measurement.

Starts the service on 127.0.0.1 (``telnorm serve``, its access log to a file) or targets a
running one with ``--url`` (loopback addresses only), then drives it with ``--clients``
concurrent httpx clients for ``--duration`` seconds (at most ``--max-requests`` requests), on a
mix of corpus files (``../shared/corpus``, when present), the samples under ``samples/`` and bad
files made here (truncated XML, a DOCTYPE with entities, a PNG named ``.csv``, NUL bytes, an
empty file, a truncated zip).

It reports:

* requests and their outcomes: ``ok`` (200 for a good file), ``expected_4xx`` (a 4xx problem
  for a bad file), ``unexpected`` (a good file refused or a bad file accepted), ``errors``
  (5xx and transport errors: timeouts, refused connections);
* latency p50/p90/p99/max (seconds), overall and per file;
* the server's RSS (the process tree: main process plus workers, from ``/proc``) at the start,
  every ``--sample-every`` seconds, and at the end, plus ``/health``'s replaced-worker count.

Usage::

    .venv/bin/python benchmarks/load.py --duration 90 --clients 8
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --pid 12345

Exit status 0 when there were no errors and no unexpected outcomes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import ipaddress
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Payload:
    name: str
    data: bytes
    good: bool
    weight: int = 1


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    per_file: dict[str, list[float]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(
        default_factory=lambda: {"ok": 0, "expected_4xx": 0, "unexpected": 0, "errors": 0}
    )
    statuses: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


# --- inputs ------------------------------------------------------------------------------


def _bad_files(sample_csv: bytes, sample_xml: bytes | None) -> list[Payload]:
    xml = sample_xml or (
        b'<?xml version="1.0"?><EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">'
        b"<Count><Election>" + b"<x>1</x>" * 200 + b"</Election></Count></EML>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("count.csv", sample_csv)
    bundle = buffer.getvalue()
    middle = len(sample_csv) // 2
    return [
        Payload("bad:truncated.xml", xml[: len(xml) // 2], False),
        Payload(
            "bad:entities.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&b;</EML>',
            False,
        ),
        Payload("bad:image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, False),
        Payload("bad:nul.csv", sample_csv[:middle] + b"\x00\x00" + sample_csv[middle:], False),
        Payload("bad:empty.csv", b"", False),
        Payload("bad:truncated.zip", bundle[: len(bundle) - 30], False),
    ]


def payloads(max_file_bytes: int) -> list[Payload]:
    found: list[Payload] = []
    tabular = SAMPLES / "tabular"
    for path in sorted(tabular.glob("*")):
        if path.suffix in (".csv", ".tsv", ".xlsx", ".ods", ".xls") and path.is_file():
            found.append(Payload(f"sample:{path.name}", path.read_bytes(), True, 2))
    if CORPUS.exists():
        for pattern in ("eml/510b/*.xml", "csv/osv4-3/*.csv", "csv/third-party/*.csv"):
            for path in sorted(CORPUS.glob(pattern)):
                if path.stat().st_size <= max_file_bytes:
                    found.append(Payload(f"corpus:{path.name}", path.read_bytes(), True, 2))
    sample_csv = (tabular / "a_lindehoven_semicolon_cp1252.csv").read_bytes()
    xml = next((p.data for p in found if p.name.endswith(".xml")), None)
    found += _bad_files(sample_csv, xml)
    return found


# --- the server --------------------------------------------------------------------------


def _loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing to load {host!r}: only loopback addresses (127.0.0.0/8, ::1)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, TELNORM_WORKERS=str(workers), TELNORM_LOG_LEVEL="WARNING")
    env.pop("TELNORM_AUTH_TOKENS", None)
    telnorm = Path(sys.executable).parent / "telnorm"
    command = [str(telnorm)] if telnorm.exists() else [sys.executable, "-m", "telnorm.service.cli"]
    handle = log.open("wb")
    process = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited ({process.returncode}); see {log}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the service did not answer /health within 60 s; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> dict[str, Any]:
    """RSS (MiB) of a process and all its descendants, from /proc."""
    tree = _children()
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(tree.get(current, []))
    per: dict[int, float] = {}
    for current in seen:
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    per[current] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return {
        "total_mib": round(sum(per.values()), 1),
        "processes": len(per),
        "main_mib": round(per.get(pid, 0.0), 1),
    }


# --- the load ----------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def client_loop(
    number: int,
    url: str,
    files: list[Payload],
    stats: Stats,
    stop_at: float,
    budget: list[int],
    timeout: float,
) -> None:
    rng = random.Random(number)
    weights = [p.weight for p in files]
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            payload = rng.choices(files, weights)[0]
            filename = payload.name.split(":", 1)[1]
            started = time.monotonic()
            try:
                response = await client.post(
                    "/normalise", content=payload.data, params={"filename": filename}
                )
            except httpx.HTTPError as exc:
                stats.outcomes["errors"] += 1
                stats.statuses["transport"] = stats.statuses.get("transport", 0) + 1
                if len(stats.examples) < 20:
                    stats.examples.append(f"{payload.name}: {type(exc).__name__}: {exc}")
                continue
            elapsed = time.monotonic() - started
            stats.latencies.append(elapsed)
            stats.per_file.setdefault(payload.name, []).append(elapsed)
            status = response.status_code
            stats.statuses[str(status)] = stats.statuses.get(str(status), 0) + 1
            if status >= 500:
                stats.outcomes["errors"] += 1
            elif payload.good and status == 200:
                stats.outcomes["ok"] += 1
            elif not payload.good and 400 <= status < 500:
                stats.outcomes["expected_4xx"] += 1
                code = response.json().get("code", "?")
                stats.problems[code] = stats.problems.get(code, 0) + 1
            else:
                stats.outcomes["unexpected"] += 1
            wrong = status >= 500 or payload.good != (status == 200)
            if wrong and len(stats.examples) < 20:
                stats.examples.append(f"{payload.name}: {status} {response.text[:200]}")


async def sampler(pid: int | None, stop: asyncio.Event, every: float, out: list[Any]) -> None:
    started = time.monotonic()
    while not stop.is_set():
        if pid is not None:
            out.append({"t": round(time.monotonic() - started, 1), **tree_rss(pid)})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def drive(args: argparse.Namespace, url: str, pid: int | None) -> dict[str, Any]:
    files = payloads(args.max_file_bytes)
    stats = Stats()
    health_before = httpx.get(url + "/health", timeout=10).json()
    # warm every worker (their first job imports the parsers), so start RSS is steady state
    async with httpx.AsyncClient(base_url=url, timeout=args.timeout) as client:
        warm = [p for p in files if p.good][:1] * (2 * args.clients)
        await asyncio.gather(
            *(client.post("/normalise", content=p.data, params={"filename": "w.csv"}) for p in warm)
        )
    rss_start = tree_rss(pid) if pid else None
    samples: list[Any] = []
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler(pid, stop, args.sample_every, samples))
    started = time.monotonic()
    stop_at = started + args.duration
    budget = [args.max_requests]
    await asyncio.gather(
        *(
            client_loop(n, url, files, stats, stop_at, budget, args.timeout)
            for n in range(args.clients)
        )
    )
    elapsed = time.monotonic() - started
    stop.set()
    await sampling
    rss_end = tree_rss(pid) if pid else None
    health_after = httpx.get(url + "/health", timeout=10).json()
    total = sum(stats.outcomes.values())
    return {
        "url": url,
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "files": {"good": sum(p.good for p in files), "bad": sum(not p.good for p in files)},
        "requests": total,
        "requests_per_s": round(total / elapsed, 1) if elapsed else None,
        "outcomes": stats.outcomes,
        "statuses": stats.statuses,
        "problems_for_bad_files": stats.problems,
        "latency_s": {
            "p50": round(statistics.median(stats.latencies), 4) if stats.latencies else None,
            "p90": round(_quantile(stats.latencies, 0.90), 4),
            "p99": round(_quantile(stats.latencies, 0.99), 4),
            "max": round(max(stats.latencies), 4) if stats.latencies else None,
        },
        "latency_p50_by_file_s": {
            name: round(statistics.median(values), 4)
            for name, values in sorted(stats.per_file.items())
        },
        "rss_start": rss_start,
        "rss_end": rss_end,
        "rss_samples": samples,
        "workers_replaced": health_after["workers_replaced"] - health_before["workers_replaced"],
        "examples_of_errors": stats.examples,
    }


def _print(report: dict[str, Any]) -> None:
    lat = report["latency_s"]
    print(f"target            {report['url']}  ({report['clients']} clients)")
    print(f"duration          {report['duration_s']} s")
    print(f"requests          {report['requests']}  ({report['requests_per_s']}/s)")
    print(f"outcomes          {report['outcomes']}")
    print(f"statuses          {report['statuses']}")
    print(f"bad-file problems {report['problems_for_bad_files']}")
    print(
        f"latency (s)       p50 {lat['p50']}  p90 {lat['p90']}  p99 {lat['p99']}  max {lat['max']}"
    )
    if report["rss_start"]:
        start, end = report["rss_start"], report["rss_end"]
        print(
            f"server RSS (MiB)  start {start['total_mib']} ({start['processes']} processes)  "
            f"end {end['total_mib']} ({end['processes']} processes)"
        )
        totals = [s["total_mib"] for s in report["rss_samples"]]
        if totals:
            print(f"RSS samples       min {min(totals)}  max {max(totals)}  n={len(totals)}")
    print(f"workers replaced  {report['workers_replaced']}")
    for example in report["examples_of_errors"]:
        print("  !", example)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", help="a running service (loopback only); default: start one")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for its RSS")
    parser.add_argument("--workers", type=int, default=2, help="workers of the started service")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=90.0, help="seconds (max 1800)")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--sample-every", type=float, default=5.0, help="RSS sampling, seconds")
    parser.add_argument("--max-file-bytes", type=int, default=2 * MiB, help="corpus files")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1.0), 1800.0)
    args.clients = min(max(args.clients, 1), 64)

    process = None
    if args.url:
        _loopback_only(args.url)
        url, pid = args.url.rstrip("/"), args.pid
    else:
        log = Path(tempfile.gettempdir()) / "telnorm-load-server.log"
        process, url = start_server(args.workers, log)
        pid = process.pid
        print(f"started the service (pid {pid}, log {log})")
    try:
        report = asyncio.run(drive(args, url, pid))
    finally:
        if process is not None:
            stop_server(process)
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    failed = report["outcomes"]["errors"] or report["outcomes"]["unexpected"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
