"""What the project knows about written Vietnamese, in one place.

- **Folding**: the form texts are compared in — lower case, no diacritics, đ → d
  (``fold``); ``fold_keeping_length`` maps each character to one character, so offsets in
  the folded text are offsets in the original (snippet highlighting).
- **The syllable grammar**: onset + vowel cluster + final consonant, at most one tone
  (``is_syllable``), and the tone rules a well-formed word follows (``well_toned``): stop
  finals (c, ch, p, t) take only sắc or nặng; the tone sits on the vowel cluster, on its
  ă/â/ê/ô/ơ/ư when it has one, never on a closing i/y/o/u glide. Readers use it to tell a
  good decoding from a bad one, cleaning to put spaces back into letter-spaced runs, the
  query-cost estimate to count words.
- **The abbreviation table** of public administration (``ABBREVIATIONS``): query expansion
  and compare read the same long forms; the corpus adds its own at build time
  (``indexer.text.acronyms``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --------------------------------------------------------------------------------- folding


def _fold_table() -> dict[int, str | None]:
    """Precomposed Latin and Vietnamese letters → their base letter (lower case); combining
    marks → nothing; đ/Đ → d."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "d"}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and len(base) == 1:
            table[cp] = base.lower()
    for cp in range(0x300, 0x370):  # combining diacritical marks left after composition
        table[cp] = None
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lowercase, strip diacritics, map đ → d: ``"Số hóa Đề án"`` → ``"so hoa de an"``."""
    return unicodedata.normalize("NFC", text).translate(_FOLD).lower()


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character folded to one character: lowercase, no diacritics, đ→d."""
    low = ch.lower()
    if low == "đ":
        return "d"
    base = unicodedata.normalize("NFD", low)[0]
    return base if len(base) == 1 else low


class _CharFolds(dict):
    """Code point → ``fold_char`` of it, filled as characters are met (``str.translate``
    looks a missing key up through ``__missing__``)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_CHAR_FOLDS = _CharFolds()


def fold_keeping_length(text: str) -> str:
    """``fold`` character by character, so offsets in the result are offsets in ``text``."""
    return text.translate(_CHAR_FOLDS)


# -------------------------------------------------------------------------- syllable grammar
GRAVE, HOOK, TILDE, ACUTE, DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
TONES = (GRAVE, HOOK, TILDE, ACUTE, DOT)  # huyền, hỏi, ngã, sắc, nặng: the code tables' order
MARKED_VOWELS = "ăâêôơư"  # the vowel that carries the tone when a cluster has one

ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
# vowel clusters ending in a glide (no final consonant), those that need one, and the rest
OPEN = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|uya|uyu|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu"  # noqa: E501
)
CLOSED = "uyê|iê|yê|uô|ươ|oă|uâ|oo|ă|â"
# "ia", "ua", "ưa" close with a consonant only when written without marks ("luat", "nguon")
FREE = "ia|ua|ưa|oa|oe|uê|uy|uơ|a|e|ê|i|o|ô|ơ|u|ư|y"
CODA = "ch|ng|nh|c|m|n|p|t"
_SYLLABLE = re.compile(
    rf"(?P<on>{ONSET})(?:(?P<open>{OPEN})|(?P<closed>{CLOSED})(?P<c1>{CODA})"
    rf"|(?P<free>{FREE})(?P<c2>{CODA})?)"
)
_FRONT = "eêiy"  # k, gh, ngh only before these; c never (standard spelling)
_BEFORE_CH_NH = {"a", "ê", "i", "y", "oa", "uy", "uê"}  # the clusters "ch", "nh" may close


def _toneless(word: str) -> tuple[str, str, int] | None:
    """(the word without its tone, the tone mark or "", where it sat) — None when the word
    has more than one tone or is not made of letters."""
    base_chars, tone, tone_at = [], "", -1
    for i, ch in enumerate(word):
        parts = unicodedata.normalize("NFD", ch)
        marks = [m for m in parts if m in TONES]
        if marks:
            if tone or len(marks) > 1:
                return None
            tone, tone_at = marks[0], i
            parts = "".join(m for m in parts if m not in TONES)
        base_chars.append(unicodedata.normalize("NFC", parts))
    base = "".join(base_chars)
    if len(base) != len(word) or not base.isalpha():
        return None
    return base, tone, tone_at


def _spelled(base: str) -> re.Match[str] | None:
    """The grammar's parse of a toneless lower-case syllable, or None."""
    match = _SYLLABLE.fullmatch(base)
    if match is None:
        return None
    onset = match["on"]
    vowel = base[len(onset) : len(onset) + 1]
    if onset in ("k", "gh", "ngh") and vowel not in _FRONT:
        return None
    if onset == "c" and vowel in _FRONT:
        return None
    if (match["c1"] or match["c2"]) in ("ch", "nh") and match["free"] not in _BEFORE_CH_NH:
        return None
    return match


