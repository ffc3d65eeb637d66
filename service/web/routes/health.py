"""GET /health: is an index open, which generation and model, how big."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.deps import SnapshotDep
from service.web.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, summary="Service and index status")
def health(snap: SnapshotDep) -> HealthOut:
    manifest = snap.reader.manifest
    counts = {k: int(v) for k, v in (manifest.get("counts") or {}).items() if _is_int(v)}
    if "documents" not in counts:
        counts["documents"] = len(snap.reader.documents())
    return HealthOut(status="ok", generation=snap.generation, model=snap.model_name, counts=counts)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
