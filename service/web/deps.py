"""Request dependencies: settings, the index holder, a leased snapshot of the live index, and
``OnIndex``: work on the live index within the request time limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from service.live.holder import IndexHolder, Snapshot
from service.settings import Settings
from service.web.timeout import run_bounded

T = TypeVar("T")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


def get_snapshot(holder: Annotated[IndexHolder, Depends(get_holder)]) -> Iterator[Snapshot]:
    """The generation this request uses from start to end (even if a swap happens meanwhile)."""
    with holder.lease() as snap:
        yield snap


class RunOnIndex:
    """``await on_index(fn)``: ``fn(snapshot)`` on a worker thread within the settings'
    ``request_timeout`` and while the client stays connected (``run_bounded``: a 503 past the
    limit, the work cancelled at its next checkpoint). The lease on the live generation is
    taken on the worker thread and held until ``fn`` returns, so a swap meanwhile does not
    close the generation under the work; whatever ``fn`` returns must not need the snapshot
    after that (shape JSON or a file inside ``fn``)."""

    def __init__(self, request: Request, settings: Settings):
        self.request = request
        self.settings = settings

    @property
    def holder(self) -> IndexHolder:
        """Read when the work starts, not when the dependency is made (a page without an
        open holder answers its own page; see ``pages``)."""
        return self.request.app.state.holder

    async def __call__(self, fn: Callable[[Snapshot], T]) -> T:
        holder = self.holder

        def work() -> T:
            with holder.lease() as snap:
                return fn(snap)

        return await run_bounded(self.request, self.settings.request_timeout, work)


def get_on_index(
    request: Request, settings: Annotated[Settings, Depends(get_settings)]
) -> RunOnIndex:
    return RunOnIndex(request, settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
OnIndex = Annotated[RunOnIndex, Depends(get_on_index)]
