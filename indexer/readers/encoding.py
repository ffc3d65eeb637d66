"""Bytes → NFC Unicode text for plan files, including legacy Vietnamese encodings.

Order of decisions (no file names involved):
1. a byte-order mark (UTF-8, UTF-16 LE/BE) settles it;
2. NUL bytes: UTF-16 without BOM if they sit on every other byte, otherwise binary;
3. control bytes beyond a trace: binary;
4. valid UTF-8 is UTF-8, but the text is checked for TCVN3/VNI (or UTF-8) bytes that were
   decoded as Windows-1252/Latin-1 ("KÕ ho¹ch", "Keá hoaïch") and repaired line by line
   when the repair turns odd symbols and impossible syllables into valid Vietnamese;
5. otherwise each single-byte decoding (TCVN3, VNI, Windows-1258) is scored by character
   statistics: words with non-ASCII letters that are valid Vietnamese syllables count for
   it, impossible syllables and stray symbols count against it. The best one is kept if
   at least 3 in 4 of those words are valid; else the file is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from indexer.errors import UnreadableFileError
from indexer.readers import legacy_tables as lt
from indexer.text.vietnamese import well_toned

UNKNOWN_REASON = "text is not in a known encoding (UTF-8, UTF-16, Windows-1258, TCVN3, VNI)"
UNKNOWN_HINT = "save the file as UTF-8 and index it again"
BINARY_HINT = "check that it is a text file, save it as UTF-8 and index it again"
MIN_VALID_SHARE = 0.75  # share of accented words that must be valid syllables
MAX_CONTROL_SHARE = 0.001  # more control characters than this = binary

# --------------------------------------------------------------------- syllable statistics
_WORD = re.compile(r"[^\W\d_]+")
# Non-ASCII symbols that are normal in Vietnamese typed text; any other one is suspicious.
_ODD = re.compile(r"[^\x00-\x7f\w\s“”‘’–—…•°±€™]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(slots=True)
class Stats:
    good: int = 0  # accented words that are valid syllables
    bad: int = 0  # accented words that are not, plus stray symbols
    common: int = 0  # valid words among the most frequent syllables

    @property
    def score(self) -> float:
        return self.good + self.common - 3 * self.bad

    @property
    def valid_share(self) -> float:
        return self.good / (self.good + self.bad) if self.good + self.bad else 1.0


def text_stats(text: str) -> Stats:
    """Character statistics of a decoded candidate (see the module docstring)."""
    stats = Stats(bad=len(_ODD.findall(text)) + len(_CONTROL.findall(text)))
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        lower = word.lower()
        # A capital after a small letter ("huÊn", "chÝnh") is a mis-decoding, never a word.
        camel = any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False))
        if not camel and well_toned(lower):
            stats.good += 1
            stats.common += lower in lt.COMMON_SYLLABLES
        elif len(word) > 1 and not lower.replace("đ", "").isascii():
            stats.bad += 1  # lone letters (letter-spaced runs) and "vbđt"-like words: neutral
    return stats


# --------------------------------------------------------------------- single-byte decoders
_TCVN3_TABLE = {
    b: lt.TCVN3_TO_UNI.get(b) or lt.TCVN3_LOW.get(b) or lt.cp1252_char(b) for b in range(256)
}
_CP1252_TABLE = {b: lt.cp1252_char(b) for b in range(0x80, 0xA0)}
_VNI_LETTERS = lt.VNI_PAIRS | lt.VNI_SINGLES
_VNI_LETTER = re.compile(
    f"[{re.escape(lt.VNI_BASES)}][{re.escape(lt.VNI_MARKS)}]|[{re.escape(''.join(lt.VNI_SINGLES))}]"
)
_CASELESS = re.compile(f"[{''.join(sorted(lt.TCVN3_CASELESS))}]")


def _restore_tcvn3_case(text: str) -> str:
    """Upper-case the toned letters TCVN3 writes in lower case inside all-caps lines/words."""

    def caps(s: str, minimum: int) -> bool:
        cased = [
            ch
            for ch in s
            if ch.isalpha() and ch not in lt.TCVN3_CASELESS and ch.lower() != ch.upper()
        ]
        return len(cased) >= minimum and all(ch.isupper() for ch in cased)

    def fix_word(m: re.Match[str]) -> str:
        w = m.group()
        return w.upper() if _CASELESS.search(w) and caps(w, 2) else w

    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if _CASELESS.search(line):
            lines[i] = line.upper() if caps(line, 3) else _WORD.sub(fix_word, line)
    return "".join(lines)


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 (ABC) bytes → text; bytes outside the table keep their Windows-1252 meaning."""
    return _restore_tcvn3_case(data.decode("latin-1").translate(_TCVN3_TABLE))


