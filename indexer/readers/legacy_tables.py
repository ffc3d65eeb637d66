"""Mapping tables for the legacy Vietnamese encodings TCVN3 (ABC) and VNI-Windows.

Sources (public tables; cross-checked against each other, nothing copied verbatim):
- TCVN3: GNU libiconv ``lib/tcvn.h`` (TCVN 5712:1993 VN1, positions 0xA1–0xFE shared with the
  ABC/VN3 subset used by the .VnTime fonts) and the TCVN3 row of x-unikey's VnConv
  ``data.cpp`` (which maps every upper-case toned letter onto the lower-case byte).
- VNI-Windows: x-unikey VnConv ``data.cpp`` (VNI-WIN row) and the VniToUni table published in
  many converters (e.g. the "vietnamese-conversion" npm package's ``charsets``).

Both encodings keep ASCII as is and use the Windows-1252 glyphs for the bytes they do not
occupy (curly quotes, dashes, ellipsis in 0x80–0x9F), which is why the decoders fall back to
cp1252 for those bytes.

TCVN3 limitation: the ABC/VN3 code page has no upper-case toned letters (Ấ, Ế, Ộ …); ABC
documents write them with the lower-case byte in an upper-case font (.VnTimeH). Encoding an
upper-case toned letter therefore yields the lower-case byte, and decoding gives the lower-case
letter (the decoder restores the case inside all-caps words and lines).
"""

from __future__ import annotations

import unicodedata

# Tone marks in the order used by both tables below.
from indexer.text.vietnamese import ACUTE, DOT, GRAVE, HOOK, TILDE, TONES

VOWELS = "aăâeêioôơuưy"


def compose(base: str, tone: str = "") -> str:
    """One precomposed letter from a base letter (a, ê, ơ…) and an optional tone mark."""
    return unicodedata.normalize("NFC", base + tone)


def vietnamese_letters() -> list[str]:
    """All 134 precomposed Vietnamese letters outside ASCII (lower and upper case)."""
    out: list[str] = []
    for base in VOWELS:
        for tone in ("", *TONES):
            letter = compose(base, tone)
            if not letter.isascii():
                out += [letter, letter.upper()]
    return out + ["đ", "Đ"]


# ---------------------------------------------------------------------------- TCVN3 (ABC)
# Bytes of the toned letters: base → (grave, hook, tilde, acute, dot below).
_TCVN3_TONED: dict[str, tuple[int, int, int, int, int]] = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),  # à ả ã á ạ
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),  # ằ ẳ ẵ ắ ặ
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),  # ầ ẩ ẫ ấ ậ
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),  # è ẻ ẽ é ẹ
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),  # ề ể ễ ế ệ
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),  # ì ỉ ĩ í ị
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),  # ò ỏ õ ó ọ
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),  # ồ ổ ỗ ố ộ
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),  # ờ ở ỡ ớ ợ
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),  # ù ủ ũ ú ụ
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),  # ừ ử ữ ứ ự
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),  # ỳ ỷ ỹ ý ỵ
}
# Letters without a tone (upper and lower case both exist in VN3).
_TCVN3_PLAIN = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
}  # fmt: skip
# TCVN 5712 VN1 puts a few upper-case toned letters on C0 control positions; accepted when
# decoding (they are never text otherwise), never produced when encoding.
TCVN3_LOW: dict[int, str] = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ",
    0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
}  # fmt: skip

TCVN3_TO_UNI: dict[int, str] = dict(_TCVN3_PLAIN)
for _base, _codes in _TCVN3_TONED.items():
    for _tone, _code in zip(TONES, _codes, strict=True):
        TCVN3_TO_UNI[_code] = compose(_base, _tone)

# Lower-case toned letters: the ones TCVN3 cannot tell from their upper case.
TCVN3_CASELESS = frozenset(ch for ch in TCVN3_TO_UNI.values() if ch.upper() not in "ĂÂÊÔƠƯĐ")

UNI_TO_TCVN3: dict[str, int] = {ch: code for code, ch in TCVN3_TO_UNI.items()}
for _ch, _code in list(UNI_TO_TCVN3.items()):
    if _ch in TCVN3_CASELESS:
        UNI_TO_TCVN3.setdefault(_ch.upper(), _code)  # the documented lossy case

# ---------------------------------------------------------------------------- VNI-Windows
# Diacritic bytes that follow the base letter (lower-case forms; upper case is 0x20 less).
_VNI_TONE = {GRAVE: 0xF8, HOOK: 0xFB, TILDE: 0xF5, ACUTE: 0xF9, DOT: 0xEF}  # ø û õ ù ï
_VNI_CIRC = {"": 0xE2, GRAVE: 0xE0, HOOK: 0xE5, TILDE: 0xE3, ACUTE: 0xE1, DOT: 0xE4}  # â à å ã á ä
_VNI_BREVE = {"": 0xEA, GRAVE: 0xE8, HOOK: 0xFA, TILDE: 0xFC, ACUTE: 0xE9, DOT: 0xEB}  # ê è ú ü é ë
# Letters that are one byte of their own (lower-case byte; upper case is 0x20 less).
_VNI_SINGLE_LOWER = {
    "ơ": 0xF4, "ư": 0xF6, "đ": 0xF1, "í": 0xED, "ì": 0xEC, "ỉ": 0xE6, "ĩ": 0xF3, "ị": 0xF2,
    "ỵ": 0xEE,
}  # fmt: skip
_HORN_BASE = {"ơ": "o", "ư": "u"}


