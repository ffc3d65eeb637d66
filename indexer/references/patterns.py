"""Regular expressions for the parts of a citation.

Every gap between the parts of a citation is ``\\s+``/``\\s*`` so that a reference broken
across lines of raw PDF text ("Nghị\\n\\nquyết số 09-NQ/TW", "Quyết định số 72-\\n\\nQĐ/TU")
matches the same way as in cleaned text.
"""

from __future__ import annotations

import re

# Written kind words → the kind we report. Longest first so the alternation prefers them.
KIND_WORDS: dict[str, str] = {
    "nghị quyết liên tịch": "Nghị quyết",
    "thông tư liên tịch": "Thông tư",
    "chương trình hành động": "Chương trình",
    "thông báo kết luận": "Thông báo",
    "nghị quyết": "Nghị quyết",
    "nghị định": "Nghị định",
    "quyết định": "Quyết định",
    "chỉ thị": "Chỉ thị",
    "kế hoạch": "Kế hoạch",
    "văn bản": "Văn bản",
    "công văn": "Công văn",
    "công điện": "Công điện",
    "thông tư": "Thông tư",
    "thông báo": "Thông báo",
    "bộ luật": "Bộ luật",
    "luật": "Luật",
    "pháp lệnh": "Pháp lệnh",
    "kết luận": "Kết luận",
    "hướng dẫn": "Hướng dẫn",
    "chương trình": "Chương trình",
    "quy định": "Quy định",
    "quy chế": "Quy chế",
    "đề án": "Đề án",
    "báo cáo": "Báo cáo",
    "tờ trình": "Tờ trình",
}

# Abbreviated kinds, matched case-sensitively ("NQ 09-NQ/TW", "QĐ 72-QĐ/TU").
KIND_ABBREVIATIONS: dict[str, str] = {
    "NQ": "Nghị quyết",
    "NĐ": "Nghị định",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "KH": "Kế hoạch",
    "TT": "Thông tư",
    "KL": "Kết luận",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CV": "Công văn",
    "VB": "Văn bản",
}

_words = sorted(KIND_WORDS, key=len, reverse=True)
_KIND_WORD = "|".join(r"\s+".join(map(re.escape, w.split())) for w in _words)
_KIND_ABBR = "|".join(sorted(KIND_ABBREVIATIONS, key=len, reverse=True))
KIND = rf"(?<!\w)(?P<kind>(?i:{_KIND_WORD})|{_KIND_ABBR})(?!\w)"

KIND_AT = re.compile(KIND)  # a kind word starts here ("Nghị quyết", "QĐ")

NUM = r"\d{1,5}"
CODE = r"[A-ZĐ][A-Za-zĐđ0-9]*(?!\w)"
# After a kind word any whitespace may sit around the separators (line breaks in raw text),
# and the codes may be written in lower case ("Nghị định 118/2025/nđ-cp").
ANYCODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*(?!\w)"
PARTY = rf"{NUM}\s*-\s*{ANYCODE}\s*/\s*{ANYCODE}"
STATE = rf"{NUM}\s*/\s*(?:\d{{4}}\s*/\s*)?{ANYCODE}(?:\s*-\s*{ANYCODE})*"
SYMBOL = rf"(?<![\d/])(?P<sym>{PARTY}|{STATE})(?![/\w])"

# "Nghị quyết số 09-NQ/TW", "Văn bản\n\nsố 60/UBND-TH", "NQ 09-NQ/TW", "Quyết định số: 72-QĐ/TU"
KIND_SYMBOL = re.compile(rf"{KIND}(?:\s+(?i:số)\s*:?\s*|\s*:\s*|\s+){SYMBOL}")

# A symbol written without a kind word: stricter (no spaces, except a line break after a
# hyphen), and a state symbol needs a year or a second code so that "12/KH" alone is not one.
BARE_SYMBOL = re.compile(
    rf"(?<![\w/.\-])(?P<sym>{NUM}-(?:[^\S\n]*\n\s*)?{CODE}/{CODE}"
    rf"|{NUM}/(?:\d{{4}}/)?{CODE}-{CODE}(?:-{CODE})*"
    rf"|{NUM}/\d{{4}}/{CODE})(?![/\w])"
)

# A kind with a bare ordinal and no symbol: "Nghị quyết 09", "Nghị quyết số 09".
KIND_SHORT = re.compile(rf"{KIND}(?:\s+(?i:số))?\s+(?P<num>{NUM})(?![\w/\-]|[.,]\d)")

_DAY = r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})"
_LONG = r"(?P<d2>\d{1,2})\s+(?i:tháng)\s+(?P<m2>\d{1,2})\s+(?i:năm)\s+(?P<y2>\d{4})"
# "ngày 28/01/2022", ", ngày 22/12/2024", "ngày 31 tháng 12 năm 2025"
DATE = re.compile(rf"(?:\s*,\s*|\s+)(?i:ngày)\s+(?:{_DAY}|{_LONG})(?!\d)")

# "của Bộ Chính trị": the body itself is read word by word (see extract._issuer).
OF = re.compile(r"(?:\s*,\s*|\s+)(?i:của)\s+")

# A law cited by name: "Luật Thực hiện dân chủ ở cơ sở" (capital L, a capitalised name).
LAW = re.compile(r"(?<![\w/\-])(?P<kind>Bộ\s+luật|Luật)\s+(?=\w)")

URL = re.compile(r"(?:https?://|www\.)\S+")
WORD = re.compile(r"\S+")
