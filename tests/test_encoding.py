"""decode_bytes on the real plans written in every encoding we claim to read.

Each plan's NFC text is encoded (Python codecs for UTF-8/UTF-16/Windows-1258, our tables'
inverse for TCVN3 and VNI, and a Windows-1252 reading of those bytes for the mis-decoded
forms), decoded with decode_bytes, and compared with the original.

TCVN3 limitation (documented in legacy_tables): the ABC code page has no upper-case toned
letters, so "Ủy" is written with the byte of "ủ". The decoder restores the case inside all-caps
lines and words ("KẾ HOẠCH"); elsewhere the letter comes back in lower case. The TCVN3 tests
therefore compare exactly on the lower-cased text and check that every remaining difference is
such a letter.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import UnreadableFileError
from indexer.readers import legacy_tables as lt
from indexer.readers.encoding import (
    SINGLE_BYTE,
    UNKNOWN_REASON,
    decode_bytes,
    decode_tcvn3,
    decode_vni,
    detect_and_decode,
    text_stats,
)
from indexer.text.vietnamese import well_toned as is_syllable

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PLANS = sorted(CORPUS.glob("*.txt"))
LETTERS = lt.vietnamese_letters()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def plans() -> dict[str, str]:
    return {p.stem: nfc(p.read_text(encoding="utf-8")) for p in PLANS}


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letter + combining tone byte."""
    out = bytearray()
    for ch in nfc(text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(m for m in parts if m in lt.TONES)
        base = nfc("".join(m for m in parts if m not in lt.TONES))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def misread(data: bytes) -> bytes:
    """Bytes read as Windows-1252 (Latin-1 where cp1252 has no character) and saved as UTF-8."""
    return "".join(lt.cp1252_char(b) for b in data).encode("utf-8")


def assert_tcvn3_equal(decoded: str, original: str) -> None:
    """Equal up to the TCVN3 limitation: only upper-case toned letters may come back lower."""
    assert decoded.lower() == original.lower()
    assert len(decoded) == len(original)
    for got, want in zip(decoded, original, strict=True):
        if got != want:
            assert want.isupper() and got == want.lower() and got in lt.TCVN3_CASELESS, (got, want)


ENCODINGS = {
    # name: (encode, detected name)
    "utf-8": (lambda s: s.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda s: s.encode("utf-8-sig"), "utf-8-sig"),
    "utf-8-nfd": (lambda s: unicodedata.normalize("NFD", s).encode("utf-8"), "utf-8"),
    "utf-16": (lambda s: s.encode("utf-16"), "utf-16"),
    "utf-16-be-bom": (lambda s: b"\xfe\xff" + s.encode("utf-16-be"), "utf-16"),
    "utf-16-le": (lambda s: s.encode("utf-16-le"), "utf-16-le"),
    "utf-16-be": (lambda s: s.encode("utf-16-be"), "utf-16-be"),
    "cp1258": (encode_cp1258, "cp1258"),
    "vni": (lt.encode_vni, "vni"),
    "vni-misread": (lambda s: misread(lt.encode_vni(s)), "vni read as cp1252"),
    "utf-8-misread": (lambda s: misread(s.encode("utf-8")), "utf-8 read as cp1252"),
    "cp1258-misread": (lambda s: misread(encode_cp1258(s)), "cp1258 read as cp1252"),
}


# ------------------------------------------------------------------ the real plans
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_plans_round_trip_exactly(plans, encoding):
    encode, expected_name = ENCODINGS[encoding]
    for stem, text in plans.items():
        data = encode(text)
        decoded, name = detect_and_decode(data, stem)
        assert name == expected_name, stem
        assert decoded == text, stem
        assert decode_bytes(data, stem) == text


@pytest.mark.parametrize("misread_first", [False, True], ids=["tcvn3", "tcvn3-misread"])
def test_plans_round_trip_tcvn3(plans, misread_first):
    for stem, text in plans.items():
        data = lt.encode_tcvn3(text)
        if misread_first:
            data = misread(data)
        decoded, name = detect_and_decode(data, stem)
        assert name == ("tcvn3 read as cp1252" if misread_first else "tcvn3")
        assert_tcvn3_equal(decoded, text)
    # All-caps headings get their upper-case toned letters back.
    decoded = decode_bytes(lt.encode_tcvn3(plans["2025-ban-quan-ly-kkt-kcn-khanh-hoa"]))
    assert decoded.lstrip().startswith("KẾ HOẠCH\n")
    assert "I. MỤC TIÊU, YÊU CẦU" in decoded


def test_corpus_is_partly_decomposed_and_comes_back_composed():
    raw = PLANS[0].read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", raw)  # the real file has NFD letters
    assert decode_bytes(raw.encode("utf-8")) == nfc(raw)


def test_unicode_lines_are_never_repaired(plans):
    """Every accented line of the plans, alone, stays as it is (no false mojibake repair)."""
    lines = [ln for text in plans.values() for ln in text.splitlines() if not ln.isascii()]
    assert len(lines) > 1000
    changed = [ln for ln in lines if decode_bytes(ln.encode("utf-8")) != ln]
    assert changed == []


def test_mixed_document_repairs_only_the_misread_lines(plans):
    lines = plans["2026-truong-cao-dang-y-te-khanh-hoa"].splitlines(keepends=True)
    half = len(lines) // 2
    head, tail = "".join(lines[:half]), "".join(lines[half:])
    data = head.encode("utf-8") + misread(lt.encode_vni(tail))
    decoded, name = detect_and_decode(data)
    assert name == "vni read as cp1252"
    assert decoded == head + tail


# ------------------------------------------------------------------ published samples
@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("hép møt tÕt", "hộp mứt tết"),
        ("Xin chµo tÊt c¶ mäi ng\u00adêi", "Xin chào tất cả mọi người"),
        ("B¶o Th¾ng, M\u00adêng Kh\u00ad¬ng, B¸t X¸t", "Bảo Thắng, Mường Khương, Bát Xát"),
        ("TiÕng ViÖt rÊt hay", "Tiếng Việt rất hay"),
        ("KÕ ho¹ch c¶i c¸ch hµnh chÝnh", "Kế hoạch cải cách hành chính"),
    ],
)
def test_published_tcvn3_samples(legacy, unicode):
    data = legacy.encode("cp1252")
    assert decode_tcvn3(data) == unicode
    assert decode_bytes(data) == unicode  # detected from the bytes
    assert decode_bytes(legacy.encode("utf-8")) == unicode  # and from the misread text


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Tieáng Vieät raát hay", "Tiếng Việt rất hay"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Keá hoaïch caûi caùch haønh chính", "Kế hoạch cải cách hành chính"),
        ("ÑÖÔÏC THÖÏC HIEÄN", "ĐƯỢC THỰC HIỆN"),
    ],
)
def test_published_vni_samples(legacy, unicode):
    data = legacy.encode("cp1252")
    assert decode_vni(data) == unicode
    assert decode_bytes(data) == unicode
    assert decode_bytes(legacy.encode("utf-8")) == unicode


