"""Canonical keys: how different writings of one document meet.

Key rules (documented here, relied on by the catalog and the API):

* A document with a number-symbol is keyed by the normalised symbol alone, e.g.
  ``09-NQ/TW``, ``118/2025/NĐ-CP``, ``864/UBND-PVHCC``. Normalising means: whitespace and
  line breaks removed, any dash turned into ``-``, letters uppercased (``Đ`` kept), the
  ordinal written with at least two digits (``9-NQ/TW`` → ``09-NQ/TW``, as Decree 30/2020
  prescribes), the ASCII codes ``QD``/``ND`` written ``QĐ``/``NĐ``, and Party documents
  always in the Party form ``NN-XX/YY`` (``09/NQ-TW`` → ``09-NQ/TW``). The kind is not part
  of the key: the symbol already names it, and "Nghị quyết số 09-NQ/TW" and "NQ 09-NQ/TW"
  must meet.
* A law cited by name (no symbol) is keyed ``LUAT:<folded name>``, e.g.
  ``LUAT:thuc hien dan chu o co so`` (lowercase, no diacritics, đ→d, single spaces). A law
  cited with its symbol (``Luật số 10/2022/QH15``) is keyed by the symbol like any document.
* The key is for matching; what is shown is the ``number`` of a citation: the key written
  with the document's own case where a code mixes cases (``07/CT-TTg``, see
  ``display_symbol``).
* A law cited by name with its year ("… ngày 16/6/2025", "… năm 2025") is re-keyed to the
  law's number when another citation in the corpus gives that name with a number of that
  year (``references.corpus.law_aliases``, run by the build over the whole catalog).
* Known limitation: a symbol without a year (``683/QĐ-UBND``, ``09-NQ/TW``) can be reused
  by the same body in another year or term; such documents share a key. Each mention keeps
  its own stated date, so the two can still be told apart by date.
"""

from __future__ import annotations

import re
import unicodedata

from indexer.text.vietnamese import fold as fold_text

# Codes of Party bodies that close a Party symbol ("…/TW", "…/TU").
PARTY_ORGS = frozenset({"TW", "TU", "THU", "HU", "QU", "ĐU", "ĐUK", "BCSĐ", "ĐĐ", "TƯ"})

# Type codes that open a symbol, and the kind they denote (used when no kind word is written).
TYPE_KINDS = {
    "NQ": "Nghị quyết",
    "NQLT": "Nghị quyết",
    "NĐ": "Nghị định",
    "QĐ": "Quyết định",
    "QĐI": "Quy định",
    "CT": "Chỉ thị",
    "CTR": "Chương trình",
    "KH": "Kế hoạch",
    "TT": "Thông tư",
    "TTLT": "Thông tư",
    "KL": "Kết luận",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CV": "Công văn",
    "CĐ": "Công điện",
    "BC": "Báo cáo",
    "TTR": "Tờ trình",
    "QC": "Quy chế",
    "ĐA": "Đề án",
    "L": "Luật",
    "PL": "Pháp lệnh",
}

_ASCII_CODES = {"QD": "QĐ", "ND": "NĐ", "QDI": "QĐI"}
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    """``indexer.text.vietnamese.fold`` with whitespace collapsed: for matching only."""
    return _WS.sub(" ", fold_text(text)).strip()


def squash(text: str) -> str:
    """Collapse runs of whitespace (line breaks included) to one space."""
    return _WS.sub(" ", text).strip()


def _code(part: str) -> str:
    part = part.upper()
    return _ASCII_CODES.get(part, part)


def normalize_symbol(raw: str) -> str:
    """The canonical number-symbol for a symbol as written (see the module docstring)."""
    s = _WS.sub("", unicodedata.normalize("NFC", raw)).translate(_DASHES).strip("-/")
    m = re.match(r"(\d+)(.*)", s)
    if not m:
        raise ValueError(f"not a document symbol: {raw!r}")
    number = f"{int(m.group(1)):02d}"
    rest = m.group(2)
    if rest.startswith("-"):  # Party form NN-XX/YY
        codes = [_code(p) for p in re.split(r"[-/]", rest[1:])]
        if len(codes) == 2:
            return f"{number}-{codes[0]}/{codes[1]}"
        return number + "-" + "-".join(codes)
    parts = rest.lstrip("/").split("/")
    head = [p for p in parts[:-1]]  # a year, when present
    tail = [_code(p) for p in parts[-1].split("-")]
    if not head and len(tail) == 2 and tail[1] in PARTY_ORGS and tail[0] in TYPE_KINDS:
        return f"{number}-{tail[0]}/{tail[1]}"  # "09/NQ-TW" is the Party "09-NQ/TW"
    return "/".join([number, *head, "-".join(tail)])


def display_symbol(raw: str) -> str:
    """The canonical symbol, written with the document's own case where a code mixes cases
    (``07/CT-TTg``, ``15-CTr/TU``; not ``07/CT-TTG``). A code typed all in one case takes the
    canonical upper case (``nđ-cp`` → ``NĐ-CP``)."""
    key = normalize_symbol(raw)
    mixed = {
        c.upper(): c for c in re.findall(r"[^\W\d_]+", raw) if not c.isupper() and not c.islower()
    }
    return re.sub(r"[^\W\d_]+", lambda m: mixed.get(m.group(), m.group()), key)


def symbol_kind(key: str) -> str | None:
    """The kind a symbol's type code denotes (``09-NQ/TW`` → Nghị quyết), if it names one."""
    m = re.match(r"\d+-([^/]+)/", key)
    if m:
        return TYPE_KINDS.get(m.group(1))
    last = key.split("/")[-1]
    return TYPE_KINDS.get(last.split("-")[0]) if "-" in last else None


def law_key(name: str) -> str:
    """Key of a law cited by name: ``Thực hiện dân chủ ở cơ sở`` → ``LUAT:thuc hien…``."""
    name = squash(name)
    if fold(name).startswith("luat "):
        name = name[5:]
    return "LUAT:" + fold(name)


_LAW_YEAR = re.compile(r"(?<![\d/])((?:19|20)\d{2})(?![\d/])")
_SYMBOL_YEAR = re.compile(r"^\d+/((?:19|20)\d{2})/")


def law_year(raw: str, date: str | None) -> int | None:
    """The year a law cited by name is of: its stated date's, else "năm 2015" / "2024"."""
    if date:
        return int(date[:4])
    years = _LAW_YEAR.findall(raw)
    return int(years[-1]) if years else None


def symbol_year(key: str) -> int | None:
    """The year inside a symbol (``72/2025/QH15`` → 2025); None when it has none."""
    m = _SYMBOL_YEAR.match(key)
    return int(m.group(1)) if m else None


def loose(key: str) -> str:
    """A comparison form of a key that ignores diacritics and case (``72-QD/TU``)."""
    return fold(key).replace(" ", "")


def number_of(key: str) -> int | None:
    """The leading ordinal of a symbol key (``09-NQ/TW`` → 9); None for laws by name."""
    m = re.match(r"(\d+)", key)
    return int(m.group(1)) if m else None
