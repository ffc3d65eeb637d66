"""The build against hostile or broken input (issue 13): every case is made here, on real
plan text, and reproduces a failure the build had before.

* links leading outside the corpus are refused (opt-in ``follow_links``); broken links, FIFOs
  and names that are not UTF-8 get one line each;
* one bad input never stops the build: bad sidecars (one line per bad field), a reader bug,
  a zip bomb, a document of too many paragraphs, identical content under two names;
* a file replaced while it is parsed is stored with the content that was parsed;
* damaged index files end in one line naming the part and the repair; ``--rebuild`` repairs;
* a full disk leaves the index as it was; a read-only index is served.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.errors import DiskFullError, IndexDamagedError
from indexer.parse import SUPPORTED_SUFFIXES
from indexer.scan import scan
from indexer.store import IndexReader
from indexer.store import manifest as mf

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "corpus" / "2025-ban-quan-ly-kkt-kcn-khanh-hoa.txt"


def _excerpt(n_chars: int = 2500, skip: int = 0) -> str:
    """A real plan's header and first lines, then (``skip``) a part of its body from that
    offset: a small document of real text, different for each ``skip``."""
    text = PLAN.read_text(encoding="utf-8")
    head = text[:1500].rsplit("\n", 1)[0] + "\n"
    if skip:
        body = text[skip : skip + n_chars]
        return head + body[body.find("\n") + 1 :].rsplit("\n", 1)[0] + "\n"
    return text[:n_chars].rsplit("\n", 1)[0] + "\n"


def _warned(tmp_path: Path, corpus: Path, **kw):
    lines: list[str] = []
    result = build_index(corpus, tmp_path / "index", quiet=True, warn=lines.append, **kw)
    return result, lines


def _one_line_about(lines: list[str], name: str) -> str:
    mine = [ln for ln in lines if name in ln]
    assert len(mine) == 1, (name, lines)
    assert "\n" not in mine[0] and " — " in mine[0], mine[0]  # what, where, what to do
    return mine[0]


# --- what the corpus may lead to ----------------------------------------------------------


@pytest.fixture()
def linked_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (corpus / "plan.txt").write_text(_excerpt(), encoding="utf-8")
    secret = outside / "secret.txt"
    secret.write_text(_excerpt(skip=3000), encoding="utf-8")
    (corpus / "looks-like-a-plan.txt").symlink_to(secret)
    (corpus / "outside-folder").symlink_to(outside, target_is_directory=True)
    (corpus / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "inside-link.txt").symlink_to(corpus / "plan.txt")
    os.mkfifo(corpus / "pipe.txt")
    bad_name = os.fsencode(corpus) + b"/caf\xe9-plan.txt"
    with open(bad_name, "wb") as fh:
        fh.write(_excerpt(skip=6000).encode("utf-8"))
    return corpus


def test_scan_refuses_what_leads_outside(linked_corpus):
    found = scan(linked_corpus, SUPPORTED_SUFFIXES)
    assert [p.name for p in found.files] == ["inside-link.txt", "plan.txt"]
    refused = dict(found.refused)
    assert "outside the corpus" in refused["looks-like-a-plan.txt"]
    assert "outside the corpus" in refused["outside-folder"]
    assert "broken link" in refused["broken.txt"]
    assert "FIFO" in refused["pipe.txt"]
    assert any("not valid UTF-8" in line for line in refused.values())
    followed = scan(linked_corpus, SUPPORTED_SUFFIXES, follow_links=True)
    assert "looks-like-a-plan.txt" in [p.name for p in followed.files]
    assert "secret.txt" in [p.name for p in followed.files]  # the folder link, followed


@pytest.mark.slow
def test_build_indexes_nothing_outside_and_says_so(linked_corpus, tmp_path):
    result, lines = _warned(tmp_path, linked_corpus)
    for name in ("looks-like-a-plan.txt", "outside-folder", "broken.txt", "pipe.txt"):
        _one_line_about(lines, name)
    assert any("UTF-8" in ln for ln in lines)
    # the link inside the corpus has the same content as plan.txt: indexed once, said so
    assert "same content as" in _one_line_about(lines, "inside-link.txt")
    with IndexReader.open(tmp_path / "index") as reader:
        assert [d.path for d in reader.documents()] == ["plan.txt"]
        hits = reader.lexical_search("cải cách hành chính", 50)
        docs = {p.doc_id for p in reader.paragraphs_by_rowid([r for r, _ in hits]).values()}
        assert docs == {"plan"}
    assert result.documents == 1


# --- one bad input never stops the build -------------------------------------------------


def _bomb_docx(path: Path, inflated_mb: int) -> None:
    """A DOCX whose document part inflates to ``inflated_mb`` MB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (inflated_mb * 1024 * 1024))
    path.write_bytes(buf.getvalue())


