"""The index directory: generations, the shared catalog, ``CURRENT``, manifests, durability.

Format 2 (this version)::

    INDEX/catalog.sqlite (+ -wal, -shm)   the one catalog, WAL mode, updated in place
    INDEX/CURRENT                         hint: the live generation's name (for hot swap)
    INDEX/build.lock
    INDEX/gen-<UTC time>-<rand>/          manifest.json, vectors.faiss, lexical/

The live generation is the one the catalog's ``meta.generation`` names; a build writes the
new generation directory, fsyncs it, and records its name in the same SQLite transaction as
the catalog rows, so the commit switches both at once. ``CURRENT`` is rewritten after the
commit (atomically: write ``CURRENT.tmp``, fsync, ``os.replace``, fsync the directory) to
tell a running service to swap; a build that finds it stale rewrites it. Format 1 kept a
full copy of the catalog inside each generation; ``legacy_generation`` recognises it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import IndexFormatError, IndexNotFoundError

FORMAT_VERSION = 2
CURRENT = "CURRENT"
LOCK = "build.lock"
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
VECTORS = "vectors.faiss"
LEXICAL = "lexical"
DIACRITICS = "diacritics.json"  # folded run → usual written form (indexer.text.diacritics)
GEN_PREFIX = "gen-"


def new_generation_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"


def current_generation(index_dir: Path) -> str | None:
    """Name of the live generation, or None when the directory holds no index yet."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def not_found(index_dir: Path) -> IndexNotFoundError:
    """The one-line error for a directory without a (committed) index."""
    return IndexNotFoundError(
        f"no index at {index_dir} — build one with: python -m indexer build "
        f"--corpus CORPUS --index {index_dir}"
    )


def legacy_generation(index_dir: Path) -> Path | None:
    """The live generation of a format-1 index (its own catalog inside), else None.

    Only meaningful when the shared catalog names no live generation."""
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    if name is None:
        return None
    gen = index_dir / name
    return gen if (gen / CATALOG).is_file() and (gen / MANIFEST).is_file() else None


def old_format(index_dir: Path, version: object = 1) -> IndexFormatError:
    """The one-line error for an index this version cannot read."""
    return IndexFormatError(
        f"index at {index_dir} has format {version} (this version reads format "
        f"{FORMAT_VERSION}) — rebuild it: make index, or python -m indexer build "
        f"--corpus CORPUS --index {index_dir}"
    )


def read_manifest(gen_dir: Path) -> dict:
    return json.loads((Path(gen_dir) / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(gen_dir: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False)
    (Path(gen_dir) / MANIFEST).write_text(text + "\n", encoding="utf-8")


def fsync_tree(path: Path) -> None:
    """fsync every file and directory under ``path`` (and ``path`` itself)."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_current(index_dir: Path, gen_name: str) -> None:
    """Point ``CURRENT`` at ``gen_name`` atomically and durably."""
    index_dir = Path(index_dir)
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen_name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)


def generations(index_dir: Path) -> list[str]:
    return sorted(
        p.name for p in Path(index_dir).iterdir() if p.is_dir() and p.name.startswith(GEN_PREFIX)
    )


def remove_generations(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete every generation directory not in ``keep`` (partial or superseded)."""
    removed = []
    for name in generations(index_dir):
        if name not in keep:
            shutil.rmtree(Path(index_dir) / name, ignore_errors=True)
            removed.append(name)
    return removed
