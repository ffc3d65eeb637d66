"""Within the documents a query's constraints chose, the paragraphs under a heading the query
names rise (``service.search.headings``; issue 30). The rows are the real plan's
(``corpus/2026-truong-cao-dang-y-te-khanh-hoa.txt``: "V. TRÁCH NHIỆM TRIỂN KHAI › 2. Phòng
Đào tạo"); what it does to the labelled sets is in ``make eval`` (``eval.understanding``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.live.holder import IndexHolder
from service.search.fusion import FusionParams
from service.search.headings import by_heading, heading_words, match
from service.settings import Settings

YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"


def test_a_headings_numbering_is_no_word_of_it():
    assert heading_words(["V. TRÁCH NHIỆM TRIỂN KHAI", "2. Phòng Đào tạo"]) == {
        "phong",
        "dao",
        "tao",
    }
    assert heading_words(["Chương II", "Điều 4. Tiêu chí xác định vùng phát thải thấp"]) >= {
        "tieu",
        "chi",
        "vung",
    }
    assert "dieu" not in heading_words(["Điều 4. Tiêu chí xác định vùng phát thải thấp"])
    assert heading_words([]) == set()


def test_a_heading_the_query_names_matches_more_than_one_it_only_touches():
    asked = {"phong", "dao", "tao", "trach", "nhiem", "tuyen", "truyen"}
    named = match(asked, {"phong", "dao", "tao"})
    touched = match(asked, {"trach", "nhiem", "trien", "khai"})
    assert named > touched > 0 == match(asked, {"muc", "tieu"})


@pytest.fixture(scope="module")
def snapshot(index_dir):
    holder = IndexHolder(Settings(index_dir=index_dir)).open()
    yield holder.snapshot
    holder.close()


def _rows(snapshot):
    paragraphs = snapshot.reader.paragraphs(YTE)
    under = next(p for p in paragraphs if p.section and p.section[-1] == "2. Phòng Đào tạo")
    title = paragraphs[0]  # no heading: the plan's title
    other = snapshot.reader.paragraphs(KKT)[0]  # another plan's title
    return {p.rowid: p for p in (under, title, other)}, under, title, other


@pytest.mark.slow
def test_the_paragraph_under_the_named_heading_rises_in_the_chosen_document(snapshot):
    rows, under, title, other = _rows(snapshot)
    fused = [(title.rowid, 1.0), (under.rowid, 0.9)]
    topic = "Phòng Đào tạo trách nhiệm tuyên truyền cải cách hành chính"
    params = FusionParams()
    raised = by_heading(fused, topic, frozenset({YTE}), rows, params)
    assert [r for r, _ in raised] == [under.rowid, title.rowid]
    # another document chosen, or no weight: the order stays
    assert by_heading(fused, topic, frozenset({KKT}), rows, params) == fused
    assert by_heading(fused, topic, frozenset({YTE}), rows, replace(params, heading_weight=0)) == (
        fused
    )
    # soft: another document's candidate keeps its place; the chosen one's swap around it
    mixed = [(title.rowid, 1.0), (other.rowid, 0.95), (under.rowid, 0.9)]
    assert by_heading(mixed, topic, frozenset({YTE}), rows, params) == [
        (under.rowid, 1.0),
        (other.rowid, 0.95),
        (title.rowid, 0.9),
    ]
    # only the best ``context_depth`` candidates are read
    assert by_heading(fused, topic, frozenset({YTE}), rows, replace(params, context_depth=1)) == (
        fused
    )


@pytest.mark.slow
def test_the_searcher_applies_it_only_when_the_query_chose_documents(snapshot):
    rows, under, title, other = _rows(snapshot)
    fused = [(title.rowid, 1.0), (under.rowid, 0.9)]
    searcher = snapshot.searcher
    named = searcher.understand(
        "Phòng Đào tạo Trường Cao đẳng Y tế Khánh Hòa trách nhiệm tuyên truyền cải cách hành chính"
    )
    assert named.applies and YTE in named.matching
    assert [r for r, _ in searcher.by_heading(named, fused, rows)][0] == under.rowid
    plain = searcher.understand("Phòng Đào tạo trách nhiệm tuyên truyền cải cách hành chính")
    assert not plain.applies and searcher.by_heading(plain, fused, rows) == fused
