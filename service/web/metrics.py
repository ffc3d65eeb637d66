"""``GET /metrics`` (Prometheus text format) and the request id of every request.

``ObservedMiddleware`` is the outermost layer of the app (outside ``EdgeMiddleware``, so a
refused Host, a 401 or a 429 is counted too). For each HTTP request it

- takes the request id from ``X-Request-ID`` when it is sane, else makes one
  (``service.request.observe.request_id``), returns it in the response's ``X-Request-ID``
  and puts it in every log line of the request (``service.request.observe.REQUEST_ID``);
- counts the request by route template (``/documents/{doc_id}``, not the path a client sent:
  ``<unmatched>`` for a path no route serves), method and status, and observes its latency;
- logs one access line (logger ``service.access``: method, path without the query, route,
  status, duration_ms, client), shown with ``serve --log-format json``.

``Metrics`` holds one registry per app (several apps in one process, as in the tests, do not
share counters). Besides the request metrics it reports, at each scrape, the live generation
from its manifest: name and model, ``built_at`` and its age, counts, and what the build that
wrote it recorded (``build.seconds``, ``build.skipped``). Searches count by outcome:
``answered``, ``nothing_relevant`` (the result's ``answered`` is false) or ``unrated`` (a
model with no relevance floor). ``/metrics`` obeys access control like every route but
``/health`` (docs/operations.md: a scraper sends the token).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.request.observe import observing, request_id

access_log = logging.getLogger("service.access")

UNMATCHED = "<unmatched>"
# seconds: a health check or a page in milliseconds … a comparison near the 30 s time limit
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OUTCOMES = {True: "answered", False: "nothing_relevant", None: "unrated"}


class Metrics:
    """The app's registry and the metrics its middleware and searches move."""

    def __init__(self, app: Any):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "cchc_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cchc_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.searches = Counter(
            "cchc_searches",
            "Searches run (API, pages and exports), by outcome: answered, nothing_relevant "
            "(no hit reached the relevance floor), unrated (a model without a floor).",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in OUTCOMES.values():
            self.searches.labels(outcome)  # present at 0 before the first search
        self.registry.register(IndexCollector(app))

    def searched(self, answered: bool | None) -> None:
        self.searches.labels(OUTCOMES.get(answered, "unrated")).inc()


def _built_at(manifest: dict) -> float | None:
    try:
        when = datetime.fromisoformat(str(manifest["built_at"]))
    except (KeyError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class IndexCollector(Collector):
    """The live generation as the app's holder has it open, read at each scrape."""

    def __init__(self, app: Any):
        self.app = app

    def describe(self) -> Iterable[Metric]:
        return []  # collected on demand: nothing to register up front

    def collect(self) -> Iterator[Metric]:
        holder = getattr(self.app.state, "holder", None)
        snap = None
        if holder is not None:
            try:
                snap = holder.snapshot
            except Exception:  # no index open (503): only cchc_index_up 0
                snap = None
        up = GaugeMetricFamily("cchc_index_up", "1 while a generation of the index is served.")
        up.add_metric([], 1 if snap is not None else 0)
        yield up
        swaps = CounterMetricFamily(
            "cchc_index_swaps", "Generations this process swapped to since it started."
        )
        swaps.add_metric([], float(getattr(holder, "swaps", 0)))
        yield swaps
        if snap is None:
            return
        manifest = snap.reader.manifest or {}
        info = GaugeMetricFamily(
            "cchc_index_generation_info",
            "The generation served (always 1; its name and model as labels).",
            labels=["generation", "model"],
        )
        info.add_metric([snap.generation, snap.model_name], 1)
        yield info
        built = _built_at(manifest)
        if built is not None:
            yield GaugeMetricFamily(
                "cchc_index_built_timestamp_seconds",
                "When the generation served was built (its manifest's built_at), Unix time.",
                value=built,
            )
            yield GaugeMetricFamily(
                "cchc_index_age_seconds",
                "Seconds since the generation served was built.",
                value=max(0.0, time.time() - built),
            )
        counts = manifest.get("counts") or {}
        for name in ("documents", "paragraphs"):
            if isinstance(counts.get(name), int):
                yield GaugeMetricFamily(
                    f"cchc_index_{name}",
                    f"{name.capitalize()} in the generation served.",
                    value=counts[name],
                )
        build = manifest.get("build") or {}
        if isinstance(build.get("seconds"), int | float):
            yield GaugeMetricFamily(
                "cchc_index_build_duration_seconds",
                "How long the build that wrote the generation served took, up to its commit.",
                value=float(build["seconds"]),
            )
        if isinstance(build.get("skipped"), int):
            yield GaugeMetricFamily(
                "cchc_index_build_skipped_files",
                "Files the build that wrote the generation served skipped (unreadable, "
                "too large or slow, duplicate ids, refused links).",
                value=build["skipped"],
            )


def _matching(routes: Iterable[Any], scope: Scope) -> Any:
    """The route among ``routes`` (and the routers included in them) that matches."""
    for candidate in routes:
        match, child = candidate.matches(scope)
        if match is not Match.FULL:
            continue
        if child.get("route") is not None:
            return child["route"]
        included = getattr(candidate, "original_router", None)  # FastAPI keeps it whole
        return _matching(included.routes, scope) if included is not None else candidate
    return None


def route_template(app: Any, scope: Scope) -> str:
    """The template of the route that served (or would serve) this request: the one routing
    recorded, else (a request refused before routing: Host, token, rate limit) the one that
    matches."""
    route = scope.get("route")
    if route is None:
        route = _matching(getattr(getattr(app, "router", None), "routes", ()), scope)
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class ObservedMiddleware:
    """Request id, request metrics and the access log line (see the module docstring)."""

    def __init__(self, inner: ASGIApp, app: Any):
        self.inner = inner
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        metrics: Metrics = self.app.state.metrics
        rid = request_id(Headers(scope=scope).get("x-request-id"))
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before responding

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        with observing(rid, metrics.searched):
            try:
                await self.inner(scope, receive, send_observed)
            finally:
                seconds = time.perf_counter() - started
                route = route_template(self.app, scope)
                method = scope.get("method", "")
                metrics.requests.labels(route, method, str(status)).inc()
                metrics.latency.labels(route).observe(seconds)
                client = scope.get("client")
                access_log.info(
                    "%s %s %s",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={
                        "method": method,
                        "path": scope.get("path", ""),
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "client": client[0] if client else None,
                    },
                )
