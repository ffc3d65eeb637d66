"""Typed values of the task view: what is asked (``TaskQuery``), one row with its plan
(``TaskLine``) and the answer (``TaskTable``). Plain dataclasses; the API derives its
response models from them (``service.web.schemas``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, NoReturn

from indexer.errors import InvalidQueryError
from indexer.store import TaskEntry, TaskFilters
from indexer.store.catalog import TASKS_LIMIT

# the orders of the table: the plans' own (year, plan, row number), or by unit, year,
# deadline (the end of the row's period; undated rows last) or lead (rows without one
# last); "-due" and the like reverse the first key
SORTS = ("plan", "unit", "year", "due", "lead")
SORT_VALUES = SORTS + tuple(f"-{s}" for s in SORTS)
DEFAULT_LIMIT = 1000
# the rows' kinds, as the page names them: a plan's task table, a procedure list
KINDS = {"task": "nhiệm vụ", "procedure": "thủ tục hành chính"}
MAX_LIMIT = TASKS_LIMIT
MAX_TEXT = 300  # characters of a text filter


@dataclass(slots=True)
class TaskQuery:
    """The filters (each optional, all must hold), the order and how many rows to answer."""

    unit: str | None = None  # the unit's name or short form, any part of it (folded)
    province: str | None = None  # the whole name (folded)
    year: int | None = None
    lead: str | None = None  # the body that leads the row, any part of its name (folded)
    due_from: str | None = None  # ISO dates: the row's period meets [due_from, due_to]
    due_to: str | None = None
    doc: str | None = None  # a cited document, any writing ("09-NQ/TW", "Nghị quyết 09")
    text: str | None = None  # words of the task or its products (folded)
    doc_id: str | None = None  # one plan
    kind: str | None = None  # "task" (plans' task tables) or "procedure" (procedure lists)
    sort: str = "plan"
    limit: int = DEFAULT_LIMIT

    def checked(self) -> TaskQuery:
        """The query with blanks as None and whitespace collapsed, the window's ends in order;
        ``InvalidQueryError`` (one line naming the parameter) for a value it cannot be."""
        q = replace(self)
        for name in ("unit", "province", "lead", "doc", "text", "doc_id", "kind"):
            value = " ".join(str(getattr(q, name) or "").split()) or None
            if value is not None and len(value) > MAX_TEXT:
                raise InvalidQueryError(f"{name}: longer than {MAX_TEXT} characters")
            setattr(q, name, value)
        q.due_from, q.due_to = iso_date(q.due_from, "due_from"), iso_date(q.due_to, "due_to")
        if q.due_from and q.due_to and q.due_from > q.due_to:
            q.due_from, q.due_to = q.due_to, q.due_from  # the days between, whichever came first
        if q.year is not None and not 1 <= q.year <= 9999:
            raise InvalidQueryError(f"year: {q.year} is not a year (1–9999)")
        if q.kind is not None and q.kind not in KINDS:
            raise InvalidQueryError(f"kind: {q.kind!r}; use one of {', '.join(KINDS)}")
        if q.sort not in SORT_VALUES:
            raise InvalidQueryError(f"sort: {q.sort!r}; use one of {', '.join(SORT_VALUES)}")
        if not 1 <= q.limit <= MAX_LIMIT:
            raise InvalidQueryError(f"limit: {q.limit}; give 1–{MAX_LIMIT}")
        return q

    def filters(self, doc_ids: Sequence[str] | None = None) -> TaskFilters:
        """What the catalog filters in SQL (``doc`` and ``doc_id`` come as ``doc_ids``)."""
        return TaskFilters(
            doc_ids, self.unit, self.province, self.year, self.lead, self.due_from,
            self.due_to, self.text, self.kind,
        )  # fmt: skip

    def params(self) -> dict[str, str]:
        """The filters and order given, as an address's parameters (the API's names)."""
        out = {
            name: str(value)
            for name, value in (
                ("unit", self.unit),
                ("province", self.province),
                ("year", self.year),
                ("lead", self.lead),
                ("due_from", self.due_from),
                ("due_to", self.due_to),
                ("doc", self.doc),
                ("text", self.text),
                ("doc_id", self.doc_id),
                ("kind", self.kind),
            )
            if value not in (None, "")
        }
        if self.sort != "plan":
            out["sort"] = self.sort
        return out

    def in_words(self) -> str:
        """What the table covers, for a file's subtitle: "Lọc theo: đơn vị …" or "Mọi kế
        hoạch"."""
        named = [
            f"{label} {value}"
            for label, value in (
                ("đơn vị", self.unit),
                ("tỉnh", self.province),
                ("năm", self.year),
                ("chủ trì", self.lead),
                ("thời hạn từ", self.due_from),
                ("đến", self.due_to),
                ("trích dẫn", self.doc),
                ("có chữ", self.text and f"«{self.text}»"),
                ("kế hoạch", self.doc_id),
                ("loại", self.kind and KINDS[self.kind]),
            )
            if value not in (None, "")
        ]
        return "Lọc theo: " + ", ".join(named) if named else "Mọi kế hoạch"


def iso_date(value: str | date | None, name: str) -> str | None:
    """An ISO date (``2026-02-15``) as its string; None when blank; ``InvalidQueryError``
    for any other writing."""
    if value is None or isinstance(value, date):
        return None if value is None else value.isoformat()
    text = value.strip()
    if not text:
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        _bad(text, name)
    if len(text) != 10:  # 3.11 also reads 20260215, 2026-W07-1 …: only the one form staff type
        _bad(text, name)
    return parsed.isoformat()


def _bad(text: str, name: str) -> NoReturn:
    shown = text[:40] + ("…" if len(text) > 40 else "")
    raise InvalidQueryError(f"{name}: {shown!r} is not a date; write it as YYYY-MM-DD")


@dataclass(slots=True)
class TaskLine(TaskEntry):
    """A task row of a plan (``TaskEntry``: its cells, lead, period, paragraph) with the
    plan's title and the address of the row's paragraph on the plan's page."""

    title: str | None = None
    href: str = ""  # /doc/{doc_id}#p-N

    @classmethod
    def of(cls, entry: TaskEntry, title: str | None, href: str) -> TaskLine:
        values = {f.name: getattr(entry, f.name) for f in fields(TaskEntry)}
        return cls(**values, title=title, href=href)


# the order a row is answered in: its plan, where it stands, what, when, who, its link
LINE_FIELDS = (
    *("doc_id", "title", "unit", "unit_short", "province", "year", "number", "group"),
    *("task", "products", "timeline", "due_start", "due_end", "recurring", "lead"),
    *("responsible", "partners", "budget", "kind", "paragraph_id", "href"),
)


@dataclass(slots=True)
class TaskTable:
    """The answer: how many rows match (at most ``MAX_LIMIT`` are read) and the first
    ``query.limit`` of them in the asked order."""

    query: TaskQuery
    total: int
    tasks: list[TaskLine] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The answer as the API and ``--json`` give it: each row's fields in ``LINE_FIELDS``'s
        order."""
        rows = [{name: getattr(t, name) for name in LINE_FIELDS} for t in self.tasks]
        return {"total": self.total, "tasks": rows}


@dataclass(slots=True)
class TaskGroup:
    """Rows that share a plan (``key`` its id) or a lead (``key`` the lead folded, "" for
    rows that name none), in the table's order."""

    key: str
    tasks: list[TaskLine] = field(default_factory=list)
