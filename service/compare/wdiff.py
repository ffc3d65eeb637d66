"""Word-level diff of two paragraphs (difflib over word tokens)."""

from __future__ import annotations

import difflib
import re

from service.compare.model import DiffOp
from service.compare.normalize import nfc

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def _key(word: str) -> str:
    """Words compare equal regardless of case and attached punctuation."""
    return _EDGE_PUNCT.sub("", nfc(word).casefold()) or word


def word_diff(a: str, b: str) -> list[DiffOp]:
    """The steps that turn text a into text b, word by word; texts keep their own
    spelling (an `equal` step shows b's words, which may differ in case or punctuation)."""
    wa, wb = _TOKEN.findall(a), _TOKEN.findall(b)
    sm = difflib.SequenceMatcher(None, [_key(w) for w in wa], [_key(w) for w in wb], False)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        ops.append(DiffOp(tag, " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))
    return ops
