"""Year over year: one unit's plans of two years against the same requirements.

For each unit that has plans in both years (or the one unit asked for), the requirements
whose status moved: ``gained`` (missing → partial/covered, partial → covered) and ``lost``
(the reverse). The statuses come from one coverage matrix over both years' plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from indexer.errors import InvalidQueryError
from service.coverage.matrix import match_plans, resolve_requirements, select_plans
from service.coverage.model import STATUSES, Change, CoverageMatrix, PlanColumn, YearChanges

if TYPE_CHECKING:
    from indexer.store import Reader


class SameYearsError(InvalidQueryError):
    """``earlier`` and ``later`` are the same year: nothing to compare (422 ``same_years``)."""


_RANK = {s: len(STATUSES) - i for i, s in enumerate(STATUSES)}  # covered 3, partial 2, missing 1


def _unit_key(p: PlanColumn) -> str:
    return (p.unit or p.doc_id).casefold()


def year_changes(
    matrix: CoverageMatrix, earlier: int, later: int, unit: str | None = None
) -> list[YearChanges]:
    """Changes between the ``earlier`` and ``later`` plans of each unit in ``matrix``
    (a unit with several plans in one year: its first plan of that year)."""
    by_unit: dict[str, dict[int, int]] = {}
    for j, p in enumerate(matrix.plans):
        if p.year in (earlier, later):
            by_unit.setdefault(_unit_key(p), {}).setdefault(int(p.year), j)
    out = []
    for key, years in sorted(by_unit.items()):
        if earlier not in years or later not in years:
            continue
        if unit is not None and key != unit.casefold():
            continue
        a, b = years[earlier], years[later]
        gained, lost = [], []
        for i, req in enumerate(matrix.requirements):
            before, after = matrix.cells[i][a].status, matrix.cells[i][b].status
            change = Change(req.id, req.text, before, after)
            if _RANK[after] > _RANK[before]:
                gained.append(change)
            elif _RANK[after] < _RANK[before]:
                lost.append(change)
        plans = matrix.plans
        out.append(YearChanges(plans[a].unit or plans[a].doc_id, plans[a], plans[b], gained, lost))
    return out


def changes_payload(changes: list[YearChanges]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in changes]


def unit_changes(
    reader: Reader,
    reference: str,
    earlier: int,
    later: int,
    filters: Mapping[str, Any] | None = None,
) -> list[YearChanges]:
    """``year_changes`` over the plans of exactly those two years that ``filters`` select
    (unit, province, kind; a unit by its name or short form, as everywhere)."""
    given = {k: v for k, v in (filters or {}).items() if k not in ("year", "year_from", "year_to")}
    requirements, vectors, meta = resolve_requirements(reader, None, reference=reference)
    earlier_plans = select_plans(reader, exclude=reference, year=earlier, **given)
    later_plans = select_plans(reader, exclude=reference, year=later, **given)
    if not earlier_plans or not later_plans:
        return []  # no unit has plans in both years
    plans = [*earlier_plans, *later_plans]
    matrix = match_plans(reader, requirements, vectors, plans, meta, given)
    return year_changes(matrix, earlier, later)