@lru_cache(maxsize=1 << 16)
def is_syllable(word: str) -> bool:
    """True if ``word`` (any case) is spelled as one Vietnamese syllable: onset, vowel
    cluster and final consonant from the grammar, at most one tone (wherever it sits)."""
    parts = _toneless(word.lower())
    return parts is not None and _spelled(parts[0]) is not None


@lru_cache(maxsize=1 << 16)
def well_toned(word: str) -> bool:
    """True if a lower-case NFC ``word`` is a syllable whose tone also obeys the rules (see
    the module docstring): what a correct decoding of a Vietnamese text produces."""
    parts = _toneless(word)
    if parts is None:
        return False
    base, tone, tone_at = parts
    match = _spelled(base)
    if match is None:
        return False
    coda = match["c1"] or match["c2"] or ""
    if coda in ("c", "ch", "p", "t") and tone not in (ACUTE, DOT):
        return False
    if not tone:
        return True
    name = next(g for g in ("open", "closed", "free") if match[g])
    start, end = match.span(name)
    nucleus = match[name]
    if not start <= tone_at < end:
        return False
    if any(v in MARKED_VOWELS for v in nucleus):
        return base[tone_at] in MARKED_VOWELS
    last_glide = name == "open" and nucleus[-1] in "iyou"
    return not (last_glide and tone_at == end - 1)


# ---------------------------------------------------------------------- abbreviation table
# (long form, abbreviation): general vocabulary of public administration, not tuned to any
# query or plan. Query expansion adds one for the other; compare reads an abbreviation as its
# longest long form. An abbreviation may have several long forms (plans define CCVC either way).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("trí tuệ nhân tạo", "AI"),
    ("cải cách hành chính", "CCHC"),
    ("thủ tục hành chính", "TTHC"),
    ("cán bộ, công chức, viên chức", "CBCCVC"),
    ("cán bộ, công chức", "CBCC"),
    ("công chức, viên chức", "CCVC"),
    ("công chức, viên chức, người lao động", "CCVC"),  # as plans often define it
    ("Ủy ban nhân dân", "UBND"),
    ("Hội đồng nhân dân", "HĐND"),
    ("dịch vụ công trực tuyến", "DVCTT"),
    ("công nghệ thông tin", "CNTT"),
    ("thông tin điện tử", "TTĐT"),
    ("chuyển đổi số", "CĐS"),
    ("đổi mới sáng tạo", "ĐMST"),
    ("khoa học công nghệ", "KHCN"),
    ("cơ sở dữ liệu", "CSDL"),
    ("khu kinh tế", "KKT"),
    ("khu công nghiệp", "KCN"),
    ("mạng xã hội", "MXH"),
    ("người lao động", "NLĐ"),
    ("học sinh, sinh viên", "HSSV"),
    ("văn bản quy phạm pháp luật", "VBQPPL"),
    ("văn bản điện tử", "VBĐT"),
    ("Ban Chỉ đạo", "BCĐ"),
    ("trung tâm giám sát điều hành thông minh", "IOC"),
)
