"""Find every citation of a legal document in a text.

What counts as a reference (decisions, tested in tests/test_references.py):

* a kind word (or its abbreviation) followed by a number-symbol: "Nghị quyết số 09-NQ/TW",
  "Văn bản số 864/UBND-PVHCC", "NQ 09-NQ/TW", "Quyết định số 72-\\nQĐ/TU";
* a number-symbol written alone, when its shape is unmistakable ("09-NQ/TW",
  "118/2025/NĐ-CP", "76/NQ-CP"; not "12/KH"); its kind comes from the type code, or
  "Văn bản" when there is none ("864/UBND-PVHCC");
* a law cited by name ("Luật Thực hiện dân chủ ở cơ sở ngày 10/11/2022", and the same name
  without a date);
* a kind with a bare ordinal ("Nghị quyết 09") only when the same text also cites exactly
  one document of that kind and ordinal in full: it is then a mention of that document.

Not references: a bare date, a phone number, a year range (2021-2030), "Nghị quyết Đại
hội…", "các Nghị quyết" or any kind word without a number, and a number left blank for
filling in ("Kế hoạch số        /KH-KKTKCN"): they name no concrete document. Anything
inside a URL is ignored.

Each reference carries the date stated right after it (either "ngày 28/01/2022" or "ngày
31 tháng 12 năm 2025", as ISO) and the issuing body stated after "của" ("của Bộ Chính
trị"); the span covers all of it. Text that is not NFC (raw PDF text with combining
accents) is matched in NFC and the spans are mapped back to the text as given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from itertools import islice

from indexer.model import Reference
from indexer.references.canonical import (
    display_symbol,
    law_key,
    normalize_symbol,
    number_of,
    squash,
    symbol_kind,
)
from indexer.references.patterns import (
    BARE_SYMBOL,
    DATE,
    KIND_ABBREVIATIONS,
    KIND_AT,
    KIND_SHORT,
    KIND_SYMBOL,
    KIND_WORDS,
    LAW,
    OF,
    SYMBOL,
    URL,
    WORD,
)
from indexer.text.bodies import starts_body

_TRAIL = ",.;:)]”\"'…!?"
_OPEN = "([“\"'"
# Words that end an issuer's name ("của Bộ Chính trị về …", "của Chính phủ ban hành …").
_ISSUER_STOP = {
    "về", "và", "tại", "đã", "được", "theo", "trong", "nhằm", "để", "ngày", "số", "năm",
    "với", "là", "có", "kèm", "giao", "trên", "đến", "thì", "do", "cho", "này", "nêu",
    "tách", "không", "bãi",
}  # fmt: skip
# Two words that start what a document does, not who issued it (a summary title written
# right after the issuer: "của UBND tỉnh Bình Phước Thành lập Trung tâm y tế …").
_ISSUER_STOP2 = {
    ("ban", "hành"), ("quy", "định"), ("hướng", "dẫn"), ("thực", "hiện"), ("phê", "duyệt"),
    ("sửa", "đổi"), ("triển", "khai"), ("chỉ", "đạo"), ("thành", "lập"), ("bổ", "sung"),
    ("xác", "định"), ("tiếp", "tục"), ("kết", "luận"), ("công", "bố"), ("phân", "bổ"),
    ("điều", "chỉnh"), ("sáp", "nhập"), ("hợp", "nhất"), ("giải", "thể"), ("đổi", "tên"),
    ("vướng", "mắc"), ("phân", "cấp"), ("kiện", "toàn"),
}  # fmt: skip
# Words that end a law's name when no date or number closes it.
_LAW_STOP = {
    "ngày", "năm", "số", "và", "của", "được", "đã", "sẽ", "theo", "về", "để", "trong",
    "tại", "với", "do", "là", "có", "thì", "nhằm", "khi", "trên", "cho", "này", "nêu",
}  # fmt: skip
_YEAR = re.compile(r"\s+(?:(?i:năm)\s+)?(?P<y>(?:19|20)\d{2})(?![\d/])")
_NUMBERED = re.compile(rf"\s+(?:(?i:số)\s*:?\s*)?{SYMBOL}")


def extract_references(text: str) -> list[Reference]:
    """Every reference in ``text``, in order of appearance; spans index into ``text``."""
    if unicodedata.is_normalized("NFC", text):
        return _extract(text)
    nfc, starts, ends = _nfc_map(text)
    refs = _extract(nfc)
    for r in refs:
        r.start, r.end = starts[r.start], ends[r.end - 1]
        r.raw = text[r.start : r.end]
    return refs


def _nfc_map(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` in NFC, with each NFC character's start and end offset in ``text``."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), starts, ends


def _extract(text: str) -> list[Reference]:
    urls = [m.span() for m in URL.finditer(text)]
    refs: list[Reference] = []

    def free(start: int, end: int) -> bool:
        spans = urls + [(r.start, r.end) for r in refs]
        return all(end <= a or start >= b for a, b in spans)

    for m in KIND_SYMBOL.finditer(text):
        if free(m.start(), m.end("sym")):
            refs.append(_with_symbol(text, m.start(), _kind(m.group("kind")), m))
    for m in LAW.finditer(text):
        if free(m.start(), m.end()) and (ref := _law(text, m)) is not None:
            refs.append(ref)
    for m in BARE_SYMBOL.finditer(text):
        if free(m.start(), m.end()):
            key = normalize_symbol(m.group("sym"))
            refs.append(_with_symbol(text, m.start(), symbol_kind(key) or "Văn bản", m))
    full = list(refs)
    for m in KIND_SHORT.finditer(text):
        if free(m.start(), m.end()) and (ref := _short(text, m, full)) is not None:
            refs.append(ref)
    return sorted(refs, key=lambda r: r.start)


def _kind(written: str) -> str:
    return KIND_ABBREVIATIONS.get(written) or KIND_WORDS[squash(written).lower()]


def _with_symbol(text: str, start: int, kind: str, m: re.Match) -> Reference:
    key = normalize_symbol(m.group("sym"))
    date, issuer, end = _tail(text, m.end("sym"))
    number = display_symbol(m.group("sym"))
    return Reference(key, kind, number, date, issuer, None, start, end, text[start:end])


def _tail(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """The date and issuer stated right after a citation, and where the citation ends."""
    date = issuer = None
    end = pos
    if (m := DATE.match(text, pos)) and (iso := _iso(m)):
        date, end = iso, m.end()
    if (m := OF.match(text, end)) and (got := _issuer(text, m.end())):
        issuer, end = got
        if date is None and (m := DATE.match(text, end)) and (iso := _iso(m)):
            date, end = iso, m.end()
    return date, issuer, end


def _iso(m: re.Match) -> str | None:
    d, mo, y = (m.group("d"), m.group("m"), m.group("y"))
    if d is None:
        d, mo, y = (m.group("d2"), m.group("m2"), m.group("y2"))
    try:
        return dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def _issuer(text: str, pos: int) -> tuple[str, int] | None:
    """The body named from ``pos`` on ("Bộ Chính trị", "UBND tỉnh Khánh Hòa") and its end."""
    words = [(w.group(), w.start()) for w in islice(WORD.finditer(text, pos), 14)]
    kept: list[tuple[str, int]] = []
    for i, (word, at) in enumerate(words):
        core = word.rstrip(_TRAIL)
        if not core or word[0] in _OPEN or core.isdigit():
            break
        low = core.lower()
        nxt = words[i + 1][0] if i + 1 < len(words) else ""
        head_bo = bool(kept) and kept[0][0] == "Bộ"
        if not kept and not core[0].isupper():
            return None
        if low in _ISSUER_STOP and not (low == "và" and head_bo and nxt[:1].isupper()):
            break
        if (low, nxt.lower().rstrip(_TRAIL)) in _ISSUER_STOP2:
            break
        kept.append((core, at))
        if core != word and not (word.endswith(",") and head_bo and _continues(text, i, words)):
            break
    if not kept:
        return None
    last, at = kept[-1]
    end = at + len(last.rstrip(","))
    return squash(text[kept[0][1] : end]), end


def _continues(text: str, i: int, words: list[tuple[str, int]]) -> bool:
    """After "Bộ Văn hóa," does the ministry's name go on ("Thể thao và Du lịch"), rather
    than the sentence turning to a cited document ("Bộ Chính trị, Nghị quyết số …")?"""
    if i + 1 >= len(words):
        return False
    nxt, at = words[i + 1]
    return nxt[:1].isupper() and not KIND_AT.match(text, at) and not starts_body(text[at : at + 60])


def _law(text: str, m: re.Match) -> Reference | None:
    """A law cited by name: the name runs to a date/year/number, else to punctuation."""
    words = [(w.group(), w.start()) for w in islice(WORD.finditer(text, m.end()), 25)]
    if not words or not words[0][0][0].isupper():
        return None
    name: list[tuple[str, int]] = []
    closer = None
    for word, at in words:
        core = word.rstrip(_TRAIL)
        if name and (core.lower() in ("ngày", "năm", "số") or core[:1].isdigit()):
            prev_end = name[-1][1] + len(name[-1][0])
            closer = _law_closer(text, prev_end)
            if closer:
                break
        if not core or word[0] in _OPEN or (name and core in ("Luật", "Bộ")):
            break
        if any(c.isdigit() for c in core):  # a number-symbol or a year: not the name's
            break
        name.append((core, at))
        if core != word and word[len(core)] != ",":
            break
    if closer is None:  # no date or number: stop at the first comma or stop word
        short: list[tuple[str, int]] = []
        for core, at in name:
            if short and core.lower() in _LAW_STOP:
                break
            short.append((core, at))
            if text[at + len(core) : at + len(core) + 1] == ",":
                break
        name = short
    if not name:
        return None
    end = name[-1][1] + len(name[-1][0].rstrip(","))
    title = squash(m.group("kind") + " " + text[name[0][1] : end])
    key, number, date, issuer = law_key(title), None, None, None
    if closer:
        kind_of, cm = closer
        end = cm.end()
        if kind_of == "date":
            date = _iso(cm)
        elif kind_of == "number":
            key, number = normalize_symbol(cm.group("sym")), display_symbol(cm.group("sym"))
        d2, issuer, end = _tail(text, end)
        date = date or d2
    kind = "Bộ luật" if m.group("kind").startswith("Bộ") else "Luật"
    return Reference(key, kind, number, date, issuer, title, m.start(), end, text[m.start() : end])


def _law_closer(text: str, pos: int) -> tuple[str, re.Match] | None:
    if (cm := DATE.match(text, pos)) and _iso(cm):
        return "date", cm
    if cm := _YEAR.match(text, pos):
        return "year", cm
    if cm := _NUMBERED.match(text, pos):
        return "number", cm
    return None


def _short(text: str, m: re.Match, full: list[Reference]) -> Reference | None:
    """ "Nghị quyết 09": a mention of the one fully cited document it can only mean."""
    kind = _kind(m.group("kind"))
    num = int(m.group("num"))
    date, issuer, end = _tail(text, m.end("num"))
    cands = {r.key: r for r in full if r.number and r.kind == kind and number_of(r.key) == num}
    if issuer:
        cands = {k: r for k, r in cands.items() if r.issuer and r.issuer == issuer}
    if len(cands) != 1:
        return None
    ((key, ref),) = cands.items()
    return Reference(
        key, kind, ref.number, date, issuer, None, m.start(), end, text[m.start() : end]
    )