# ------------------------------------------------------------------ the tables
def test_there_are_134_distinct_letters():
    assert len(LETTERS) == len(set(LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", ch) and len(ch) == 1 for ch in LETTERS)


@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips_in_vni(letter):
    word = f"x{letter}x {letter}"
    assert decode_vni(lt.encode_vni(word)) == word


@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips_in_tcvn3(letter):
    code = lt.encode_tcvn3(letter)
    assert len(code) == 1
    if letter.isupper() and letter.lower() in lt.TCVN3_CASELESS:
        # The limitation: same byte as the lower-case letter; case restored in all-caps words.
        assert code == lt.encode_tcvn3(letter.lower())
        assert decode_tcvn3(code) == letter.lower()
        assert decode_tcvn3(lt.encode_tcvn3(f"NG{letter}NH")) == f"NG{letter}NH"
    else:
        assert decode_tcvn3(code) == letter


def test_tables_are_one_to_one():
    assert len(set(lt.TCVN3_TO_UNI.values())) == len(lt.TCVN3_TO_UNI) == 74
    assert set(lt.TCVN3_TO_UNI) <= set(range(0xA1, 0xFF))
    assert len(set(lt.UNI_TO_VNI.values())) == len(lt.UNI_TO_VNI) == 134


def test_tcvn3_low_positions_decode_as_upper_case_letters():
    # TCVN 5712 VN1 stores Ú and Ý on control positions 0x01 and 0x16.
    data = b"\x01y ban nh\xa9n d\xa9n v\xb5 \x16 ki\xd5n c\xf1a d\xa9n"
    assert decode_bytes(data) == "Úy ban nhân dân và Ý kiến của dân"


def test_unrepresentable_character_is_an_error():
    with pytest.raises(ValueError, match="TCVN3"):
        lt.encode_tcvn3("→")


# ------------------------------------------------------------------ statistics
@pytest.mark.parametrize("word", ["người", "khuỷu", "ngoài", "hòa", "hoà", "quốc", "giữa", "gìn"])
def test_real_syllables_are_valid(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["hẻp", "tõt", "giaỷ", "kờỡ", "cac", "ăi", "ho¹ch", "keá"])
def test_impossible_syllables_are_rejected(word):
    assert not is_syllable(word)


def test_statistics_prefer_the_right_reading(plans):
    text = plans["2025-ban-quan-ly-kkt-kcn-khanh-hoa"]
    right = text_stats(text)
    wrong = text_stats(lt.encode_tcvn3(text).decode("cp1258"))
    assert right.valid_share > 0.99 > 0.5 > wrong.valid_share


# ------------------------------------------------------------------ plain text, refusals
def test_plain_english_is_utf8():
    text = "Administrative reform plan 2025\nSection I. Goals\n"
    assert detect_and_decode(text.encode("ascii")) == (text, "utf-8")
    assert decode_bytes("“Smart” quotes – and dashes…".encode("cp1252")) == (
        "“Smart” quotes – and dashes…"
    )


def test_symbols_without_vietnamese_words_are_not_taken_for_legacy_letters():
    # "©" is "â" in TCVN3, but nothing else in these lines is Vietnamese.
    assert decode_bytes("Copyright © 2025".encode()) == "Copyright © 2025"
    assert decode_bytes("Copyright © 2025".encode("cp1252")) == "Copyright © 2025"


def test_empty_input_is_empty_text():
    assert decode_bytes(b"") == ""


def assert_refused(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        decode_bytes(data, "corpus/plan.txt")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("corpus/plan.txt: ")
    assert reason in info.value.reason
    assert info.value.hint


def test_random_bytes_are_refused():
    rng = random.Random(9)
    assert_refused(bytes(rng.randrange(256) for _ in range(4000)), "binary data")


def test_random_high_bytes_without_controls_are_not_a_known_encoding():
    rng = random.Random(9)
    data = bytes(rng.choice(range(0x20, 0x100)) for _ in range(4000))
    assert_refused(data, UNKNOWN_REASON)


def test_binary_blob_is_refused():
    blob = b"\x89PNG\r\n\x1a\n" + zlib.compress(PLANS[0].read_bytes())
    assert_refused(blob, "binary data")


def test_text_with_nul_bytes_not_utf16_is_refused():
    assert_refused(b"Ke hoach\x00\x00\x00 2025 \x00 cai cach\x00", "NUL bytes")


def test_control_characters_are_refused():
    assert_refused(b"Ke hoach \x03\x07\x1b 2025" * 50, "control characters")


def test_latin1_french_is_not_a_known_encoding():
    text = "Le développement économique où les élèves étudient à l'hôtel de ville. " * 20
    assert_refused(text.encode("latin-1"), UNKNOWN_REASON)


def test_broken_bom_is_refused():
    assert_refused(b"\xef\xbb\xbfK\xe1\xba ho\xff", "byte-order mark")


# ------------------------------------------------------------------ properties
# Every word of the real plans (accented or not), lower-cased.
SYLLABLES = sorted(
    {w.lower() for p in PLANS for w in re.findall(r"[^\W\d_]+", nfc(p.read_text("utf-8")))}
)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from([*LETTERS, *"abcdeghiklmnopqrstuvxy ,.-1"])))
def test_vni_tables_round_trip_any_string(text):
    assert decode_vni(lt.encode_vni(text)) == text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from([ch for ch in LETTERS if ch.islower()] + list("nh t,."))))
