"""Text analysis on real plan text: segmentation, folding, lexical tokens."""

from __future__ import annotations

import unicodedata

from indexer.text import analyze, analyze_segmented, fold, segment


def test_fold_strips_diacritics_lowercases_and_maps_d():
    assert fold("Số hóa hồ sơ") == "so hoa ho so"
    assert fold("ĐỀ ÁN 06 của Bộ Công an; đồng thuận") == "de an 06 cua bo cong an; dong thuan"
    assert fold("Khánh Hòa") == fold("KHÁNH HÒA") == "khanh hoa"


def test_fold_treats_decomposed_input_like_composed():
    nfd = unicodedata.normalize("NFD", "Cải cách hành chính")
    assert fold(nfd) == "cai cach hanh chinh"


def test_segment_joins_words_with_underscore_and_collapses_lines():
    seg = segment("Ban Quản lý Khu kinh tế\n\nxây dựng kế\nhoạch thực hiện")
    assert "\n" not in seg
    assert "xây_dựng" in seg.split()
    assert "kế_hoạch" in seg.split()


def test_analyze_gives_syllables_and_joined_words():
    tokens = analyze("Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính")
    assert {"so", "hoa", "ho", "ho_so", "thu", "tuc", "thu_tuc", "hanh_chinh"} <= set(tokens)
    assert "," not in tokens
    assert all(t == fold(t) for t in tokens)


def test_query_without_diacritics_shares_tokens_with_the_text():
    text = set(analyze("Tuyên truyền về số hóa hồ sơ"))
    assert set(analyze("so hoa ho so")) <= text


def test_query_syntax_characters_are_plain_text():
    assert analyze('"cải cách" AND (NEAR* hành') == [
        "cai",
        "cach",
        "cai_cach",
        "and",
        "near",
        "hanh",
    ]
    assert analyze("*** () \"'") == []
    assert analyze("") == []


def test_reference_numbers_become_tokens():
    assert {"09", "nq", "tw"} <= set(analyze("Nghị quyết số 09-NQ/TW ngày 28/01/2022"))


def test_analyze_segmented_matches_analyze():
    text = "Tiếp tục nâng cao mức độ hài lòng của tổ chức, cá nhân"
    assert analyze_segmented(segment(text)) == analyze(text)