def decode_vni(data: bytes) -> str:
    """VNI-Windows bytes → text: letter + diacritic byte pairs and one-byte letters (ơ, ư, đ…)."""
    text = data.decode("latin-1").translate(_CP1252_TABLE)
    return _VNI_LETTER.sub(lambda m: _vni_letter(m.group()), text)


def _vni_letter(seq: str) -> str:
    """One VNI letter; an invalid pair (e.g. "uâ") gives its first byte's letter + the mark."""
    if seq in _VNI_LETTERS:
        return _VNI_LETTERS[seq]
    return _VNI_LETTERS.get(seq[0], seq[0]) + seq[1:]


def decode_cp1258(data: bytes) -> str | None:
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None


def _decode_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# Tried in this order; the first wins a tie.
SINGLE_BYTE: dict[str, Callable[[bytes], str | None]] = {
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
    "cp1258": decode_cp1258,
}
MOJIBAKE: dict[str, Callable[[bytes], str | None]] = {
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
    "utf-8": _decode_utf8,
    "cp1258": decode_cp1258,
}

_VNI_PAIR = re.compile(f"[{re.escape(lt.VNI_BASES)}][{re.escape(lt.VNI_MARKS)}]")
_VNI_MARK = re.compile(f"[{re.escape(lt.VNI_MARKS)}]")
# High bytes TCVN3 leaves to Windows-1252 that are letters (À, Å, à, ð, ÿ…): never in ABC text.
_TCVN3_STRAY = [
    b for b in range(0xA0, 0x100) if b not in lt.TCVN3_TO_UNI and lt.cp1252_char(b).isalpha()
]


def stray_bytes(name: str, data: bytes) -> int:
    """Bytes that cannot occur in real text of that encoding (a VNI diacritic with no letter
    before it, a TCVN3 byte outside the table that would be a Latin letter)."""
    if name == "vni":
        latin = data.decode("latin-1")
        paired = sum(p in lt.VNI_PAIRS for p in _VNI_PAIR.findall(latin))
        return len(_VNI_MARK.findall(latin)) - paired
    if name == "tcvn3":
        return sum(data.count(b) for b in _TCVN3_STRAY)
    return 0


def candidate_stats(name: str, data: bytes, text: str) -> Stats:
    """Statistics of one reading of ``data`` (its text plus its impossible bytes)."""
    stats = text_stats(text)
    stats.bad += stray_bytes(name, data)
    return stats


# --------------------------------------------------------------------- mis-decoded text
_TO_LATIN1 = {ord(lt.cp1252_char(b)): chr(b) for b in range(0x80, 0xA0)}


def _as_legacy_bytes(text: str) -> bytes | None:
    """The bytes a Windows-1252/Latin-1 reading turned into ``text`` (None if it cannot be)."""
    try:
        return text.translate(_TO_LATIN1).encode("latin-1")
    except UnicodeEncodeError:
        return None


def _better(name: str, data: bytes, new: str, old: str) -> bool:
    a, b = candidate_stats(name, data, new), text_stats(old)
    return a.bad < b.bad and a.score > b.score


def repair_misdecoded(text: str) -> tuple[str, str | None]:
    """Undo legacy bytes read as Windows-1252; returns (text, the encoding repaired or None).

    Lines that only hold characters a Windows-1252/Latin-1 reading can produce are pooled; the
    reading (TCVN3, VNI, UTF-8, Windows-1258) that best turns the pool into valid Vietnamese
    wins. It is applied to every pooled line when all accented lines are in the pool, else only
    to the lines it improves (a document mixing Unicode and misread paragraphs).
    """
    lines = text.splitlines(keepends=True)
    raw: dict[int, bytes] = {}
    for i, line in enumerate(lines):
        if not line.isascii() and (data := _as_legacy_bytes(line)) is not None:
            raw[i] = data
    if not raw:
        return text, None
    pool = "".join(lines[i] for i in raw)
    pool_raw = b"".join(raw.values())
    original = text_stats(pool)
    best, best_score = None, original.score
    for name, decode in MOJIBAKE.items():
        fixed = decode(pool_raw)
        if fixed is None:
            continue
        stats = candidate_stats(name, pool_raw, fixed)
        fits = stats.good and stats.valid_share >= MIN_VALID_SHARE and stats.bad < original.bad
        if fits and stats.score > best_score:
            best, best_score = name, stats.score
    if best is None:
        return text, None
    whole = len(raw) == sum(not line.isascii() for line in lines)
    for i, data in raw.items():
        fixed = MOJIBAKE[best](data)
        if fixed is not None and (whole or _better(best, data, fixed, lines[i])):
            lines[i] = fixed
    return "".join(lines), best


