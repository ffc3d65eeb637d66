"""``<stem>.meta.json``: fields a user sets by hand to override what the reader found.

The sidecar is untrusted input, validated with a typed model of exactly the fields of
``DocumentMeta`` (pydantic at this edge, as at the API's): strings are strings (not lists or
numbers), ``year`` a whole year between 1900 and 2100, ``date`` ISO ``YYYY-MM-DD``, text of
bounded length, no unknown field. A bad sidecar gives one line per bad field and the plan is
skipped (the build goes on); a sidecar whose name the file system cannot hold (a 255-byte
plan name) is treated as absent.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, ValidationError
from pydantic_core import ErrorDetails

from indexer.errors import UnreadableFileError
from indexer.model import DocumentMeta

SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 64 * 1024

Text = Annotated[StrictStr, Field(max_length=2000)]


def _whole_year(value: object) -> object:
    """A year as a whole number or its digits ("2025"); not a float, a bool or words."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole year such as 2025")
    return value


class SidecarMeta(BaseModel):
    """The overridable fields of DocumentMeta, typed and bounded."""

    model_config = ConfigDict(extra="forbid")

    unit: Text | None = None
    province: Text | None = None
    year: Annotated[int, BeforeValidator(_whole_year), Field(ge=1900, le=2100)] | None = None
    kind: Text | None = None
    title: Text | None = None
    number: Text | None = None
    date: Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    legal_bases: Annotated[list[Text], Field(max_length=500)] | None = None
    signer: Text | None = None
    signer_title: Text | None = None
    unit_short: Text | None = None
    place: Text | None = None
    period: Text | None = None
    issued_as: Text | None = None


class SidecarError(UnreadableFileError):
    """A sidecar with bad fields: ``lines`` holds one line per bad field."""

    def __init__(self, path: Path, lines: list[str]):
        hint = "fix or remove the sidecar"
        super().__init__(path, "; ".join(lines), hint)
        self.lines = [f"{path}: {line} — {hint}" for line in lines]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict | None:
    """The validated overrides of the plan at ``path`` (only the fields set), None without
    a sidecar; SidecarError / UnreadableFileError for a bad one."""
    side = sidecar_path(path)
    try:
        if not side.is_file():
            return None
        raw = side.read_bytes()[: MAX_SIDECAR_BYTES + 1]
    except OSError:  # a name too long for the file system, a permission problem
        return None
    if len(raw) > MAX_SIDECAR_BYTES:
        raise UnreadableFileError(
            side, f"sidecar larger than {MAX_SIDECAR_BYTES // 1024} KB", "fix or remove it"
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:100]
        raise UnreadableFileError(
            side, f"invalid JSON sidecar ({detail})", "fix or remove it"
        ) from None
    if not isinstance(data, dict):
        raise UnreadableFileError(side, "sidecar must hold a JSON object", "fix or remove it")
    try:
        meta = SidecarMeta.model_validate(data)
    except ValidationError as exc:
        raise SidecarError(side, [_field_line(e) for e in exc.errors()]) from None
    return meta.model_dump(exclude_unset=True)


def apply_sidecar(meta: DocumentMeta, path: Path) -> DocumentMeta:
    """``meta`` with the sidecar's fields (if any) put over it."""
    data = read_sidecar(path)
    if not data:
        return meta
    if data.get("legal_bases") is None:
        data.pop("legal_bases", None)
    return dataclasses.replace(meta, **data)


def _field_line(error: ErrorDetails) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "(sidecar)"
    if error.get("type") == "extra_forbidden":
        known = ", ".join(SidecarMeta.model_fields)
        return f"unknown field {where!r} (known: {known})"
    value = repr(error.get("input"))
    value = value if len(value) <= 40 else value[:37] + "..."
    return f"field {where!r} = {value}: {error.get('msg', 'invalid')}"
