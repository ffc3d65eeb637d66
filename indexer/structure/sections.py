"""Blocks → Paragraph records with kinds and section paths."""

from __future__ import annotations

from indexer.model import Paragraph
from indexer.structure.blocks import Block
from indexer.structure.markers import HEADING_ALWAYS, depth, ends_sentence, strip_bullet

SECTION_LABEL_MAX = 90
_POINTS = frozenset({"number", "letter"})


def section_label(text: str) -> str:
    """A heading as it appears in a section path (long headings shortened at a word)."""
    text = text.rstrip(":").strip()
    if len(text) <= SECTION_LABEL_MAX:
        return text
    cut = text[:SECTION_LABEL_MAX].rsplit(" ", 1)[0].rstrip(",;")
    return cut + "…"


def _is_heading(block: Block, nxt: Block | None) -> bool:
    if block.marker in HEADING_ALWAYS:
        return True
    if block.marker not in _POINTS or nxt is None:
        return False
    if nxt.marker in ("bullet", "sub"):
        return True
    if nxt.marker in _POINTS and depth(nxt.marker, nxt.text) > depth(block.marker, block.text):
        return True  # "1. Về xây dựng" over "1.1. …", "2. Nhiệm vụ:" over "a) …"
    return nxt.marker is None and not ends_sentence(block.text)


def to_paragraphs(
    blocks: list[Block], doc_id: str, start: int = 0, base: list[str] | None = None
) -> list[Paragraph]:
    """Number paragraphs from ``start``; every one carries the heading path above it."""
    stack: list[tuple[int, str]] = []  # (level, label)
    base = list(base or [])
    out: list[Paragraph] = []
    for k, block in enumerate(blocks):
        text = block.text
        if not any(ch.isalnum() for ch in text):
            continue  # a stray mark ("-", "* *") is not a paragraph
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        if _is_heading(block, nxt):
            level = depth(block.marker, text)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, section_label(text)))
            section = base + [label for _, label in stack]
            kind = "heading"
        else:
            if block.marker in _POINTS:  # a numbered point closes deeper or equal headings
                level = depth(block.marker, text)
                while stack and stack[-1][0] >= level:
                    stack.pop()
            section = base + [label for _, label in stack]
            kind = "item" if block.marker else "text"
            if block.marker in ("bullet", "sub"):
                text = strip_bullet(text)
        ordinal = start + len(out)
        out.append(Paragraph(f"{doc_id}:{ordinal:04d}", doc_id, ordinal, section, kind, text))
    return out
