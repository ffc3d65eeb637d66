# mypy: disable-error-code="valid-type"
"""Pydantic response models: the API edge only (the cores use dataclasses). Every response
model of the API is here, grouped by job: errors and health, documents, search, compare,
coverage, cited documents and mentions, tasks across plans.

A model that serves a core's dataclass as it is is *derived* from it (``served``): its
fields, their types and their order are the dataclass's, so a field added to the dataclass is
in the schema too (or, where the answer orders its fields itself, stops the import until it is
placed). What the schema adds is said here: descriptions, which fields may be left out, and
the values an answer computes (a property such as ``share``). The models written out in full
are views that reshape their source (``DocumentOut``, ``SearchOut``, ``ComparedPlanOut``, …).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import operator
import types
import typing
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, create_model

from indexer.model import Reading, TaskRow
from service.compare.model import Comparison, DiffOp, Pair, SectionSummary, Summary, Topic
from service.coverage.model import (
    ROW_FIELDS,
    Cell,
    Change,
    CitationMatrix,
    CoverageMatrix,
    PlanColumn,
    Requirement,
    YearChanges,
)
from service.mentions import CITED_FIELDS, CitedDocument, Mention, MentionsResult
from service.search.facts import Fact
from service.search.model import SearchHit
from service.search.understanding import Constraint
from service.tasks.model import LINE_FIELDS, TaskLine, TaskTable

# a field's spec: Field(...), or (type, Field(...)); Any to mypy, as pydantic types Field(None)
# as None. (A derived model is a value to mypy, not a type: the file's first line lets the
# written-out models name one as a field's type.)
Spec = Any


def served(
    record: type,
    name: str,
    /,
    *,
    order: Sequence[str] | None = None,
    exclude: Collection[str] = (),
    nested: Mapping[type, type[BaseModel]] | None = None,
    **spec: Spec,
) -> type[BaseModel]:
    """The response model ``name`` of the dataclass ``record``: each of its fields but
    ``exclude`` with its type (a dataclass in ``nested`` served as its model there), in the
    dataclass's order or in ``order`` (which must then name every field served).

    ``spec`` gives a field its ``Field(...)``: its description, and a default when the answer
    may leave it out (a field without one is required); ``(type, Field(...))`` serves the
    field as another type, or adds a value the dataclass computes (a property). A spec for an
    excluded field is ignored, so two views of one record can share one table of fields."""
    names = [f.name for f in dataclasses.fields(record)]
    unknown = set(exclude) - set(names)
    if unknown:
        raise TypeError(f"{name}: {record.__name__} has no field {sorted(unknown)}")
    added = [n for n in spec if n not in names]
    for n in added:
        if not isinstance(spec[n], tuple):
            raise TypeError(f"{name}: {n!r} is not a field of {record.__name__}; give its type")
    fields = [n for n in names if n not in exclude] + added
    if order is not None:
        if sorted(order) != sorted(fields):
            missing, extra = set(fields) - set(order), set(order) - set(fields)
            raise TypeError(
                f"{name}: order must place every field served; "
                f"not placed: {sorted(missing)}, unknown: {sorted(extra)} "
                f"(exclude a field of {record.__name__} the answer leaves out)"
            )
        fields = list(order)
    hints = typing.get_type_hints(record)
    models: dict[str, Any] = {}
    for n in fields:
        given = spec.get(n)
        if isinstance(given, tuple):
            kind, info = given
        else:
            kind, info = _swap(hints[n], nested or {}), given or Field()
        models[n] = (kind, copy.copy(info))
    return create_model(name, __module__=__name__, **models)


def _swap(kind: Any, nested: Mapping[type, type[BaseModel]]) -> Any:
    """``kind`` with each dataclass of ``nested`` replaced by its model (in lists, dicts,
    tuples and unions as well)."""
    if isinstance(kind, type) and kind in nested:
        return nested[kind]
    origin, args = get_origin(kind), get_args(kind)
    if origin is None or origin is Literal or not args:
        return kind
    swapped = tuple(_swap(a, nested) for a in args)
    if swapped == args:
        return kind
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, swapped)
    return origin[swapped]


# -- errors and health ------------------------------------------------------------------------


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


# -- documents (GET /documents, /documents/{id}) ----------------------------------------------

ReadingOut = served(
    Reading,
    "ReadingOut",
    method=Field(
        description='"text" (a text layer or a text format), "ocr" (some or all pages read by '
        'OCR from a scan), "converted" (.doc/.rtf through LibreOffice).'
    ),
    source_format=Field(description='"pdf", "pdf+ocr", "docx", "doc", "rtf", "md", …'),
    pages=Field(None, description="A PDF's pages."),
    ocr_pages=Field(default_factory=list, description="Pages read by OCR (1-based)."),
    ocr_confidence=Field(
        None, description="Tesseract's mean word confidence on those pages, 0–100."
    ),
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


# the appendix columns added later (partners, budget, group) are not served (yet)
TaskOut = served(TaskRow, "TaskOut", exclude={"partners", "budget", "group"})


class DocumentOut(DocumentSummary):
    path: str | None = None
    sha256: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    paragraphs: list[ParagraphOut] = Field(description="The plan's paragraphs, in order.")
    tasks: list[TaskOut]


# -- search (GET /search) ---------------------------------------------------------------------


class AlsoOut(BaseModel):
    paragraph_id: str
    doc_id: str
    unit: str | None = None
    year: int | None = None


SearchHitOut = served(
    SearchHit,
    "SearchHitOut",
    exclude={"rowid"},  # the catalog's row: internal
    unit=Field(None),
    year=Field(None),
    province=Field(None),
    score=Field(description="Fused score; higher is better (compare within a query)."),
    snippet=Field(description="HTML-escaped excerpt, query words in <mark>…</mark>."),
    dense_score=Field(None, description="Cosine similarity (debugging)."),
    lexical_score=Field(None, description="BM25 score (debugging)."),
    also=(
        list[AlsoOut],
        Field(
            default_factory=list,
            description="Near-identical paragraphs of other documents folded into this hit.",
        ),
    ),
    relevance=Field(
        None, description="Cosine between the query and the paragraph (the floor reads it)."
    ),
    level=Field(
        None,
        description='"high", "medium" or "low" (low: close but below the relevance floor, '
        '"gần đúng"); null when no floor applies (lexical mode, an uncalibrated model).',
    ),
)


ConstraintOut = served(
    Constraint,
    "ConstraintOut",
    field=Field(description='"province", "unit", "year" or "kind".'),
    value=Field(description="What it asks for, as the index spells it (Đồng Tháp, Sở Y tế…)."),
    words=Field(description="The words of the query it was read from."),
    documents=Field(description="Documents of the index that satisfy it."),
    applied=Field(
        description='"preferred": its documents rank first (soft); "filter": only its '
        'documents were searched (`only`); "unmatched": no document satisfies it, its words '
        "were read as words."
    ),
)


class UnderstoodOut(BaseModel):
    topic: str = Field(description="The query without the constraints' words: what was searched.")
    constraints: list[ConstraintOut]
    applied: str = Field(
        description='"preferred", "unmatched" (no document meets any) or "none" (nothing named).'
    )


FactOut = served(
    Fact,
    "FactOut",
    exclude=("rowid",),  # the catalog's row: search's own, the paragraph's id is served
    kind=Field(description='"who", "when", "money", "frequency" or "target".'),
    text=Field(
        description="The answer as the document writes it (Sở Y tế, trước ngày 31/3/2026…)."
    ),
    doc_id=Field(description="The plan it was read from."),
    paragraph_id=Field(description="The paragraph that states it (open it with /doc/{doc_id})."),
    unit=Field(None),
    year=Field(None),
    source=Field(description="The sentence or task-row cell it was read from."),
    where=Field(description='"task row" (an appendix table\'s cell) or "sentence".'),
    normalized=Field(
        default_factory=dict,
        description="when: start/end dates (ISO) and recurring; money: amount_vnd.",
    ),
)


class AnswerOut(BaseModel):
    kind: str = Field(description="What the question asks: who, when, money, frequency, target.")
    found: bool = Field(description="False: no plan states it (the product does not guess).")
    facts: list[FactOut] = Field(description="One per plan, the best plan first (at most 3).")


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
    answer: AnswerOut | None = Field(
        None,
        description="For a who / when / how-much / how-often / what-target question, the "
        "answer read from the plans with its source paragraph; null for other queries.",
    )
    understood: UnderstoodOut | None = Field(
        None,
        description="What the query names besides its topic (place, unit, year, kind) and how "
        "it was applied; null with `understand=false`.",
    )


# -- compare (GET /compare) -------------------------------------------------------------------


class ComparedPlanOut(BaseModel):  # one of the two plans (compare.documents.plan_meta)
    id: str
    unit: str | None = None
    province: str | None = None
    year: int | None = None
    title: str | None = None
    number: str | None = None
    date: str | None = None
    n_paragraphs: int = 0


DiffOpOut = served(
    DiffOp,
    "DiffOpOut",
    a=Field(description="Words of plan a in this step (empty for insert)."),
    b=Field(description="Words of plan b in this step (empty for delete)."),
)
PairOut = served(
    Pair,
    "PairOut",
    nested={DiffOp: DiffOpOut},
    a_id=Field(None),
    b_id=Field(None),
    a_text=Field(None),
    b_text=Field(None),
    a_section=Field(None),
    b_section=Field(None),
    similarity=Field(None, description="Pair score (0–1); none for only_*."),
    cosine=Field(None, description="Embedding cosine (best one for only_*)."),
    lexical=Field(None, description="IDF-weighted word overlap (0–1)."),
    diff=Field(None, description="Word-level diff for changed pairs."),
)
SectionOut = served(
    SectionSummary,
    "SectionOut",
    order=("side", "section", "same", "changed", "only", "total", "shared", "counterpart"),
    only=Field(description="Paragraphs of this section found in this plan only."),
    total=(int, Field()),
    shared=(float, Field(description="Share of the section's paragraphs with a counterpart.")),
    counterpart=Field(None),
)
TopicOut = served(Topic, "TopicOut")
SummaryOut = served(Summary, "SummaryOut", nested={SectionSummary: SectionOut, Topic: TopicOut})
CompareOut = served(
    Comparison,
    "CompareOut",
    nested={Pair: PairOut, Summary: SummaryOut},
    order=("a", "b", "summary", "thresholds", "pairs"),
    a=(ComparedPlanOut, Field()),
    b=(ComparedPlanOut, Field()),
)


# -- coverage (GET /coverage, /coverage/changes) ----------------------------------------------

PlanCoverageOut = served(
    PlanColumn,
    "PlanCoverageOut",
    share=(float, Field(description="(covered + ½ partial) / requirements.")),
)
RequirementOut = served(
    Requirement,
    "RequirementOut",
    id=Field(description="The reference paragraph's id (or checklist:N)."),
    rowid=Field(None),
    covered_by=(int, Field(description="How many plans cover it.")),
    missing_in=(list[str], Field(description="The plans that do not carry it at all.")),
)
CellOut = served(
    Cell,
    "CellOut",
    score=Field(description="Compare's pair score of the best paragraph (0–1)."),
    paragraph_id=Field(None),
    text=Field(None),
    section=Field([]),
)
CoverageOut = served(
    CoverageMatrix,
    "CoverageOut",
    nested={Requirement: RequirementOut, PlanColumn: PlanCoverageOut, Cell: CellOut},
    order=("reference", "filters", "thresholds", "plans", "requirements", "cells"),
    cells=Field(description="cells[i][j]: requirement i in plan j."),
)
ChangeOut = served(Change, "ChangeOut")
UnitChangesOut = served(
    YearChanges, "UnitChangesOut", nested={PlanColumn: PlanCoverageOut, Change: ChangeOut}
)


# -- cited documents (GET /references, /mentions, /coverage/citations) ------------------------

# one table for the one record of a cited document; /references and /mentions serve one view
# of it (CITED_FIELDS), the citation table's rows another (ROW_FIELDS)
CITED: dict[str, Any] = {
    "key": Field(description='Canonical key, e.g. "09-NQ/TW" or "LUAT:thuc hien …".'),
    "kind": Field(description="Nghị quyết, Quyết định, Luật, …"),
    "number": Field(description="Number-symbol; null for a law cited by name."),
    "date": Field(description="ISO date of issue where a plan states it."),
    "issuer": Field(description="Issuing body where a plan states it."),
    "title": Field(description="A law's name, for laws cited by name."),
    "total": Field(description="Mentions in the (filtered) plans."),
    "per_plan": Field(description="Mentions per plan (doc_id → count)."),
    "required": Field(description="Whether every plan should cite it (see `required`)."),
}
CitedDocumentOut = served(
    CitedDocument, "CitedDocumentOut", order=CITED_FIELDS, exclude={"required"}, **CITED
)
CitedOut = served(
    CitedDocument,
    "CitedOut",
    order=(*ROW_FIELDS, "plans_citing"),
    exclude={"date", "total"},
    plans_citing=(int, Field(description="How many of the plans cite it.")),
    **CITED,
)
CitationPlanOut = served(  # a plan of the citation table: coverage's counts left out
    PlanColumn, "CitationPlanOut", exclude={"covered", "partial", "missing"}
)
CitationsOut = served(
    CitationMatrix,
    "CitationsOut",
    nested={PlanColumn: CitationPlanOut, CitedDocument: CitedOut},
    order=("filters", "plans", "required", "omissions", "rows"),
    required=Field(description="Canonical keys of the required documents."),
    omissions=Field(description="Per plan: required keys it omits."),
)
MentionOut = served(
    Mention,
    "MentionOut",
    section=Field(description="Heading path, outermost first."),
    text=Field(description="The paragraph's full text."),
    span=Field(description="Character span of the citation in text."),
    raw=Field(description="The citation as written."),
)
MentionsOut = served(
    MentionsResult,
    "MentionsOut",
    nested={CitedDocument: CitedDocumentOut, Mention: MentionOut},
    ref=Field(description="The query as given (whitespace collapsed)."),
    keys=Field(description="Canonical keys it denotes; several when ambiguous."),
    total=Field(description="Number of mentions returned."),
    candidates=Field(description="Each document the query denotes."),
)


# -- tasks across plans (GET /tasks) ----------------------------------------------------------

TaskLineOut = served(
    TaskLine,
    "TaskLineOut",
    order=LINE_FIELDS,
    doc_id=Field(description="The plan's id."),
    title=Field(None, description="The plan's title."),
    unit=Field(None),
    unit_short=Field(None, description="The unit without its locality (Sở Y tế)."),
    province=Field(None),
    year=Field(None),
    number=Field(description="The row's number in its table."),
    group=Field(description="The group row above it in the table (I. Tuyên truyền …), or ''."),
    task=Field(description="The task cell as written."),
    products=Field(description="The products / results cell."),
    timeline=Field(description="The time cell as written (Trước ngày 15/02/2026)."),
    due_start=Field(None, description="ISO date the time cell's period starts; null if none."),
    due_end=Field(None, description="ISO date it ends (a deadline: only this); null if none."),
    recurring=Field(None, description='"thường xuyên", "hằng năm", … for work that repeats.'),
    lead=Field(description="The body that leads, read from the responsible cell ('' if none)."),
    responsible=Field(description="The responsible cell as written."),
    partners=Field(description="The bodies that take part ('' if none)."),
    budget=Field(description="The budget cell ('' where the table has none)."),
    paragraph_id=Field(None, description="The row's paragraph (its first piece)."),
    href=Field(description="The row on the plan's page: /doc/{doc_id}#p-N."),
)
TasksOut = served(
    TaskTable,
    "TasksOut",
    exclude={"query"},
    nested={TaskLine: TaskLineOut},
    total=Field(description="Rows that match (at most 10,000 are read)."),
    tasks=Field(description="The first `limit` of them, in the asked order."),
)


class ReferencesOut(BaseModel):
    total: int = Field(description="Number of cited documents.")
    references: list[CitedDocumentOut]


def json_bytes(model: type[BaseModel], data: dict[str, Any]) -> bytes:
    """``data`` validated by its response model, as the JSON bytes an answer is served as
    (kept beside a cached answer: shaping a large one costs more than computing it again)."""
    return model(**data).model_dump_json().encode("utf-8")
