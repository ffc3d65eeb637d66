"""The live index of a running service, swapped to a new generation without restart.

``IndexHolder`` opens the live generation (the one the catalog's last commit names) and the
embedding model the index was built with, once per process. On each request it stats
``CURRENT`` (the change signal a build rewrites after its commit; at most every
``reload_interval`` seconds); when it changed, one request thread opens a new reader beside the
old one and swaps a single reference if it is on another generation. Requests hold a *lease* on the
snapshot they started with, so an in-flight request finishes on the old generation; a
replaced snapshot is closed once no lease holds it and ``reader_grace`` seconds have passed.
The model is cached by name, so a new generation built with the same model does not reload it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import IndexNotFoundError
from service.live.answers import AnswerCache
from service.live.damage import damaged_part, for_clients, with_path
from service.search import FusionParams, Searcher
from service.search.query_cost import QueryBudget

if TYPE_CHECKING:
    from indexer.embeddings import Embedder
    from indexer.store import Reader
from service.settings import Settings

log = logging.getLogger(__name__)


@dataclass(slots=True, eq=False)
class Snapshot:
    """One open generation: its reader, the query embedder and a searcher over both."""

    generation: str
    reader: Reader
    embedder: Embedder
    searcher: Searcher
    answers: AnswerCache = field(default_factory=AnswerCache)  # coverage, … of this generation
    leases: int = 0
    retired_at: float | None = None
    closed: bool = field(default=False)

    @property
    def model_name(self) -> str:
        return str(self.reader.manifest.get("model", {}).get("name", ""))


def _open_reader(index_dir: Path) -> Reader:
    from indexer.store import IndexReader

    return IndexReader.open(index_dir)


def _load_embedder(manifest: dict, model: str | None) -> Embedder:
    from indexer.embeddings import embedder_for_index, load_embedder

    return embedder_for_index(manifest) if model is None else load_embedder(model)


class IndexHolder:
    """Gives the current snapshot; swaps generations when ``CURRENT`` changes."""

    def __init__(
        self,
        settings: Settings,
        *,
        open_reader: Callable[[Path], Reader] = _open_reader,
        load_embedder: Callable[[dict, str | None], Embedder] = _load_embedder,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self.index_dir = Path(settings.index_dir)
        self._open_reader = open_reader
        self._load_embedder = load_embedder
        self._clock = clock
        self._swap_lock = threading.Lock()  # one thread opens a new generation at a time
        self._lease_lock = threading.Lock()  # guards lease counts and the retired list
        self._embedders: dict[str, Embedder] = {}
        self._retired: list[Snapshot] = []
        self._snapshot: Snapshot | None = None
        self._signature: tuple | None = None
        self._next_check = 0.0
        self._unavailable: IndexNotFoundError | None = None  # the 503 while none is open
        self.swaps = 0

    # -- opening ---------------------------------------------------------------------------
    def open(self, missing_ok: bool = False) -> IndexHolder:
        """Open the live generation now (raises IndexNotFoundError / ModelMismatchError).

        With ``missing_ok``, a missing index is not an error: the holder starts empty (requests
        get IndexNotFoundError, a 503) and opens the index as soon as a build writes CURRENT.
        """
        self._signature = self._current_signature()
        self._next_check = self._clock() + self.settings.reload_interval
        try:
            self._snapshot = self._build_snapshot()
        except IndexNotFoundError as exc:
            if not missing_ok:
                raise
            # no server path in the message clients see; the log line has it
            part = damaged_part(exc)
            if part is not None:
                self._unavailable = for_clients(part)
                log.error("answering 503 until the index is repaired: %s", exc)
            else:
                self._unavailable = IndexNotFoundError(
                    "no index yet — build one with `make index` (python -m indexer build); "
                    "the service picks it up without restart"
                )
                log.warning("serving without an index until a build completes: %s", exc)
        return self

    def _current_signature(self) -> tuple | None:
        try:
            st = os.stat(self.index_dir / "CURRENT")
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _embedder_for(self, manifest: dict) -> Embedder:
        """The query embedder for ``manifest``'s vectors, loaded once per distinct model."""
        from indexer.embeddings import ensure_same_model

        wanted = self.settings.model
        model = manifest.get("model") or {}
        key = json.dumps(model, sort_keys=True) if wanted is None else f"explicit:{wanted}"
        if key not in self._embedders:
            embedder = self._load_embedder(manifest, wanted)
            if getattr(self.settings, "query_batching", False):
                from indexer.embeddings.batching import BatchingEmbedder

                embedder = BatchingEmbedder(embedder, lanes=os.cpu_count() or 1)
            self._embedders[key] = embedder
        embedder = self._embedders[key]
        if wanted is not None:  # a model named in the settings must be the index's own
            ensure_same_model(manifest, embedder, self.index_dir)
        return embedder

    def _build_snapshot(self) -> Snapshot:
        if not self.index_dir.is_dir():
            raise IndexNotFoundError(
                f"{self.index_dir}: no index here — build one with "
                f"`python -m indexer build --corpus corpus --index {self.index_dir}`"
            )
        try:
            reader = self._open_reader(self.index_dir)
        except sqlite3.DatabaseError as exc:  # damage the reader did not name: the catalog
            raise with_path(self.index_dir, exc) from None
        try:
            embedder = self._embedder_for(reader.manifest)
            budget = QueryBudget.for_embedder(embedder, self.settings.max_query_tokens)
            params = FusionParams.from_settings(self.settings)
            searcher = Searcher(reader, embedder, params, budget=budget)
        except BaseException:
            reader.close()
            raise
        return Snapshot(reader.generation, reader, embedder, searcher)

    # -- serving ---------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            gone = self._unavailable or IndexNotFoundError("the index is not open")
            raise type(gone)(str(gone))  # a fresh exception each time
        return self._snapshot

    def current(self) -> Snapshot:
        """The snapshot to use now (after a cheap check for a new generation)."""
        self.maybe_reload()
        return self.snapshot

    @contextmanager
    def lease(self) -> Iterator[Snapshot]:
        """Use the current snapshot for one request; it stays open until released."""
        self.maybe_reload()
        with self._lease_lock:
            snap = self.snapshot
            snap.leases += 1
        try:
            yield snap
        finally:
            with self._lease_lock:
                snap.leases -= 1
            self._reap()

    def maybe_reload(self, force: bool = False) -> bool:
        """Swap to the generation CURRENT names if it changed; True when a swap happened."""
        now = self._clock()
        if not force and now < self._next_check:
            return False
        if not self._swap_lock.acquire(blocking=force):
            return False  # another thread is swapping: serve the current snapshot meanwhile
        try:
            self._next_check = now + self.settings.reload_interval
            signature = self._current_signature()
            if signature is None or (signature == self._signature and not force):
                return False
            self._signature = signature
            name = (self.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
            if self._snapshot is not None and name == self._snapshot.generation:
                return False
            try:
                fresh = self._build_snapshot()
            except Exception as exc:  # damaged or unreadable: keep serving the old generation
                line = " ".join(str(exc).split()) or type(exc).__name__
                log.warning(
                    "cannot open new generation %s, still serving the old one: %s", name, line
                )
                return False
            if self._snapshot is not None and fresh.generation == self._snapshot.generation:
                _close(fresh)  # CURRENT is only a hint: the catalog still names this one
                return False
            with self._lease_lock:
                old, self._snapshot = self._snapshot, fresh
                if old is not None:
                    old.retired_at = now
                    self._retired.append(old)
            self.swaps += 1
            log.info("swapped to generation %s", fresh.generation)
        finally:
            self._swap_lock.release()
        self._reap()
        return True

    def _reap(self) -> None:
        """Close replaced snapshots no request holds, once their grace period is over."""
        now = self._clock()
        with self._lease_lock:
            done = [
                s
                for s in self._retired
                if s.leases == 0 and now - (s.retired_at or now) >= self.settings.reader_grace
            ]
            self._retired = [s for s in self._retired if s not in done]
        for snap in done:
            _close(snap)

    def close(self) -> None:
        """Close every open generation (at shutdown)."""
        with self._lease_lock:
            snaps = [*self._retired, *([self._snapshot] if self._snapshot else [])]
            self._retired, self._snapshot = [], None
        for snap in snaps:
            _close(snap)


def _close(snap: Snapshot) -> None:
    if not snap.closed:
        snap.closed = True
        try:
            snap.searcher.close()  # its worker threads
            snap.reader.close()
        except Exception:  # closing must never take the service down
            log.exception("closing generation %s failed", snap.generation)