def test_tcvn3_tables_round_trip_any_lower_case_string(text):
    assert decode_tcvn3(lt.encode_tcvn3(text)) == text


# Detection is statistical: it needs a sentence, not a word. Ten accented words are enough
# (measured: 0 errors in 7,000 random 12-word sentences; short lines can be ambiguous).
# (Acronyms such as "bcđ" are left out: a text made only of them gives no evidence.)
ACCENTED = [w for w in SYLLABLES if not w.isascii() and is_syllable(w)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(ACCENTED), min_size=10, max_size=40, unique=True),
    st.sampled_from(["cp1258", "vni", "vni-misread", "utf-16-le", "utf-8-nfd"]),
)
def test_detection_on_random_sentences(words, encoding):
    text = " ".join(words).capitalize() + "."
    encode, name = ENCODINGS[encoding]
    decoded, detected = detect_and_decode(encode(text))
    assert decoded == text
    if detected != name:  # only when another reading gives the very same text ("biên")
        assert SINGLE_BYTE[detected](encode(text)) == text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ACCENTED), min_size=10, max_size=40, unique=True), st.booleans())
def test_tcvn3_detection_on_random_sentences(words, misread_first):
    text = " ".join(words).capitalize() + "."
    data = lt.encode_tcvn3(text)
    decoded = decode_bytes(misread(data) if misread_first else data)
    assert_tcvn3_equal(decoded, text)
