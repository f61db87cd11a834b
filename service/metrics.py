"""Prometheus metrics, served at ``GET /metrics`` (text exposition format).

Each app has its own registry (tests build many apps in one process; the global registry
would refuse the second). Requests are labelled by the route's path template, never the raw
path, so that an attacker cannot grow the label set. Worker restarts and the queue length are
read from the pool when scraped, so they cannot drift from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import Scope

#: Content type of the Prometheus text format the scrape answers with.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Routes whose outcome is a parse: ``telnorm_parse_outcomes_total`` counts them.
PARSE_ROUTES = frozenset({"/normalise", "/validate", "/detect", "/mappings/suggest"})


class _PoolCollector(Collector):
    """Worker-pool figures, read from the pool of the app at scrape time."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        pool = getattr(self.state, "pool", None)
        if pool is None:  # scraped before startup or after shutdown
            return
        restarts = CounterMetricFamily(
            "telnorm_worker_restarts",
            "Workers replaced (overrun, crash, memory limit or recycled after max tasks).",
        )
        restarts.add_metric([], pool.replaced)
        yield restarts
        queued = GaugeMetricFamily("telnorm_queue_length", "Jobs waiting for a free worker.")
        queued.add_metric([], pool.queued)
        yield queued
        workers = GaugeMetricFamily("telnorm_workers", "Parse worker processes.")
        workers.add_metric([], pool.size)
        yield workers


class Metrics:
    """The metrics of one app."""

    def __init__(self, app_state: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "telnorm_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "telnorm_request_duration_seconds",
            "Time from request to the end of the response, by route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.parses = Counter(
            "telnorm_parse_outcomes",
            "Outcomes of requests that read a file, by parser (its name when the answer "
            "or format= says it, 'canonical' for a canonical document sent back, 'auto' when "
            "detection chose and the answer does not say, 'none' before any parser) and "
            "problem type ('ok' when there was none).",
            ["route", "parser", "outcome"],
            registry=self.registry,
        )
        self.registry.register(_PoolCollector(app_state))

    def observe(
        self,
        scope: Scope,
        status: int,
        seconds: float,
        parser: str | None,
        problem: str | None,
    ) -> None:
        route = route_template(scope)
        method = str(scope.get("method", ""))
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)
        if route in PARSE_ROUTES and method == "POST":
            outcome = problem or ("ok" if status < 400 else f"http-{status}")
            self.parses.labels(route, parser or "none", outcome).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (``/problems/{code}``), read after the
    request from ``scope["route"]`` (set by the router); ``other`` when none matched."""
    route = scope.get("route")
    return str(getattr(route, "path", None) or "other")
