"""The fact a question asks for — who, by when, how much, how often, what target — read from
the paragraphs search found.

Staff ask "Cần Thơ giao cơ quan nào …", "… trước ngày nào?", "mức chuẩn … là bao nhiêu?".
Search ranks the paragraphs that state it; this module reads the answer itself out of them,
so the page, the API and the CLI can show "Sở Y tế" with its source paragraph instead of a
list to read. Two sources, both the documents' own words (nothing is generated):

- a **task row** (the appendix tables, as the catalog stores them): who is the row's lead
  (read at indexing, ``indexer.structure.assignment.lead_of``) or, asked who works with it,
  its partners; when its time cell; how much its budget cell;
- a **sentence** of any paragraph: the span of the asked kind — an amount in đồng, a
  percentage or figure, a date or period, a frequency, a body that is given the task ("giao
  Sở Y tế thành lập …", "Sở Tư pháp chủ trì", "gửi phản ánh về Sở Nội vụ (Phòng …)") — in
  the clause that shares the most of the question's content words, weighted by how rare
  each is among the paragraphs read; a clause is read with the heading it stands under and
  its document's title (their words count half: every clause under them has them), and a
  labelled field ("Thời gian hoàn thành: …") with the work written before it.

A fact is given only from paragraphs above the relevance floor, only from the documents of
the place the question names (if it names one), and only when its clause (with its headings)
holds at least ``MIN_OVERLAP`` of the question's content words, counted and weighted:
otherwise the answer is empty and the product says it did not find one rather than guess.
Across plans, one fact per plan (its best), the best stated first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.model import TaskRow
from indexer.text.vietnamese import fold
from service.search.model import SearchHit
from service.search.spans import (
    ASKS_INTERVAL,
    DEADLINE_LEAD,
    FIELDS,
    INTERVAL,
    dash_in_name,
    field_span,
    folded,
    normalized,
    question_kind,
    span_of,
)
from service.search.understanding import reference_spans

# share of the question's content words its answer's clause must hold, counted plainly and
# weighted by how rare each is among the paragraphs read (``_Weights``)
MIN_OVERLAP = 0.4
HIT_BONUS = 0.15  # for a paragraph among the search's best hits
HEADING_WEIGHT = 0.5  # of the words a clause shares with the question only through its heading
READ_HITS = 5  # the best hits read for an answer
READ_DOCUMENTS = 2  # the documents of those read whole
MAX_PARAGRAPHS = 5000  # of each (a bound on the work)
PLANS_SHOWN = 3  # one fact per plan, at most this many plans

_CLAUSE = re.compile(r"(?<=[.;!?])\s+|\s+-\s+|\n+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])|\n+")
_NUMBERING = re.compile(r"[\dIVXivx]{1,4}(?:\.\d{1,2})*[.)]?|[a-zđ]\)")
_STOP = {
    "cua", "va", "cac", "nhung", "la", "cho", "de", "trong", "theo", "tai", "voi", "ve", "tu",
    "den", "duoc", "co", "khong", "nay", "do", "o", "thi", "mot", "nam", "phai", "nao", "gi",
    "bao", "nhieu", "khi", "may", "dau", "ai", "lan", "hay", "nhu", "the", "sao", "ra", "vao",
}  # fmt: skip


@dataclass(slots=True)
class Fact:
    """One answer read from one paragraph."""

    kind: str  # who | when | money | frequency | target
    text: str  # the answer as the document writes it
    doc_id: str
    paragraph_id: str
    unit: str | None
    year: int | None
    source: str  # the clause or task-row field it was read from
    where: str  # "task row" or "sentence"
    normalized: dict[str, Any] = field(default_factory=dict)  # {"date"…}, {"amount_vnd"…}
    rowid: int | None = None  # the paragraph's row in the catalog (not shown: ids are)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["rowid"]
        return out


@dataclass(slots=True)
class Answer:
    """What a who / when / how-much question was answered with (``facts`` empty: not found)."""

    kind: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.facts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "found": self.found, "facts": [f.to_dict() for f in self.facts]}


def content_words(text: str) -> set[str]:
    """The folded words of ``text`` that tell what it is about (no function or question
    words, no single letters)."""
    return {w for w in re.findall(r"\w+", fold(text).lower()) if w not in _STOP and len(w) > 1}


_words = content_words


def _overlap(question: set[str], clause: str) -> float:
    return _covered(question, _words(clause))


def _covered(question: set[str], words: set[str]) -> float:
    """The share of the question's words among ``words`` (a clause's, already read)."""
    return len(question & words) / len(question) if question else 0.0


_AIMED = re.compile(r"phấn đấu|mục tiêu|chỉ tiêu", re.I)


def _quality(kind: str, fact: Fact, query: str = "") -> float:
    """A little for a span that says more: a day rather than a year, a deadline's lead; less
    for a time without any date ("thường xuyên" answers "khi nào" least); for a target, a
    little for a clause that aims ("phấn đấu đạt 100%" over a result "đã đạt 72,4%"); asked
    "bao lâu một lần", a little for a span of that form ("06 tháng một lần")."""
    text = fact.text
    if kind == "target":
        return 0.1 if _AIMED.search(fact.source) else 0.0
    if kind not in ("when", "frequency"):
        return 0.0
    if kind == "frequency" and ASKS_INTERVAL.search(folded(query)) and INTERVAL.match(text):
        return 0.1
    score = (
        0.05 if re.search(r"\d{1,2}\s*/\s*\d{1,2}|ngày\s+\d|quý|tháng\s+\d", text, re.I) else 0.0
    )
    if kind == "when" and not re.search(r"\d", text):
        score -= 0.1
    return score + (0.05 if DEADLINE_LEAD.match(text) else 0.0)


class _Weights:
    """How much each of the question's words tells one passage from another among those read:
    its inverse document frequency over them (a word of every paragraph tells nothing)."""

    def __init__(self, asked: set[str], texts: Sequence[str]):
        df = dict.fromkeys(asked, 0)
        for text in texts:
            for w in asked & _words(text):
                df[w] += 1
        n = len(texts)
        self.idf = {w: math.log((n + 1) / (d + 0.5)) for w, d in df.items()}
        self.total = sum(self.idf.values()) or 1.0

    def share(self, words: set[str]) -> float:
        """The weighted share of the question's words among ``words`` (a clause's)."""
        return sum(self.idf[w] for w in self.idf.keys() & words) / self.total


def _clauses(text: str) -> list[str]:
    """A paragraph's clauses (``_CLAUSE``), a break inside brackets not one ("Sở Nội vụ (Phòng
    Thi đua - Khen thưởng)"), nor a dash inside a body's name ("… của Hội đồng Thi đua - Khen
    thưởng thành phố Hà Nội từ 90% trở lên")."""
    out, start = [], 0
    for m in _CLAUSE.finditer(text):
        piece = text[start : m.start()]
        if piece.count("(") > piece.count(")"):
            continue
        if m.group().strip() == "-" and dash_in_name(piece, text[m.end() : m.end() + 40]):
            continue
        out.append(piece)
        start = m.end()
    out.append(text[start:])
    return [c for c in out if c.strip()]


