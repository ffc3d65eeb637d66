"""The web edge's shared pieces (issue 27, item 3): ``OnIndex``, the one dependency that leases
the live index and applies the request time limit, and the response models derived from the
cores' dataclasses (``service.web.schemas.served``). No index needed: a fake holder and
request stand in."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from types import SimpleNamespace

import pytest
from pydantic import Field

from indexer.model import Reading, TaskRow
from service.compare.model import Comparison, DiffOp, Pair, SectionSummary, Summary, Topic
from service.coverage.model import ROW_FIELDS, Cell, Change, PlanColumn, Requirement, YearChanges
from service.mentions import CITED_FIELDS, CitedDocument, Mention, MentionsResult
from service.search.model import SearchHit
from service.settings import Settings
from service.web import schemas
from service.web.deps import RunOnIndex
from service.web.timeout import RequestTimeoutError


class FakeHolder:
    """Counts leases and records what each piece of work saw."""

    def __init__(self):
        self.snap = SimpleNamespace(generation="gen-1")
        self.leases = 0
        self.lock = threading.Lock()

    @contextmanager
    def lease(self):
        with self.lock:
            self.leases += 1
        try:
            yield self.snap
        finally:
            with self.lock:
                self.leases -= 1


def _request(holder):
    async def is_disconnected() -> bool:
        return False

    app = SimpleNamespace(state=SimpleNamespace(holder=holder))
    return SimpleNamespace(app=app, is_disconnected=is_disconnected, url=SimpleNamespace(path="/x"))


def test_on_index_holds_the_lease_on_the_worker_for_the_whole_work():
    holder = FakeHolder()
    on_index = RunOnIndex(_request(holder), Settings(index_dir="/nonexistent"))
    seen = {}

    def work(snap):
        time.sleep(0.05)  # the lease is still held after a while
        seen.update(snap=snap, leases=holder.leases, thread=threading.current_thread())
        return "answer"

    assert asyncio.run(on_index(work)) == "answer"
    assert seen["snap"] is holder.snap and seen["leases"] == 1
    assert seen["thread"] is not threading.main_thread()
    assert holder.leases == 0  # released when the work is done


def test_on_index_applies_the_request_timeout():
    holder = FakeHolder()
    on_index = RunOnIndex(_request(holder), Settings(index_dir="/nonexistent", request_timeout=0.2))
    done = threading.Event()

    def slow(snap):
        time.sleep(0.6)
        done.set()

    with pytest.raises(RequestTimeoutError):
        asyncio.run(on_index(slow))
    done.wait(5)
    time.sleep(0.05)
    assert holder.leases == 0  # the abandoned work released its lease when it ended


# each derived response model and the dataclass it serves (less the fields it leaves out)
DERIVED = [
    (schemas.ReadingOut, Reading, set()),
    (schemas.TaskOut, TaskRow, {"partners", "budget", "group"}),
    (schemas.SearchHitOut, SearchHit, {"rowid"}),
    (schemas.DiffOpOut, DiffOp, set()),
    (schemas.PairOut, Pair, set()),
    (schemas.SectionOut, SectionSummary, set()),
    (schemas.TopicOut, Topic, set()),
    (schemas.SummaryOut, Summary, set()),
    (schemas.CompareOut, Comparison, set()),
    (schemas.PlanCoverageOut, PlanColumn, set()),
    (schemas.RequirementOut, Requirement, set()),
    (schemas.CellOut, Cell, set()),
    (schemas.ChangeOut, Change, set()),
    (schemas.UnitChangesOut, YearChanges, set()),
    (schemas.CitationPlanOut, PlanColumn, {"covered", "partial", "missing"}),
    (schemas.CitedDocumentOut, CitedDocument, {"required"}),
    (schemas.CitedOut, CitedDocument, {"date", "total"}),
    (schemas.MentionOut, Mention, set()),
    (schemas.MentionsOut, MentionsResult, set()),
]


@pytest.mark.parametrize(
    ("model", "record", "left_out"), DERIVED, ids=lambda x: getattr(x, "__name__", "")
)
def test_a_derived_model_serves_every_field_of_its_dataclass(model, record, left_out):
    served = set(model.model_fields)
    assert {f.name for f in fields(record)} - left_out <= served
    assert not left_out & served


def test_the_cited_document_views_are_the_cores_own():
    assert tuple(schemas.CitedDocumentOut.model_fields) == CITED_FIELDS
    assert tuple(schemas.CitedOut.model_fields) == (*ROW_FIELDS, "plans_citing")


def test_a_field_added_to_a_dataclass_is_served_or_stops_the_import():
    @dataclass
    class Record:
        a: str
        b: int | None = None
        c: list[str] = field(default_factory=list)

    model = schemas.served(Record, "RecordOut", b=Field(None, description="B."))
    assert list(model.model_fields) == ["a", "b", "c"]
    schema = model.model_json_schema()
    assert schema["required"] == ["a", "c"]  # a field without a default is required
    assert schema["properties"]["b"]["description"] == "B."
    with pytest.raises(TypeError, match="not placed: \\['c'\\]"):
        schemas.served(Record, "RecordOut", order=("b", "a"))
    with pytest.raises(TypeError, match="give its type"):
        schemas.served(Record, "RecordOut", d=Field())


@dataclass
class Inner:
    x: int


@dataclass
class Outer:
    one: Inner
    many: list[Inner]
    maybe: Inner | None
    by_key: dict[str, list[Inner]]


def test_a_nested_dataclass_is_served_as_its_model():
    inner = schemas.served(Inner, "InnerOut")
    outer = schemas.served(Outer, "OuterOut", nested={Inner: inner})
    value = outer(one={"x": 1}, many=[{"x": 2}], maybe=None, by_key={"k": [{"x": 3}]})
    assert isinstance(value.one, inner) and isinstance(value.many[0], inner)
    assert isinstance(value.by_key["k"][0], inner)