def _vni_lower(letter: str) -> bytes | None:
    """VNI bytes of a lower-case Vietnamese letter (None if it is plain ASCII)."""
    if letter in _VNI_SINGLE_LOWER:
        return bytes([_VNI_SINGLE_LOWER[letter]])
    decomposed = unicodedata.normalize("NFD", letter)
    tone = next((m for m in decomposed if m in TONES), "")
    rest = decomposed.replace(tone, "") if tone else decomposed
    base = unicodedata.normalize("NFC", rest)
    if base in _HORN_BASE:  # ớ = ô-byte (ơ) + tone byte
        return bytes([_VNI_SINGLE_LOWER[base], _VNI_TONE[tone]])
    if base in "âêô":
        return bytes([ord(rest[0]), _VNI_CIRC[tone]])
    if base == "ă":
        return bytes([ord("a"), _VNI_BREVE[tone]])
    if tone and base in "aeouy":
        return bytes([ord(base), _VNI_TONE[tone]])
    return None


UNI_TO_VNI: dict[str, bytes] = {}
for _letter in vietnamese_letters():
    if _letter.islower():
        _vni = _vni_lower(_letter)
        assert _vni is not None, _letter
        UNI_TO_VNI[_letter] = _vni
        UNI_TO_VNI[_letter.upper()] = bytes(b - 0x20 if b >= 0xC0 else b - 0x20 for b in _vni)

# Decoding side, on the Latin-1 view of the bytes (one char per byte).
VNI_SINGLES: dict[str, str] = {
    chr(code[0]): letter for letter, code in UNI_TO_VNI.items() if len(code) == 1
}
VNI_PAIRS: dict[str, str] = {
    code.decode("latin-1"): letter for letter, code in UNI_TO_VNI.items() if len(code) == 2
}
# Tolerate a diacritic byte in the "other" case (e.g. "Aù" for "Á"): the base sets the case.
for _pair, _letter in list(VNI_PAIRS.items()):
    _b, _m = _pair[0], _pair[1]
    _other = chr(ord(_m) ^ 0x20)
    VNI_PAIRS.setdefault(_b + _other, _letter)
VNI_BASES = "".join(sorted({p[0] for p in VNI_PAIRS}))
VNI_MARKS = "".join(sorted({p[1] for p in VNI_PAIRS}))

# Bytes that a legacy table occupies; the others keep their Windows-1252 meaning.
TCVN3_BYTES = frozenset(TCVN3_TO_UNI)
VNI_BYTES = frozenset(ord(ch) for ch in VNI_SINGLES) | frozenset(ord(m) for m in VNI_MARKS)


def cp1252_char(byte: int) -> str:
    """The Windows-1252 character of a byte (Latin-1 for the 5 bytes cp1252 leaves undefined)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _encode_other(ch: str, taken: frozenset[int], name: str) -> bytes:
    if ch.isascii():
        return ch.encode("ascii")
    try:
        raw = ch.encode("cp1252")
    except UnicodeEncodeError:
        raw = b""
    if len(raw) == 1 and raw[0] not in taken:
        return raw
    raise ValueError(f"{ch!r} (U+{ord(ch):04X}) cannot be written in {name}")


def encode_tcvn3(text: str) -> bytes:
    """Unicode → TCVN3 bytes (upper-case toned letters become the lower-case byte)."""
    text = unicodedata.normalize("NFC", text)
    out = bytearray()
    for ch in text:
        code = UNI_TO_TCVN3.get(ch)
        out += bytes([code]) if code is not None else _encode_other(ch, TCVN3_BYTES, "TCVN3")
    return bytes(out)


def encode_vni(text: str) -> bytes:
    """Unicode → VNI-Windows bytes (base letter + diacritic byte)."""
    text = unicodedata.normalize("NFC", text)
    out = bytearray()
    for ch in text:
        code = UNI_TO_VNI.get(ch)
        out += code if code is not None else _encode_other(ch, VNI_BYTES, "VNI")
    return bytes(out)


# The most frequent accented syllables of the two real plans (corpus/, counted once), plus
# a few very common function words. Used only to break ties between candidate decodings.
_COMMON = """
    của chính các hành truyền công tuyên chức tỉnh thực và thông hiện về cách tổ vụ cải triển
    phòng năm trên quả số cơ hợp đơn tác kết vị nghị việc bộ lý nhiệm hội quản văn điện tử
    động hình hòa trực khánh nội chủ hoạch kế tục với được trường định bài quyết nhà thuộc
    đăng cấp ngày viên dân trì người pháp phối tiếp thức địa độ bản hiệu quyền đạo chỉ đổi
    thường liên trình tại phương giải trọng có phân phát thể chế đối tâm phổ biến sách tiến
    nâng ủy dụng đến mới xây dựng tình thống đẩy báo nghiệp hoạt sản nhân giá xuyên mục sự
    lực tạo lượng phù luật chương mạnh xếp đoàn tế nước trị thời quốc để hệ sở cập tăng đánh
    tập thủ đề tiêu đoạn chất trách cổng nhật tải cường thành dịch mưu phẩm một tài chuyên
    dự kiến đồng ương đầu xã đảng lãnh những này không là đã sẽ từ đó ở đi rằng cũng như lưu
"""
COMMON_SYLLABLES = frozenset(_COMMON.split())