@pytest.mark.slow
def test_one_bad_input_never_stops_the_build(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = _excerpt()
    (corpus / "good.txt").write_text(good, encoding="utf-8")
    (corpus / "same-as-good.txt").write_text(good, encoding="utf-8")
    sidecars = {
        "list-unit": {"unit": ["Sở Nội vụ"]},
        "huge-year": {"year": 1e23, "kind": 5},
        "negative-year": {"year": -5},
        "unknown-field": {"unit": "Sở Nội vụ", "colour": "red"},
    }
    for k, (stem, side) in enumerate(sidecars.items()):
        (corpus / f"{stem}.txt").write_text(_excerpt(skip=3000 * (k + 1)), encoding="utf-8")
        (corpus / f"{stem}.meta.json").write_text(json.dumps(side), encoding="utf-8")
    long_stem = "k" * (255 - len(".txt"))  # a legal name; its sidecar's would be too long
    (corpus / f"{long_stem}.txt").write_text(_excerpt(skip=16000), encoding="utf-8")
    _bomb_docx(corpus / "bomb.docx", inflated_mb=3)
    shutil.copy(PLAN, corpus / "endless.txt")  # a whole plan: over the paragraph limit set below
    (corpus / "crashes.txt").write_text(_excerpt(skip=20000), encoding="utf-8")
    monkeypatch.setenv("CCHC_MAX_UNCOMPRESSED_MB", "2")
    monkeypatch.setenv("CCHC_MAX_PARAGRAPHS", "60")

    import indexer.parse as parse_module

    real_parse = parse_module.parse_data

    def parse(path, *args, **kw):
        if path.name == "crashes.txt":
            raise KeyError("a bug in a reader")
        return real_parse(path, *args, **kw)

    monkeypatch.setattr(parse_module, "parse_data", parse)
    _read_in_this_process(monkeypatch)
    result, lines = _warned(tmp_path, corpus)

    assert sorted(d for d in result.to_dict()["skipped_files"]) == sorted(
        [
            "same-as-good.txt",
            "list-unit.txt",
            "huge-year.txt",
            "negative-year.txt",
            "unknown-field.txt",
            "bomb.docx",
            "endless.txt",
            "crashes.txt",
        ]
    )
    assert "'unit'" in _one_line_about(lines, "list-unit")
    huge = [ln for ln in lines if "huge-year" in ln]
    assert (
        len(huge) == 2 and any("'year'" in ln for ln in huge) and any("'kind'" in ln for ln in huge)
    )
    assert "greater than or equal to 1900" in _one_line_about(lines, "negative-year")
    assert "colour" in _one_line_about(lines, "unknown-field")
    assert "CCHC_MAX_UNCOMPRESSED_MB" in _one_line_about(lines, "bomb.docx")
    assert "CCHC_MAX_PARAGRAPHS" in _one_line_about(lines, "endless.txt")
    assert "KeyError" in _one_line_about(lines, "crashes.txt")
    assert "same content as good.txt" in _one_line_about(lines, "same-as-good.txt")
    with IndexReader.open(tmp_path / "index") as reader:
        paths = sorted(d.path for d in reader.documents())
    assert paths == sorted(["good.txt", f"{long_stem}.txt"])


def test_sidecar_model_has_every_field_of_the_metadata():
    import dataclasses

    from indexer.model import DocumentMeta
    from indexer.sidecar import SidecarMeta

    assert set(SidecarMeta.model_fields) == {f.name for f in dataclasses.fields(DocumentMeta)}


@pytest.mark.slow
class _InThisProcess:
    """A build's files read in the test's own process, so that what a test plants in the
    readers is met (a worker process imports the real readers; the worker itself is tested
    in tests/test_bounded_reading.py)."""

    def __init__(self, *args, **kw):
        pass

    def __enter__(self):
        from indexer.pipeline.jobs import parse_job

        return lambda job, progress=None: parse_job(job)

    def __exit__(self, *exc):
        return None


def _read_in_this_process(monkeypatch) -> None:
    import indexer.pipeline.local as local_executor

    monkeypatch.setattr(local_executor, "BoundedReader", _InThisProcess)


def test_a_file_replaced_while_parsed_is_stored_as_parsed(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path = corpus / "plan.txt"
    old, new = _excerpt(), _excerpt(skip=5000)
    path.write_text(old, encoding="utf-8")

    from indexer.readers import READERS

    real = READERS[".txt"]

    def replaced_meanwhile(p, data=None):
        p.write_text(new, encoding="utf-8")  # another program saves a new version now
        return real(p, data)

    monkeypatch.setitem(READERS, ".txt", replaced_meanwhile)
    _read_in_this_process(monkeypatch)
    build_index(corpus, tmp_path / "index", quiet=True, warn=lambda _: None)
    monkeypatch.setitem(READERS, ".txt", real)
    with IndexReader.open(tmp_path / "index") as reader:
        (doc,) = reader.documents()
        assert doc.sha256 == hashlib.sha256(old.encode()).hexdigest()
    result = build_index(corpus, tmp_path / "index", quiet=True, warn=lambda _: None)
    assert result.updated == 1  # the next build sees the new version
    with IndexReader.open(tmp_path / "index") as reader:
        (doc,) = reader.documents()
        assert doc.sha256 == hashlib.sha256(new.encode()).hexdigest()


# --- damaged index files, a full disk, a read-only index --------------------------------


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(_excerpt(), encoding="utf-8")
    build_index(corpus, root / "index", quiet=True)
    return corpus, root / "index"


def _damage(index: Path, case: str) -> str:
    gen = mf.current_generation(index)
    target = {
        "catalog-random": index / mf.CATALOG,
        "catalog-truncated": index / mf.CATALOG,
        "manifest-cut": index / gen / mf.MANIFEST,
        "vectors-truncated": index / gen / mf.VECTORS,
        "lexical-missing": index / gen / mf.LEXICAL,
    }[case]
    if case == "catalog-random":
        target.write_bytes(os.urandom(40000))
    elif case == "lexical-missing":
        shutil.rmtree(target)
    else:
        size = target.stat().st_size
        with open(target, "r+b") as fh:
            fh.truncate(size // 3)
    for side in ("-wal", "-shm"):
        (index / (mf.CATALOG + side)).unlink(missing_ok=True)
    return {"catalog": mf.CATALOG, "manifest": mf.MANIFEST, "vectors": mf.VECTORS}.get(
        case.split("-")[0], mf.LEXICAL
    )


CASES = [
    "catalog-random",
    "catalog-truncated",
    "manifest-cut",
    "vectors-truncated",
    "lexical-missing",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.slow
def test_damaged_index_one_line_and_repair(small_index, tmp_path, case):
    corpus, base = small_index
    index = tmp_path / "index"
    shutil.copytree(base, index)
    part = _damage(index, case)
    with pytest.raises(IndexDamagedError) as err:
        IndexReader.open(index)
    msg = str(err.value)
    assert part in msg and "--rebuild" in msg and "\n" not in msg
    lines: list[str] = []
    if case.startswith(("catalog", "manifest")):
        with pytest.raises(IndexDamagedError, match="--rebuild"):
            build_index(corpus, index, quiet=True, warn=lines.append)
        build_index(corpus, index, quiet=True, rebuild=True, warn=lines.append)
    else:  # derived from the catalog: rebuilt by the next build, with a line
        build_index(corpus, index, quiet=True, warn=lines.append)
        assert any(part in ln and "rebuilt" in ln for ln in lines), lines
    with IndexReader.open(index) as reader:
        assert reader.lexical_search("cải cách hành chính", 3)
        assert len(reader.documents()) == 1


@pytest.mark.slow
def test_damaged_index_cli_prints_one_line(small_index, tmp_path):
    corpus, base = small_index
    index = tmp_path / "index"
    shutil.copytree(base, index)
    _damage(index, "catalog-random")
    for argv in (
        ["-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index), "--quiet"],
        ["-m", "service", "search", "cải cách", "--index", str(index)],
    ):
        run = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=REPO)
        assert run.returncode != 0
        assert "Traceback" not in run.stderr
        errors = [ln for ln in run.stderr.splitlines() if ln.strip()]
        assert len(errors) == 1 and "catalog.sqlite is damaged" in errors[0], run.stderr


@pytest.mark.slow
def test_full_disk_leaves_the_index_as_it_was(small_index, tmp_path, monkeypatch):
    corpus, base = small_index
    index = tmp_path / "index"
    shutil.copytree(base, index)
    before = mf.current_generation(index)
    grown = tmp_path / "corpus"
    shutil.copytree(corpus, grown)
    (grown / "second.txt").write_text(_excerpt(skip=4000), encoding="utf-8")

    def no_space(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mf, "write_manifest", no_space)
    with pytest.raises(DiskFullError, match="no space left"):
        build_index(grown, index, quiet=True, warn=lambda _: None)
    assert mf.current_generation(index) == before
    with IndexReader.open(index) as reader:
        assert [d.path for d in reader.documents()] == ["plan.txt"]


def _read_only_copy(base: Path, tmp_path: Path) -> tuple[Path, callable]:
    """A read-only view of an index: a read-only bind mount (root), else chmod (a user)."""
    index = tmp_path / "index"
    shutil.copytree(base, index)
    view = tmp_path / "ro"
    view.mkdir()
    if os.geteuid() == 0:
        mount = subprocess.run(
            ["mount", "--bind", "-o", "ro", str(index), str(view)], capture_output=True
        )
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True)
        if mount.returncode or remount.returncode:  # no mount privilege here (root ignores chmod)
            subprocess.run(["umount", str(view)], capture_output=True)
            pytest.skip("a read-only view needs a bind mount, which this machine refuses")
        return view, lambda: subprocess.run(["umount", str(view)])
    for p in [index, *index.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)
    return index, lambda: None


@pytest.mark.slow
def test_read_only_index_is_served(small_index, tmp_path):
    _corpus, base = small_index
    view, release = _read_only_copy(base, tmp_path)
    try:
        with pytest.raises(OSError):
            (view / "probe").write_text("x")
        with pytest.raises(sqlite3.OperationalError):
            sqlite3.connect(view / mf.CATALOG).execute("CREATE TABLE t (x)")
        from tests.http import app_client

        with app_client(view) as client:
            resp = client.get("/search", params={"q": "cải cách hành chính"})
            assert resp.status_code == 200, resp.text
            assert resp.json()["results"]
    finally:
        release()
