"""Requirements: what a reference asks every unit's plan to carry.

From an indexed document (``reference_requirements``): its appendix task rows and the working
points of its body — every paragraph that is not a heading, not the preamble (the legal bases
and the sentence that introduces the plan, before the first heading), not in the opening
section of purposes, targets and requirements ("I. MỤC ĐÍCH, YÊU CẦU", "I. MỤC TIÊU, YÊU
CẦU": how the plan means to work, not work a unit must do) and not a fragment of fewer than
``MIN_WORDS`` words. This is the layout Nghị định 30/2020/NĐ-CP gives plans and decisions of
every issuer (purposes first, then contents / tasks / solutions, then who implements).

From a checklist (``checklist_requirements``): one requirement per non-blank line, list
markers dropped; at most ``MAX_REQUIREMENTS`` lines of at most ``MAX_LINE_CHARS`` characters.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from indexer.errors import InvalidQueryError
from indexer.text import fold
from service.coverage.model import Requirement

if TYPE_CHECKING:
    from indexer.store import Reader

MIN_WORDS = 5
MAX_REQUIREMENTS = 300
MAX_LINE_CHARS = 1000
MAX_CHECKLIST_BYTES = 512_000
# the opening section a plan states its own aims in: "I. MỤC ĐÍCH, YÊU CẦU", "MỤC TIÊU"
_AIMS = re.compile(r"^\W*(?:[ivxlc]+|\d+|[a-z])?\W*(muc dich|muc tieu|yeu cau)\b")
_MARKER = re.compile(r"^\s*(?:[-–—•*+]|\(?\d+(?:\.\d+)*[.)]|\(?[a-zđ][.)]|[IVXLC]+\.)\s+", re.I)


def is_aims_heading(heading: str) -> bool:
    """ "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục tiêu" … — the plan's own aims, not work to do."""
    return bool(_AIMS.match(fold(heading).lower()))


def reference_requirements(reader: Reader, doc_id: str) -> list[Requirement]:
    """The working points and task rows of an indexed document, in document order; a
    document with more than ``MAX_REQUIREMENTS`` is one clear error (give a checklist of the
    points to check instead)."""
    out = []
    for p in reader.paragraphs(doc_id):
        if p.kind == "heading" or not p.section:
            continue
        if is_aims_heading(p.section[0]):
            continue
        if len(p.text.split()) < MIN_WORDS:
            continue
        out.append(Requirement(p.id, p.text, list(p.section), p.kind, p.rowid))
    if len(out) > MAX_REQUIREMENTS:
        raise InvalidQueryError(
            f"{doc_id} has {len(out)} working points, more than the {MAX_REQUIREMENTS} one "
            "matrix checks; give a checklist of the points to check (one per line)"
        )
    return out


def checklist_requirements(text: str) -> list[Requirement]:
    """One requirement per non-blank line of a checklist (list markers dropped)."""
    if len(text.encode("utf-8", "replace")) > MAX_CHECKLIST_BYTES:
        raise InvalidQueryError(
            f"checklist: larger than {MAX_CHECKLIST_BYTES // 1000} kB; keep one requirement "
            "per line and split a longer list"
        )
    out: list[Requirement] = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = "".join(ch if ch.isprintable() else " " for ch in line)  # no control characters
        line = " ".join(_MARKER.sub("", line).split())
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            raise InvalidQueryError(
                f"checklist line {n}: {len(line)} characters (at most {MAX_LINE_CHARS}); "
                "one requirement per line"
            )
        out.append(Requirement(f"checklist:{n}", line, [], "item"))
        if len(out) > MAX_REQUIREMENTS:
            raise InvalidQueryError(
                f"checklist: more than {MAX_REQUIREMENTS} requirements; split it"
            )
    if not out:
        raise InvalidQueryError("checklist: no requirement in it; write one per line")
    return out
