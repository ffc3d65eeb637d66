"""A paragraph's vector in its context, made from vectors the build has anyway.

Search re-ranks its best candidates by the query's similarity to each paragraph *in its
context* — the document's title and the two nearest headings above it — so that a clause
which does not repeat what it is about ("06 tháng một lần") still rises when its document and
section are what the query asks about. That vector used to be a second embedding of every
paragraph ("title › headings › text"), doubling the build's embedding. It is now a mix of
vectors the build already has or gets almost free:

- the paragraph's own vector;
- the vector of each heading above it — headings are paragraphs of the same document, with
  their own vectors (a heading that is not one of them is embedded, rarely);
- the title's vector: one text per document;

each weighted by its share of the characters (a text's embedding is close to the
character-weighted mix of its parts' embeddings), the title and headings together by
``GAIN``, then normalised. Measured side by side with the embedded vector on both labelled
sets (``python -m eval.context``; docs/search.md, "The vector in context"): on the 15,997
paragraphs of the many-document set the texts embedded beyond one per paragraph fall from
15,997 (5.7M characters, 2.2× the paragraphs' own) to 969 (76k characters, 3 %), and
nDCG@10 as served goes from 0.757 to 0.754 (hit@5 0.938 both); on the two plans hit@5 stays
0.952 (nDCG@10 0.892 → 0.874).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from indexer.model import Paragraph
from indexer.text.analyze import CONTEXT_HEADINGS, CONTEXT_PATH, CONTEXT_TITLE

# weight of the title and headings against the paragraph's own characters: 4 of 1, 1.5, 2,
# 3, 4, 6 measured side by side (chosen on the many-document set, the larger; docs/search.md)
GAIN = 4.0


def context_parts(title: str | None, section: Sequence[str]) -> tuple[str, list[str]]:
    """The title and the nearest headings a paragraph is read under, cut as
    ``passage_context`` cuts them (title to 150 characters, headings to 200 in all)."""
    title = " ".join((title or "").split())[:CONTEXT_TITLE]
    heads: list[str] = []
    room = CONTEXT_PATH
    for heading in section[-CONTEXT_HEADINGS:]:
        if room <= 0:
            break
        heads.append(heading[:room])
        room -= len(heading) + 3
    return title, heads


def _headings(paragraphs: Sequence[Paragraph]) -> dict[str, int]:
    """Each heading's text → the index of its paragraph (the first of that text)."""
    found: dict[str, int] = {}
    for i, p in enumerate(paragraphs):
        if p.kind == "heading":
            found.setdefault(p.text, i)
    return found


def context_sources(title: str | None, paragraphs: Sequence[Paragraph]) -> list[str]:
    """The texts a document needs embedded for its paragraphs in context, beyond their own:
    its title, and the headings above them that are not paragraphs of it."""
    headings = _headings(paragraphs)
    wanted: dict[str, None] = {}
    for p in paragraphs:
        cut_title, heads = context_parts(title, p.section)
        if cut_title:
            wanted[cut_title] = None
        for heading in heads:
            if heading not in headings:
                wanted[heading] = None
    return list(wanted)


def in_context(
    title: str | None,
    paragraphs: Sequence[Paragraph],
    own: np.ndarray,
    vector_of: Callable[[str], np.ndarray],
) -> tuple[list[str | None], np.ndarray]:
    """Each paragraph's vector in its context, and what it was read under ("title ›
    headings"; None, and its own vector, where it has neither). ``own``: the paragraphs'
    own vectors, in order; ``vector_of``: the vector of a text ``context_sources`` named."""
    headings = _headings(paragraphs)
    out = np.array(own, dtype=np.float32, copy=True)
    labels: list[str | None] = []
    for i, p in enumerate(paragraphs):
        cut_title, heads = context_parts(title, p.section)
        if not cut_title and not heads:
            labels.append(None)
            continue
        mix = len(p.text) * own[i].astype(np.float32)
        if cut_title:
            mix = mix + GAIN * len(cut_title) * vector_of(cut_title)
        for heading in heads:
            at = headings.get(heading)
            vec = own[at] if at is not None else vector_of(heading)
            mix = mix + GAIN * len(heading) * vec
        norm = float(np.linalg.norm(mix))
        out[i] = mix / norm if norm > 0 else own[i]
        labels.append(" › ".join(part for part in (cut_title, *heads) if part))
    return labels, out