def repair_as(text: str, name: str) -> str:
    """Every line of ``text`` that a Windows-1252 reading of ``name`` bytes can have made,
    decoded as ``name``: the repair ``repair_misdecoded`` chose for a document, applied to its
    other parts (the cells of its tables)."""
    out = []
    for line in text.splitlines(keepends=True):
        data = None if line.isascii() else _as_legacy_bytes(line)
        fixed = MOJIBAKE[name](data) if data is not None else None
        out.append(fixed if fixed is not None else line)
    return "".join(out)


# --------------------------------------------------------------------- entry points
def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit on one byte of every pair, else None."""
    if len(data) < 2 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd >= 0.2 and zero_even <= 0.02:
        return "utf-16-le"
    if zero_even >= 0.2 and zero_odd <= 0.02:
        return "utf-16-be"
    return None


# C0 control bytes that are neither whitespace, the DOS end-of-file mark nor a TCVN3 letter.
_CONTROL_BYTES = [b for b in range(0x20) if b not in lt.TCVN3_LOW and b not in b"\t\n\v\f\r\x1a"]


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(1, len(text))


def _binary(source: str, what: str) -> UnreadableFileError:
    return UnreadableFileError(source, f"binary data, not text ({what})", BINARY_HINT)


def _unicode(data: bytes, codec: str, source: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            source, f"starts with a {label} byte-order mark but is not valid {label}", UNKNOWN_HINT
        ) from exc


def detect_and_decode(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """(NFC text, encoding name) for a plan file's bytes; UnreadableFileError if not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        text, name = _unicode(data[3:], "utf-8", source, "UTF-8"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, name = _unicode(data, "utf-16", source, "UTF-16"), "utf-16"
    elif b"\x00" in data:
        codec = _utf16_without_bom(data)
        decoded: str | None = None
        if codec is not None:
            try:
                decoded, name = data.decode(codec), codec
            except UnicodeDecodeError:
                decoded = None
        if decoded is None:
            raise _binary(source, "NUL bytes")
        text = decoded
    else:
        text, name = _decode_text(data, source)
    text = text.rstrip("\x1a")  # DOS end-of-file marker
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise _binary(source, "control characters")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)), name


def _decode_text(data: bytes, source: str) -> tuple[str, str]:
    """Bytes without BOM or NUL: UTF-8 (repaired if mis-decoded) or a scored legacy code page."""
    controls = sum(data.count(b) for b in _CONTROL_BYTES)
    if controls > MAX_CONTROL_SHARE * len(data):
        raise _binary(source, "control characters")
    text = _decode_utf8(data)
    if text is not None:
        text = unicodedata.normalize("NFC", text)
        repaired, origin = repair_misdecoded(text)
        return repaired, "utf-8" if origin is None else f"{origin} read as cp1252"
    best: tuple[Stats, str, str] | None = None
    for name, decode in SINGLE_BYTE.items():
        candidate = decode(data)
        if candidate is None:
            continue
        candidate = unicodedata.normalize("NFC", candidate)
        stats = candidate_stats(name, data, candidate)
        if stats.valid_share >= MIN_VALID_SHARE and (best is None or stats.score > best[0].score):
            best = (stats, name, candidate)
    if best is None:
        raise UnreadableFileError(source, UNKNOWN_REASON, UNKNOWN_HINT)
    if best[0].good == 0 and (plain := decode_cp1258(data)) is not None:
        return plain, "cp1258"  # no Vietnamese word at all: read it as the Windows code page
    return best[2], best[1]


def decode_bytes(data: bytes, source: str = "<bytes>") -> str:
    """NFC Unicode text from UTF-8/UTF-16/Windows-1258/TCVN3/VNI bytes (see module doc)."""
    return detect_and_decode(data, source)[0]