def _units(text: str, before: str, kind: str) -> list[tuple[str, str]]:
    """(unit, what comes before it) of a paragraph: its clauses, then (for who) its sentences
    that are not one clause — the body and its role may sit in two clauses ("Sở Tài chính -
    Cơ quan thường trực …"); before a paragraph's first clause is ``before`` (the paragraph
    above)."""
    clauses = _clauses(text)
    out: list[tuple[str, str]] = []
    for i, clause in enumerate(clauses):
        prior = " ".join(c for c in clauses[:i] if not _NUMBERING.fullmatch(c.strip()))
        out.append((clause, prior or before))
    if kind == "who":
        out += [(x, before) for x in _SENTENCE.split(text) if x.strip() and x not in clauses]
    return out


def _from_hit(
    kind: str,
    hit: Any,
    query: str,
    asked: set[str],
    weights: _Weights | None = None,
    before: str = "",
    row: TaskRow | None = None,
    title: str = "",
) -> tuple[float, Fact] | None:
    """The best fact of one paragraph (a hit, or a row of the catalog: ``paragraph_id`` or
    ``id``) whose clause shares at least ``MIN_OVERLAP`` of the question's words, and its
    score: the share of the question's words in the clause, weighted by ``weights`` (a
    labelled field's clause — "Thời gian hoàn thành: …" — scores as the work before it, in
    the paragraph or in ``before``, the paragraph above). ``row``: the task row the paragraph
    is (its lead, time cell, budget or partners answer outright). ``title``: its document's
    title, read as the heading above every heading."""
    if not hasattr(hit, "paragraph_id"):
        hit = _Para(hit.id, hit.doc_id, hit.unit, hit.year, hit.kind, hit.text, hit.section,
                    getattr(hit, "rowid", None))  # fmt: skip
    heading = _heading(hit.section)
    share = weights.share if weights is not None else (lambda words: _covered(asked, words))
    best: tuple[float, Fact] | None = None
    if row is not None:  # a task row: its cells as stored, the lead read at indexing
        cell = {"who": row.responsible, "when": row.timeline, "money": row.budget}.get(kind, "")
        text = (row.lead or cell) if kind == "who" else cell
        if kind == "who" and "phoi hop" in folded(query) and row.partners:
            cell = text = row.partners  # "cơ quan nào phối hợp với Bộ Xây dựng …": the partners
        work = _words(row.task)
        if cell and _covered(asked, work) >= MIN_OVERLAP:
            fact = Fact(kind, text, hit.doc_id, hit.paragraph_id, hit.unit, hit.year,
                        cell, "task row", normalized(kind, cell, hit.year), hit.rowid)  # fmt: skip
            best = (share(work) + 0.1, fact)  # a row states it outright
    labelled = FIELDS.get(kind)
    under = _words(heading) | _words(title)
    for unit, prior in _units(hit.text, before, kind):
        field = labelled.match(unit.strip()) if labelled is not None else None
        if field is not None:
            span = field_span(kind, field.group("v"), query)
            own = f"{prior} {unit}"  # the work and the field that states its fact
        else:
            span, own = span_of(kind, unit, query), unit
        if not span:
            continue
        alone = _words(own)
        scored = under | alone  # the clause read under its heading
        if _covered(asked, scored) < MIN_OVERLAP:
            continue
        score = share(scored)
        if score < MIN_OVERLAP:  # the rare words of the question are not there
            continue
        # the heading's words count half: every clause under it has them
        own_share = share(alone)
        score = own_share + HEADING_WEIGHT * (score - own_share)
        if best is None or score > best[0]:
            source = " ".join(unit.split())
            fact = Fact(kind, span, hit.doc_id, hit.paragraph_id, hit.unit, hit.year, source,
                        "sentence", normalized(kind, span, hit.year), hit.rowid)  # fmt: skip
            best = (score, fact)
    return best


