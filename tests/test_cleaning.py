"""Cleaning: letter-spaced runs, broken lines, noise lines — on lines from the real plans."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.cleaning import fix_letter_spacing, has_letter_spacing, join_lines, split_lines
from indexer.cleaning.syllables import segment
from indexer.text.vietnamese import is_syllable

# verbatim from corpus/2025-…txt (lines 320–326), joined as the reflow joins them
SPACED = (
    "- N â n g c a o h i ệ u q u ả C ổ n g T h ô n g t i n đ i ệ n t ử C ả i c á c h "
    "h à n h c h í n h t ỉ n h K h á n h H ò a . Đ ă n g t ả i k ị p t h ờ i c á c v ă n "
    "b ả n c ả i c á c h h à n h c h í n h c ủ a c ấ p t r ê n v à c ủ a B a n Q u ả n l ý "
    "t r ê n T r a n g t h ô n g t i n đ i ệ n t ử ; rà soát, nâng cao chất lượng chuyên "
    "mục cải cách hành chính của B a n   Q u ả n   l ý ."
)


def test_letter_spaced_run_comes_back_as_words():
    fixed = fix_letter_spacing(SPACED)
    assert fixed.startswith(
        "- Nâng cao hiệu quả Cổng Thông tin điện tử Cải cách hành chính tỉnh Khánh Hòa. "
        "Đăng tải kịp thời các văn bản cải cách hành chính của cấp trên và của Ban Quản lý "
        "trên Trang thông tin điện tử; rà soát"
    )
    assert fixed.endswith("chuyên mục cải cách hành chính của Ban Quản lý.")
    assert not has_letter_spacing(fixed)
    assert has_letter_spacing(SPACED)


@pytest.mark.parametrize(
    "word",
    ["Nâng", "nghiêng", "người", "khuyến", "quyền", "giới", "thiệu", "ngoài", "tỉnh", "huyện"],
)
def test_valid_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["gcao", "hchính", "ngh", "tỉnhh", "cấpt", "ảà", "kao"])
def test_invalid_syllables(word):
    assert not is_syllable(word)


def test_segmentation_is_structural_not_a_word_list():
    # runs from the other plan's text, never seen by the code
    assert segment("Đẩymạnhtuyêntruyềnvềsốhóahồsơ") == [
        "Đẩy", "mạnh", "tuyên", "truyền", "về", "số", "hóa", "hồ", "sơ",
    ]  # fmt: skip
    assert segment("TrườngCaođẳngYtếKhánhHòa") == [
        "Trường",
        "Cao",
        "đẳng",
        "Y",
        "tế",
        "Khánh",
        "Hòa",
    ]


def test_ordinary_text_is_left_alone():
    text = "Điều 5 a b c và kinh tế - xã hội"
    assert fix_letter_spacing(text) == text


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Quyết định số 72-", "QĐ/TU ngày 16/7/2025"], "Quyết định số 72-QĐ/TU ngày 16/7/2025"),
        (["pháp luật giai đoạn 2022-", "2027” trên địa bàn tỉnh."], "giai đoạn 2022-2027” trên"),
        (["nguồn nhân lực giai đoạn 2021-", "2025; về chính sách"], "giai đoạn 2021-2025; về"),
        (["phát triển kinh tế -", "xã hội của tỉnh"], "phát triển kinh tế - xã hội của tỉnh"),
        (["(địa chỉ https://ipa.khanhhoa.gov.", "vn) được thực hiện"], "khanhhoa.gov.vn) được"),
        (["của Ban Quản", "lý."], "của Ban Quản lý."),
    ],
)
def test_joining_broken_lines(lines, expected):
    assert expected in join_lines(lines)


def test_noise_lines_are_dropped_and_page_breaks_marked():
    raw = (
        "kinh doanh;\n\n\n\n3\n\nviệc tổ chức tiếp nhận\n"
        "https://tinhuykhanhhoa.vn/\n"
        "(https://tinhuykhanhhoa.vn/), Ban Tuyên giáo\n"
        "-------\n"
        "tại địa\nchỉ:\n\nhttps://caicachhanhchinh.gov.vn/\n"
        "https://caicachhanhchinh.gov.vn/\n"
    )
    lines = split_lines(raw)
    texts = [ln.text for ln in lines]
    assert texts == [
        "kinh doanh;",
        "việc tổ chức tiếp nhận",
        "(https://tinhuykhanhhoa.vn/), Ban Tuyên giáo",
        "tại địa",
        "chỉ:",
        "https://caicachhanhchinh.gov.vn/",  # introduced by "chỉ:" — part of the sentence
    ]
    assert lines[1].page_break and not lines[0].page_break


def test_header_cells_split_and_nfc():
    raw = unicodedata.normalize("NFD", "UBND TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    texts = [ln.text for ln in split_lines(raw)]
    assert texts == ["UBND TỈNH KHÁNH HÒA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    wide = "Nơi nhận (VBĐT):                         HIỆU TRƯỞNG  "
    assert [ln.text for ln in split_lines(wide)] == ["Nơi nhận (VBĐT):", "HIỆU TRƯỞNG"]
    blank = "(Ban hành kèm theo Kế hoạch số        /KH-KKTKCN ngày     /8/2025)"
    assert len(split_lines(blank)) == 1  # blanks to fill in are not column gaps
