"""Typed results of comparing two plans (plain dataclasses; the API turns them into JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

Status = Literal["same", "changed", "only_a", "only_b"]
STATUSES: tuple[Status, ...] = ("same", "changed", "only_a", "only_b")


class ParagraphLike(Protocol):
    """What compare needs of a paragraph: `indexer.model.Paragraph` and the store's
    `ParagraphRow` both qualify."""

    id: str
    section: list[str]
    kind: str
    text: str


@dataclass(slots=True)
class DiffOp:
    """One step of a word-level diff: the words of a (deleted/replaced) and of b."""

    op: Literal["equal", "insert", "delete", "replace"]
    a: str
    b: str


@dataclass(slots=True)
class Pair:
    """One line of the comparison: a matched pair, or a paragraph found in one plan only."""

    status: Status
    a_id: str | None
    b_id: str | None
    a_text: str | None
    b_text: str | None
    a_section: list[str] | None
    b_section: list[str] | None
    kind: str
    similarity: float | None  # combined score of the pair (None for only_a / only_b)
    cosine: float | None = None  # embedding cosine (best counterpart for leftovers)
    lexical: float | None = None  # folded-token Jaccard
    diff: list[DiffOp] | None = None  # for `changed` pairs


@dataclass(slots=True)
class SectionSummary:
    """Counts for one top-level section of one plan."""

    side: Literal["a", "b"]
    section: str
    same: int = 0
    changed: int = 0
    only: int = 0  # only_a for side a, only_b for side b
    counterpart: str | None = None  # the other plan's section most of its pairs go to

    @property
    def total(self) -> int:
        return self.same + self.changed + self.only

    @property
    def shared(self) -> float:
        """Share of the section's paragraphs that have a counterpart."""
        return (self.same + self.changed) / self.total if self.total else 0.0


@dataclass(slots=True)
class Topic:
    """A word or phrase typical of paragraphs found in one plan only."""

    phrase: str
    count: int  # paragraphs of the only_x set that contain it


@dataclass(slots=True)
class Summary:
    counts: dict[str, int]  # same / changed / only_a / only_b
    shared_a: float  # share of a's paragraphs with a counterpart in b
    shared_b: float
    sections: list[SectionSummary] = field(default_factory=list)
    topics_only_a: list[Topic] = field(default_factory=list)
    topics_only_b: list[Topic] = field(default_factory=list)


@dataclass(slots=True)
class Comparison:
    pairs: list[Pair]  # in reading order: following a, b-only paragraphs slotted in place
    summary: Summary
    thresholds: dict[str, float]

    def approx_bytes(self) -> int:
        """About what the comparison holds in memory (for the answer cache's bound)."""
        text = sum(len(p.a_text or "") + len(p.b_text or "") for p in self.pairs)
        return 4 * text + 300 * len(self.pairs)

    def to_dict(self) -> dict:
        d = asdict(self)
        for s, src in zip(d["summary"]["sections"], self.summary.sections, strict=True):
            s["total"] = src.total
            s["shared"] = round(src.shared, 4)
        return d
