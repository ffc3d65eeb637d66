"""Coverage: which unit's plan carries which required task, and which cited document.

``coverage_matrix`` matches the requirements of a reference (an indexed document's task rows
and working points, or a checklist) against every selected plan with compare's pair score;
``citation_matrix`` tabulates which plan cites which document; ``year_changes`` follows one
unit's plans from one year to the next. Exports (CSV, XLSX) are in ``service.coverage.export``.
"""

from service.coverage.changes import year_changes
from service.coverage.citations import citation_matrix
from service.coverage.matrix import coverage_matrix
from service.coverage.model import (
    Cell,
    CitationMatrix,
    CoverageMatrix,
    PlanColumn,
    Requirement,
    YearChanges,
)
from service.coverage.requirements import checklist_requirements, reference_requirements

__all__ = [
    "Cell",
    "CitationMatrix",
    "CoverageMatrix",
    "PlanColumn",
    "Requirement",
    "YearChanges",
    "checklist_requirements",
    "citation_matrix",
    "coverage_matrix",
    "reference_requirements",
    "year_changes",
]
