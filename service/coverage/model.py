"""Typed results of coverage (plain dataclasses; the API turns them into JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from service.mentions import CitedDocument

Status = Literal["covered", "partial", "missing"]
STATUSES: tuple[Status, ...] = ("covered", "partial", "missing")


@dataclass(slots=True)
class Requirement:
    """One requirement: a working point or task row of the reference, or a checklist line.
    Shaped like a paragraph (id, section, kind, text) so compare's pair score reads it."""

    id: str  # the reference paragraph's id, or "checklist:N"
    text: str
    section: list[str] = field(default_factory=list)
    kind: str = "item"
    rowid: int | None = None  # the reference paragraph's catalog row (its stored vector)


@dataclass(slots=True)
class Cell:
    """The best match of one requirement in one plan."""

    status: Status
    score: float  # compare's pair score of the best paragraph (0–1)
    paragraph_id: str | None = None
    text: str | None = None
    section: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PlanColumn:
    """One plan of the matrix with its totals."""

    doc_id: str
    unit: str | None
    year: int | None
    province: str | None
    kind: str | None
    title: str | None
    number: str | None
    covered: int = 0
    partial: int = 0
    missing: int = 0

    @property
    def share(self) -> float:
        """Share of the requirements the plan covers (partial ones count half)."""
        total = self.covered + self.partial + self.missing
        return (self.covered + 0.5 * self.partial) / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"share": round(self.share, 4)}


@dataclass(slots=True)
class CoverageMatrix:
    """Requirements × plans: ``cells[i][j]`` is requirement i in plan j."""

    reference: dict[str, Any] | None  # the reference document's metadata (None: a checklist)
    requirements: list[Requirement]
    plans: list[PlanColumn]
    cells: list[list[Cell]]
    thresholds: dict[str, float]
    filters: dict[str, Any] = field(default_factory=dict)

    def approx_bytes(self) -> int:
        """About what the matrix holds in memory (for the answer cache's bound)."""
        text = sum(len(r.text) for r in self.requirements)
        text += sum(len(c.text or "") + 150 for row in self.cells for c in row)
        return 2 * text + 500 * len(self.plans)

    def covering(self, i: int) -> int:
        """How many plans cover requirement i."""
        return sum(c.status == "covered" for c in self.cells[i])

    def missing_in(self, i: int) -> list[str]:
        """The plans that do not carry requirement i at all."""
        return [
            p.doc_id
            for p, c in zip(self.plans, self.cells[i], strict=True)
            if c.status == "missing"
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "filters": self.filters,
            "thresholds": self.thresholds,
            "plans": [p.to_dict() for p in self.plans],
            "requirements": [
                asdict(r) | {"covered_by": self.covering(i), "missing_in": self.missing_in(i)}
                for i, r in enumerate(self.requirements)
            ],
            "cells": [[asdict(c) for c in row] for row in self.cells],
        }


# A row of the citation table: one cited document with its mentions per plan (the plans that
# cite it) and whether it is required; the service's one record of a cited document.
CitedRow = CitedDocument

# what /coverage/citations and the CLI answer of a row (besides ``plans_citing``)
ROW_FIELDS = ("key", "kind", "number", "issuer", "title", "required", "per_plan")


@dataclass(slots=True)
class CitationMatrix:
    """Cited documents × plans; ``omissions`` names, per plan, the required ones it omits."""

    plans: list[PlanColumn]
    rows: list[CitedDocument]
    required: list[str]
    omissions: dict[str, list[str]]
    filters: dict[str, Any] = field(default_factory=dict)

    def approx_bytes(self) -> int:
        return 200 * len(self.rows) + 80 * sum(len(r.per_plan) for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "plans": [
                {
                    k: v
                    for k, v in p.to_dict().items()
                    if k not in ("covered", "partial", "missing", "share")
                }
                for p in self.plans
            ],
            "required": self.required,
            "omissions": self.omissions,
            "rows": [r.view(ROW_FIELDS) | {"plans_citing": r.plans_citing} for r in self.rows],
        }


@dataclass(slots=True)
class Change:
    """A requirement whose status moved between a unit's two plans."""

    requirement: str  # its id
    text: str
    before: Status
    after: Status


@dataclass(slots=True)
class YearChanges:
    """One unit's plans of two years against the same requirements."""

    unit: str
    earlier: PlanColumn
    later: PlanColumn
    gained: list[Change]  # missing/partial → covered (or missing → partial)
    lost: list[Change]  # covered → partial/missing (or partial → missing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "earlier": self.earlier.to_dict(),
            "later": self.later.to_dict(),
            "gained": [asdict(c) for c in self.gained],
            "lost": [asdict(c) for c in self.lost],
        }
