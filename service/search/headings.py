"""Within the documents a query's constraints chose, the paragraphs under a heading the query
names rise ("Phòng Đào tạo Trường Cao đẳng Y tế Khánh Hòa trách nhiệm tuyên truyền …" → the
items under "2. Phòng Đào tạo"; "… đối tượng được giảm 50% mức phí" → those under "4. Đối
tượng giảm 50% mức phí").

Understanding picks the document; which of its lines comes first is the retrievers' choice,
and a plan's title, bases and closing repeat the query's words better than the item that
answers it (``docs/search.md``). Plans and decisions name what a part is about in its heading
— the body responsible, the time, the group concerned — so a heading whose words the query
holds is the product's own structure telling the line apart. Among the best
``context_depth`` candidates, those of the chosen documents are re-ordered among the places
they hold — by their score plus ``heading_weight`` × the fused scale × the F1 of their last
heading's content words (its numbering dropped) and the query topic's — so the other
documents' candidates keep theirs (soft, as the preference is)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from service.search.facts import content_words
from service.search.fusion import FusionParams, Ranking

# a heading's numbering: "2.", "2.3.", "IV.", "a)", "Điều 4.", "Chương II"
_NUMBERING = re.compile(
    r"^\s*(?:(?:Điều|Chương|Mục|Phần)\s+[\dIVXLC]+\s*[.:]?|(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)])\s*",
    re.I,
)


def heading_words(section: list[str] | tuple[str, ...]) -> set[str]:
    """The content words of a paragraph's last heading, without its numbering."""
    return content_words(_NUMBERING.sub("", section[-1])) if section else set()


def match(asked: set[str], heading: set[str]) -> float:
    """The F1 of a heading's words and the query's: both that the heading is about what the
    query asks (its words are the query's) and that it says much of it."""
    shared = len(asked & heading)
    if not shared:
        return 0.0
    precision, recall = shared / len(heading), shared / len(asked)
    return 2 * precision * recall / (precision + recall)


def by_heading(
    fused: Ranking,
    topic: str,
    documents: frozenset[str] | set[str],
    rows: Mapping[int, Any],
    params: FusionParams,
) -> Ranking:
    """``fused`` with its best ``context_depth`` candidates of ``documents`` re-ordered among
    their places by how well their last heading matches ``topic`` (``rows``: rowid → its
    catalog row)."""
    weight, depth = params.heading_weight, params.context_depth
    asked = content_words(topic)
    if weight <= 0 or not asked or not documents or not fused:
        return fused
    head = fused[:depth]
    top = max(s for _, s in head) or 1.0
    slots = [i for i, (rowid, _) in enumerate(head) if _chosen(rows.get(rowid), documents)]

    def raised(i: int) -> tuple[float, int]:
        rowid, score = head[i]
        return score + weight * top * match(asked, heading_words(rows[rowid].section or ())), -i

    order = sorted(slots, key=raised, reverse=True)
    out = list(head)
    for slot, i in zip(slots, order, strict=True):
        out[slot] = (head[i][0], head[slot][1])  # a slot keeps its score: others stay put
    return out + fused[depth:]


def _chosen(row: Any, documents: frozenset[str] | set[str]) -> bool:
    return row is not None and row.doc_id in documents
