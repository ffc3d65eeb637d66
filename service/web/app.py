"""The FastAPI application factory.

``create_app(settings)`` builds a fresh app; its lifespan opens the index (``IndexHolder``)
once and closes it at shutdown. Routers come from ``ROUTERS``, the route modules of
``service.web.routes`` (each exposes ``router``). Every request passes ``EdgeMiddleware`` first
(Host check, HEAD, security headers) inside ``ObservedMiddleware`` (request id, metrics, the
access log line), then ``AccessMiddleware`` (a trusted proxy's client, the
rate limit, the token or session when access control is on). FastAPI's own /docs and /redoc,
which load from a CDN, are off: ``routes.docs`` serves Swagger UI from the service's files.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.live.holder import IndexHolder
from service.settings import Settings
from service.web.access import Access, AccessMiddleware
from service.web.errors import install_error_handlers
from service.web.metrics import Metrics, ObservedMiddleware
from service.web.middleware import EdgeMiddleware, default_allowed_hosts
from service.web.openapi import state_access, state_run_time_limits
from service.web.routes import (
    compare,
    coverage,
    docs,
    documents,
    health,
    mentions,
    metrics,
    pages,
    search,
    signin,
    tasks,
)

ROUTERS = [
    health, metrics, documents, search, compare, coverage, mentions, tasks, pages, docs, signin,
]  # fmt: skip


class _App(FastAPI):
    """FastAPI with ``EdgeMiddleware`` outermost (so even a 500 gets the security headers)
    and ``AccessMiddleware`` next, and an OpenAPI schema stating the limits the settings set."""

    def build_middleware_stack(self):
        inner = AccessMiddleware(super().build_middleware_stack(), self.state.access)
        return ObservedMiddleware(EdgeMiddleware(inner, self.state.allowed_hosts), self)

    def openapi(self) -> dict:
        """The schema, with the patterns and run-time limits routes cannot declare."""
        if self.openapi_schema is None:
            max_chars = self.state.settings.max_query_chars
            schema = state_run_time_limits(super().openapi(), max_chars)
            self.openapi_schema = state_access(schema, self.state.access)
        return self.openapi_schema


def create_app(settings: Settings | None = None, holder: IndexHolder | None = None) -> FastAPI:
    """A new app serving ``settings.index_dir`` (or an already open ``holder``, kept open)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = holder is None
        # no index yet: start anyway (503 until a build writes one, then it is picked up)
        app.state.holder = IndexHolder(settings).open(missing_ok=True) if own else holder
        try:
            yield
        finally:
            if own:
                app.state.holder.close()

    app = _App(
        title="CCHC search",
        summary="Search, compare and cite Vietnamese administrative-reform (CCHC) plans.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.access = Access.from_settings(settings)  # a bad token hash: refused here
    app.state.allowed_hosts = settings.allowed_hosts or default_allowed_hosts(settings.host)
    app.state.metrics = Metrics(app)  # GET /metrics; one registry per app
    install_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
