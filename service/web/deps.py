"""Request dependencies: settings, the index holder, and a leased snapshot of the live index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from service.live.holder import IndexHolder, Snapshot
from service.search import Searcher
from service.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


def get_snapshot(holder: Annotated[IndexHolder, Depends(get_holder)]) -> Iterator[Snapshot]:
    """The generation this request uses from start to end (even if a swap happens meanwhile)."""
    with holder.lease() as snap:
        yield snap


def get_searcher(snap: Annotated[Snapshot, Depends(get_snapshot)]) -> Searcher:
    return snap.searcher


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
