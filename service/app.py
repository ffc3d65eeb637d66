"""The FastAPI application factory.

``create_app(settings)`` builds a fresh app; its lifespan opens the index (``IndexHolder``)
once and closes it at shutdown. Routers come from ``ROUTERS``: one dotted module name per
line, each module exposing ``router``.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.errors import install_error_handlers
from service.settings import Settings
from service.state import IndexHolder

ROUTERS = [
    "service.routes.health",
    "service.routes.documents",
    "service.routes.search",
    "service.routes.compare",
    "service.routes.mentions",
    "service.routes.pages",
]


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

    app = FastAPI(
        title="CCHC search",
        summary="Search, compare and cite Vietnamese administrative-reform (CCHC) plans.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    return app
