"""Reflow cleaned lines into blocks: one heading, point, bullet or prose paragraph each."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.cleaning import Line, fix_letter_spacing, join_lines
from indexer.structure.markers import BASIS, ends_sentence, is_caps, marker_of

_TITLED = frozenset({"part", "subpart"})  # a division whose title may stand on the next line


@dataclass(slots=True)
class Block:
    marker: str | None  # see markers.marker_of: "part" … "roman" | "number" | … | None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return fix_letter_spacing(join_lines(self.lines)).replace("  ", " ").strip()


def _percentile(values: list[int], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return float(values[min(len(values) - 1, int(q * len(values)))])


def is_paragraph_per_line(lines: list[Line]) -> bool:
    """True when each line is already a whole paragraph (DOCX, text copied from the web)."""
    long_lines = [ln.text for ln in lines if len(ln.text) > 30]
    if not long_lines:
        return True
    ended = sum(1 for t in long_lines if ends_sentence(t))
    return ended / len(long_lines) >= 0.6


def reflow(lines: list[Line], opening: bool = False) -> list[Block]:
    """Group broken lines back into blocks.

    In wrapped text (extracted from PDF) a block starts at a marker line, after a heading in
    capitals, or after a short line that ends a sentence or introduces a capitalised line.
    ``opening`` also starts a block at each "Căn cứ…"/"Thực hiện…" line.
    """
    per_line = is_paragraph_per_line(lines)
    width = _percentile([len(ln.text) for ln in lines], 0.75)
    blocks: list[Block] = []
    for ln in lines:
        text = ln.text
        mk = marker_of(text)
        new = mk is not None or not blocks or per_line
        if not new and opening and BASIS.match(text):
            new = True
        if not new:
            prev_block = blocks[-1]
            prev = prev_block.lines[-1]
            if prev_block.marker == "roman" or (prev_block.marker is None and is_caps(prev)):
                new = not is_caps(text)
            elif ln.page_break and not ends_sentence(prev):
                new = False  # a page ended early: the sentence goes on
            elif len(prev) < 0.8 * width:
                starts_upper = text[:1].isupper()
                new = ends_sentence(prev) or (starts_upper and not prev.endswith((",", "-")))
            elif prev_block.marker == "number" and len(prev_block.lines) == 1:
                # "4. Tuyên truyền … của nhà trường" + "Thông qua …": a heading line
                new = text[:1].isupper() and not ends_sentence(prev) and not prev.endswith(",")
        last = blocks[-1] if blocks else None
        if last and last.marker in _TITLED and len(last.lines) == 1 and not mk and is_caps(text):
            new = False  # "Chương I" + "NHỮNG QUY ĐỊNH CHUNG": one heading
        if new:
            blocks.append(Block(mk[0] if mk else None, [text]))
        else:
            blocks[-1].lines.append(text)
    return blocks
