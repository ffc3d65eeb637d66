"""Pydantic response models: the API edge only (the core uses dataclasses)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. invalid_request.")
    message: str = Field(description="One line: what went wrong and what to do.")


class ErrorOut(BaseModel):
    error: ErrorDetail


class HealthOut(BaseModel):
    status: str = Field(description='"ok" when an index generation is open.')
    generation: str = Field(description="Name of the live index generation directory.")
    model: str = Field(description="Embedding model the index was built with.")
    counts: dict[str, int] = Field(description="Documents, paragraphs, … in the index.")


class ReadingOut(BaseModel):
    method: str = Field(
        description='"text" (a text layer or a text format), "ocr" (some or all pages read by '
        'OCR from a scan), "converted" (.doc/.rtf through LibreOffice).'
    )
    source_format: str = Field(description='"pdf", "pdf+ocr", "docx", "doc", "rtf", "md", …')
    pages: int | None = Field(None, description="A PDF's pages.")
    ocr_pages: list[int] = Field(default_factory=list, description="Pages read by OCR (1-based).")
    ocr_confidence: float | None = Field(
        None, description="Tesseract's mean word confidence on those pages, 0–100."
    )


class DocumentSummary(BaseModel):
    id: str
    unit: str | None = None
    province: str | None = None
    year: int | None = None
    title: str | None = None
    kind: str | None = None
    number: str | None = None
    date: str | None = None
    n_paragraphs: int = Field(description="Number of paragraphs in the plan.")
    reading: ReadingOut = Field(description="How the file's text was obtained.")


class DocumentList(BaseModel):
    total: int
    documents: list[DocumentSummary]


class ParagraphOut(BaseModel):
    id: str
    ordinal: int
    section: str = Field(description='Heading path joined with " › ".')
    kind: str = Field(description="heading | item | text | task")
    text: str


class TaskOut(BaseModel):
    number: int
    task: str
    products: str
    timeline: str
    responsible: str


class DocumentOut(DocumentSummary):
    path: str | None = None
    sha256: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    paragraphs: list[ParagraphOut] = Field(description="The plan's paragraphs, in order.")
    tasks: list[TaskOut]


class AlsoOut(BaseModel):
    paragraph_id: str
    doc_id: str
    unit: str | None = None
    year: int | None = None


class SearchHitOut(BaseModel):
    paragraph_id: str
    doc_id: str
    unit: str | None = None
    year: int | None = None
    province: str | None = None
    section: str
    kind: str
    text: str
    score: float = Field(description="Fused score; higher is better (compare within a query).")
    snippet: str = Field(description="HTML-escaped excerpt, query words in <mark>…</mark>.")
    dense_score: float | None = Field(None, description="Cosine similarity (debugging).")
    lexical_score: float | None = Field(None, description="BM25 score (debugging).")
    also: list[AlsoOut] = Field(
        default_factory=list,
        description="Near-identical paragraphs of other documents folded into this hit.",
    )
    relevance: float | None = Field(
        None, description="Cosine between the query and the paragraph (the floor reads it)."
    )
    level: str | None = Field(
        None,
        description='"high", "medium" or "low" (low: close but below the relevance floor, '
        '"gần đúng"); null when no floor applies (lexical mode, an uncalibrated model).',
    )


class SearchOut(BaseModel):
    query: str
    total: int = Field(description="Number of results returned.")
    answered: bool | None = Field(
        None,
        description="Whether any result is above the relevance floor (false: nothing "
        "relevant was found, the results are only the closest); null when no floor applies.",
    )
    results: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Paragraphs per unit, year, province and document kind among the candidates "
        "the results were chosen from (up to `candidates` per retriever), most frequent first.",
    )


def json_bytes(model: type[BaseModel], data: dict[str, Any]) -> bytes:
    """``data`` validated by its response model, as the JSON bytes an answer is served as
    (kept beside a cached answer: shaping a large one costs more than computing it again)."""
    return model(**data).model_dump_json().encode("utf-8")