@dataclass(slots=True)
class _Para:
    paragraph_id: str
    doc_id: str
    unit: str | None
    year: int | None
    kind: str
    text: str
    section: Sequence[str] | str = ()
    rowid: int | None = None


def _task_rows(
    read: Sequence[Any], tasks_of: Callable[[str], Sequence[TaskRow]] | None
) -> dict[str, TaskRow]:
    """The task rows of the "task" paragraphs read, by paragraph id."""
    if tasks_of is None:
        return {}
    documents = {p.doc_id for p in read if p.kind == "task"}
    return {
        r.paragraph_id: r
        for doc_id in sorted(documents)
        for r in tasks_of(doc_id)
        if r.kind == "task" and r.paragraph_id
    }


def _without_references(text: str) -> str:
    """The question without the documents it cites ("… theo Nghị quyết 77/2025/NQ-HĐND"): a
    document's number tells which document answers, not which of its clauses."""
    for start, end in sorted(reference_spans(text), reverse=True):
        text = f"{text[:start]} {text[end:]}"
    return text


def _heading(section: Sequence[str] | str) -> str:
    """The heading a paragraph is read under (a list item's lead-in: "3. Ngoài định mức …,
    Nghệ sỹ nhân dân, Nghệ sỹ …" over "b) Mức 320.000 đồng/người/buổi áp dụng đối với Nghệ
    sỹ ưu tú."); a hit gives its path as "a › b", a catalog row as a list."""
    parts = section.split(" › ") if isinstance(section, str) else list(section)
    return parts[-1] if parts else ""


