"""Build-side figures on the real corpus: parse, segment, embed, the whole pipeline, and an
incremental run after adding one real plan to a large (synthetic) index."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

EMBED_BATCH = 16  # what indexer.build uses


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 2) if seconds > 0 else float("inf")


def embed_seconds(embedder, texts: list[str], batch: int = EMBED_BATCH) -> float:
    """Wall time of the embedder alone on ``texts``, in the build's batch size."""
    t0 = time.perf_counter()
    for start in range(0, len(texts), batch):
        embedder.embed_passages(texts[start : start + batch])
    return time.perf_counter() - t0


def pipeline_figures(corpus: Path, embedder, work: Path, embed_limit: int | None = None) -> dict:
    """Paragraphs/s of parse_file, pyvi segmentation, the embedder and ``build_index``.

    The embedder is timed three ways on the same paragraphs, one after the other: their own
    texts alone (one vector per paragraph, ``embed_text_per_s``); what the build embeds now
    (their texts and their documents' context sources — titles, headings that are not
    paragraphs: ``indexer.embeddings.context``; ``embed_per_s``); and what it embedded until
    2026-12-06 (each text and the same in context, ``passage_context``: ``embed_before_per_s``).
    ``embed_limit`` (quick runs) embeds only the first N paragraphs for the embedder figures;
    the pipeline always indexes the whole corpus.
    """
    from indexer.build import build_index
    from indexer.parse import discover, parse_file
    from indexer.text import segment

    files = discover(corpus)
    t0 = time.perf_counter()
    docs = [parse_file(p, corpus) for p in files]
    parse_s = time.perf_counter() - t0
    texts = [p.text for d in docs for p in d.paragraphs]
    t0 = time.perf_counter()
    for t in texts:
        segment(t)
    seg_s = time.perf_counter() - t0
    sample = texts[:embed_limit] if embed_limit else texts
    share = len(sample) / max(1, len(texts))
    sources = _sources(docs)
    sources = sources[: max(1, round(share * len(sources)))] if sources else []
    text_s = embed_seconds(embedder, sample)
    now_s = text_s + embed_seconds(embedder, sources)
    before_s = text_s + embed_seconds(embedder, [c for c in _contexts(docs)[: len(sample)] if c])
    index_dir = work / "real-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    res = build_index(corpus, index_dir, embedder=embedder, quiet=True)
    pipe_s = time.perf_counter() - t0
    embed_rate = _rate(len(sample), now_s)
    pipe_rate = _rate(res.paragraphs, pipe_s)
    return {
        "documents": len(docs),
        "paragraphs": len(texts),
        "parse_per_s": _rate(len(texts), parse_s),
        "segment_per_s": _rate(len(texts), seg_s),
        "embed_per_s": embed_rate,
        "embed_text_per_s": _rate(len(sample), text_s),
        "embed_before_per_s": _rate(len(sample), before_s),
        "context_texts": len(sources),
        "embed_sample": len(sample),
        "pipeline_per_s": pipe_rate,
        "pipeline_seconds": round(pipe_s, 2),
        "pipeline_embedded": res.embedded + res.embedded_context,
        "pipeline_vs_embedder": round(pipe_rate / embed_rate, 3),
        "pipeline_vs_one_vector": round(pipe_rate / _rate(len(sample), text_s), 3),
        "index_dir": str(index_dir),
    }


def incremental_figures(index_dir: Path, corpus_dir: Path, plan: Path, embedder) -> dict:
    """Copy one real plan into ``corpus_dir`` and time ``build_index`` (incremental) against
    the time the embedder alone takes for that plan's paragraphs; ``stage_seconds`` is the
    build's own breakdown (parse, catalog rows, embed, ANN, lexical, manifest+fsync, commit,
    CURRENT, checkpoint, cleanup)."""
    from indexer.build import build_index
    from indexer.parse import parse_file
    from indexer.store import manifest as mf

    doc = parse_file(plan, plan.parent)
    texts = [p.text for p in doc.paragraphs]
    # what the build embeds for the plan: each paragraph's text and its context sources
    embed_only = embed_seconds(embedder, texts + _sources([doc]))
    shutil.copy2(plan, corpus_dir / plan.name)
    t0 = time.perf_counter()
    res = build_index(corpus_dir, index_dir, embedder=embedder, quiet=True)
    inc_s = time.perf_counter() - t0
    gen = index_dir / res.generation
    return {
        "plan": plan.name,
        "plan_paragraphs": len(texts),
        "index_paragraphs": res.paragraphs,
        "incremental_seconds": round(inc_s, 2),
        "embed_plan_seconds": round(embed_only, 2),
        "ratio": round(inc_s / embed_only, 3),
        "overhead_seconds": round(inc_s - res.stages.get("embed", 0.0), 2),
        "stage_seconds": {k: round(v, 2) for k, v in res.stages.items()},
        "generation_mb": round(_size(gen) / 2**20, 1),
        "catalog_mb": round(_size(index_dir, mf.CATALOG + "*") / 2**20, 1),
        "added": res.added,
        "embedded": res.embedded,
        "unchanged": res.unchanged,
    }


def _sources(docs) -> list[str]:
    from indexer.embeddings.context import context_sources

    return [t for d in docs for t in context_sources(d.meta.title, d.paragraphs)]


def _contexts(docs) -> list[str | None]:
    from indexer.text.analyze import passage_context

    return [passage_context(d.meta.title, p.section, p.text) for d in docs for p in d.paragraphs]


def _size(path: Path, pattern: str = "**/*") -> int:
    return sum(p.stat().st_size for p in path.glob(pattern) if p.is_file())


def tmp_workdir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=root))
