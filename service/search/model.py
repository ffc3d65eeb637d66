"""The search's typed values: filters in, hits and results out (pydantic only at the API
edge, in ``service.web.schemas``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.search.facts import Answer
    from service.search.understanding import Understanding


@dataclass(slots=True)
class SearchFilters:
    """Restrict a search; None means "any"."""

    unit: str | None = None  # the unit's name or its short form ("UBND tỉnh Bắc Ninh")
    year: int | None = None
    province: str | None = None
    section: str | None = None
    doc_id: str | None = None
    kind: str | None = None  # "Kế hoạch", "Quyết định", …
    year_from: int | None = None  # a range of years, both ends included
    year_to: int | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(slots=True)
class SearchHit:
    """One ranked paragraph."""

    rowid: int
    paragraph_id: str
    doc_id: str
    unit: str | None
    year: int | None
    province: str | None
    section: str  # heading path joined with " › "
    kind: str
    text: str
    score: float  # fused score (or the single retriever's score in dense/lexical mode)
    snippet: str  # HTML-escaped, <mark> around query words
    dense_score: float | None = None  # cosine, when the dense retriever found it
    lexical_score: float | None = None  # BM25, when the lexical retriever found it
    also: list[dict[str, Any]] = field(default_factory=list)  # near-identical, other units
    relevance: float | None = None  # the query's cosine to this paragraph (.relevance)
    level: str | None = None  # "high" | "medium" | "low" ("gần đúng"); None: no floor

    def to_dict(self) -> dict[str, Any]:
        """Field → value, one level deep (``also`` is shared, not copied: ``asdict``'s deep
        copy of every hit was a third of the request's cost outside the search)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class SearchResult:
    query: str
    mode: str
    total: int  # number of hits returned
    hits: list[SearchHit]
    # paragraphs per unit / year / province among the candidates the hits were chosen from
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # whether any hit is relevant enough to answer the query (service.search.relevance); None when
    # the floor does not apply (lexical mode, or a model without a calibrated floor)
    answered: bool | None = None
    # what the query was understood as: its constraints and topic (None: not asked)
    understood: Understanding | None = None
    # a who / when / how-much question's answer read from the plans (service.search.facts);
    # None: the query is not such a question
    answer: Answer | None = None

    @property
    def relevant(self) -> list[SearchHit]:
        """The hits above the floor (all of them when no floor applies)."""
        return [h for h in self.hits if h.level != "low"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "answered": self.answered,
            "results": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "understood": self.understood.to_dict() if self.understood else None,
            "answer": self.answer.to_dict() if self.answer else None,
        }
