"""Section paths in decisions and regulations of other issuers (../shared/corpus-real):
Chương/Phần › Mục › Điều › khoản "1." › "1.1." › điểm "a)", each paragraph under the heading
the document puts it under."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.parse import discover, parse_file
from indexer.structure.markers import depth, marker_of


def _section_of(real: Path, name: str, contains: str) -> list[str]:
    doc = parse_file(real / name, real)
    (para,) = [p for p in doc.paragraphs if contains in p.text]
    return para.section


@pytest.mark.real_corpus
def test_chapter_article_clause_point(real_corpus_dir):
    # a HĐND resolution: Chương II › Điều 4 › khoản 4 › điểm b)
    section = _section_of(
        real_corpus_dir, "06c6f91f5c3b4c21.md", "Tối đa 05 năm kể từ thời điểm cấp thẻ"
    )
    assert section[0].startswith("Chương II CƠ CHẾ, CHÍNH SÁCH")  # title line joined
    assert section[1:] == [
        "Điều 4. Thẻ nhân lực công nghệ cao",
        "4. Thời hạn hiệu lực thẻ nhân lực công nghệ cao",
    ]


@pytest.mark.real_corpus
def test_decimal_points_nest_under_their_clause(real_corpus_dir):
    # a regulation: Điều 2 › "1. Về xây dựng pháp luật" › "1.3. …" › "đ) …"
    section = _section_of(
        real_corpus_dir, "0f98ee482389e59e.md", "Định kỳ hàng quý, năm hoặc theo yêu cầu"
    )
    assert section[:2] == ["Điều 2. Nhiệm vụ và quyền hạn", "1. Về xây dựng pháp luật"]
    assert section[2].startswith("1.3. Tham mưu Ủy ban nhân dân tỉnh")


def test_depths_order_the_divisions():
    order = ["Chương II", "Mục 1", "II. Nội dung", "Điều 3. Nguyên tắc", "1. Về", "1.1. Về", "a) x"]
    depths = [depth(marker_of(t)[0], t) for t in order]
    assert depths == sorted(depths) and len(set(depths)) == len(depths)
    assert marker_of("Mục tiêu, nội dung chính:") is None  # "Mục" only with its number


@pytest.mark.real_corpus
def test_every_path_descends_in_all_documents(real_corpus_dir):
    """In every real document a section path never holds two articles or two chapters, and
    never a division above one it sits under (Điều › Chương would be a misread)."""
    checked = 0
    for path in discover(real_corpus_dir):
        for p in parse_file(path, real_corpus_dir).paragraphs:
            marks = [marker_of(label) for label in p.section]
            levels = [depth(m[0], label) for m, label in zip(marks, p.section, strict=True) if m]
            assert levels == sorted(levels), (path.name, p.section)
            assert sum(1 for m in marks if m and m[0] == "article") <= 1, (path.name, p.section)
            checked += 1
    assert checked > 10000