def answer(
    query: str,
    hits: Sequence[SearchHit],
    paragraphs_of: Callable[[str], Sequence[Any]] | None = None,
    kind: str | None = None,
    topic: str | None = None,
    places: frozenset[str] | None = None,
    tasks_of: Callable[[str], Sequence[TaskRow]] | None = None,
    title_of: Callable[[str], str] | None = None,
) -> Answer | None:
    """The answer to ``query`` read from its relevant ``hits`` (best first) — and, with
    ``paragraphs_of`` (the catalog's paragraphs of a document), from every paragraph of the
    ``READ_DOCUMENTS`` documents of the best hits: search finds the right plan more often than
    the line that answers. None when the query is not a who / when / how-much question.
    ``places``: the documents of the place the question names ("Thanh Hóa giao …"): the
    answer is read from them only (none: not found — another province's plan is no answer),
    and the few there are are read whole. ``tasks_of``: the catalog's task rows of a document
    (a "task" paragraph is then answered by its row's cells). ``title_of``: a document's title
    (its words are every clause's, as a heading's: "Hồ sơ đề nghị khen thưởng trong phong
    trào thi đua bầu cử … gửi về đâu" names the plan by its title and the clause by the rest)."""
    kind = kind or question_kind(query)
    if kind is None:
        return None
    # the words the answer's clause should share: the topic's (the unit and place a query
    # names are in every sentence of their plan, so they tell no clause from another)
    asked = _words(_without_references(topic or query)) or _words(query)
    relevant = [h for h in hits[:READ_HITS] if h.level != "low"]
    if places is not None:
        relevant = [h for h in relevant if h.doc_id in places]
    read: list[Any] = list(relevant)
    if paragraphs_of is not None:
        named = sorted(places) if places is not None and len(places) <= READ_DOCUMENTS else []
        documents = list(dict.fromkeys([*(h.doc_id for h in relevant), *named]))
        documents = documents[:READ_DOCUMENTS]
        for doc_id in documents:
            read.extend(paragraphs_of(doc_id)[:MAX_PARAGRAPHS])
    weights = _Weights(asked, [h.text for h in read])
    found: dict[str, tuple[float, int, Fact]] = {}
    previous: dict[str, str] = {}  # the text above each paragraph read in document order
    for a, b in zip(read[len(relevant) :], read[len(relevant) + 1 :], strict=False):
        if a.doc_id == b.doc_id:
            previous[b.id] = a.text
    rows = _task_rows(read, tasks_of)
    titles = {d: title_of(d) if title_of else "" for d in dict.fromkeys(h.doc_id for h in read)}
    for rank, hit in enumerate(read):
        pid = getattr(hit, "id", None) or hit.paragraph_id
        above = previous.get(pid, "")
        got = _from_hit(kind, hit, query, asked, weights, above, rows.get(pid), titles[hit.doc_id])
        if got is None:
            continue
        score, fact = got
        if rank < len(relevant):  # the retrievers chose it: their ranking counts too
            score += HIT_BONUS
        score += _quality(kind, fact, query)
        if fact.doc_id not in found or score > found[fact.doc_id][0]:
            found[fact.doc_id] = (score, rank, fact)
    order = {d: i for i, d in enumerate(dict.fromkeys(h.doc_id for h in relevant))}
    ordered = sorted(found.values(), key=lambda t: (-t[0], order.get(t[2].doc_id, 99), t[1]))
    return Answer(kind, [fact for _s, _r, fact in ordered[:PLANS_SHOWN]])
