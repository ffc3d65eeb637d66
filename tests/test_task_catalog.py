"""Task rows in the catalog: lead, partners and deadline stored with each row, and
``IndexReader.find_tasks`` across plans (the session index of corpus/'s two plans).

Expected values are read from the plans' appendix tables (corpus/*.txt), quoted below.
"""

from __future__ import annotations

import sqlite3

import pytest

from indexer.model import TaskRow
from indexer.store import catalog
from indexer.store.catalog import TaskFilters

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"


def _row(rows, doc_id, number):
    return next(r for r in rows if r.doc_id == doc_id and r.number == number)


@pytest.mark.slow
def test_rows_carry_lead_partners_and_deadline_as_written(reader):
    rows = reader.find_tasks()
    assert {r.doc_id for r in rows} == {KKT, YTE}
    # YTE row 2: "Kế hoạch tuyên truyền CCHC năm 2026 | - Phòng Tổ chức – hành chính. |
    # Trước ngày 15/02/2026": by that day, no start
    r = _row(rows, YTE, 2)
    assert r.lead == "Phòng Tổ chức – hành chính"
    assert (r.due_start, r.due_end, r.recurring) == (None, "2026-02-15", None)
    # YTE row 7: "Đối thoại với học sinh, sinh viên | … | - Phòng Đào tạo chủ trì. - Các đơn
    # vị, đoàn thể phối hợp. | Trong Quý II năm 2026"
    r = _row(rows, YTE, 7)
    assert r.task.startswith("Đối thoại với học sinh, sinh viên")
    assert r.lead == "Phòng Đào tạo"
    assert r.partners == "Các đơn vị, đoàn thể phối hợp."
    assert (r.due_start, r.due_end) == ("2026-04-01", "2026-06-30")
    assert r.unit == "Trường Cao đẳng Y tế Khánh Hòa" and r.year == 2026
    # KKT row 10: "Quý III-" / "IV/2025"; "Văn phòng chủ trì, phối hợp các phòng, đơn vị
    # trực thuộc thực hiện."
    r = _row(rows, KKT, 10)
    assert r.timeline == "Quý III-IV/2025"
    assert (r.due_start, r.due_end) == ("2025-07-01", "2025-12-31")
    assert r.lead == "Văn phòng" and r.partners == "các phòng, đơn vị trực thuộc"
    # KKT row 22: "Văn phòng phối hợp Chi đoàn Ban Quản lý triển khai."
    r = _row(rows, KKT, 22)
    assert (r.lead, r.partners) == ("Văn phòng", "Chi đoàn Ban Quản lý")
    # KKT row 1: "Thường xuyên (sau khi văn bản được ban hành)": repeats, no date
    r = _row(rows, KKT, 1)
    assert (r.due_start, r.due_end, r.recurring) == (None, None, "thường xuyên")
    # no table of these plans has a budget column
    assert all(r.budget == "" for r in rows)


@pytest.mark.slow
def test_each_row_links_to_its_task_paragraph(reader):
    paragraphs = {p.id: p for p in reader.paragraphs(YTE)}
    for r in reader.find_tasks(TaskFilters(doc_ids=[YTE])):
        assert r.paragraph_id in paragraphs
        para = paragraphs[r.paragraph_id]
        assert para.kind == "task" and para.text.startswith(r.task[:40])


@pytest.mark.slow
def test_per_document_rows_carry_the_same_fields(reader):
    rows = reader.tasks(YTE)
    assert [r.number for r in rows] == list(range(1, 23))  # the table's rows 1–22
    assert rows[6].lead == "Phòng Đào tạo" and rows[6].due_end == "2026-06-30"


@pytest.mark.slow
def test_filters_narrow(reader):
    everything = reader.find_tasks()
    assert [r.doc_id for r in reader.find_tasks(TaskFilters(year=2026))] == [YTE] * 22
    assert {r.doc_id for r in reader.find_tasks(TaskFilters(unit="truong cao dang y te"))} == {YTE}
    assert reader.find_tasks(TaskFilters(unit="Sở Y tế")) == []
    assert len(reader.find_tasks(TaskFilters(province="Khánh Hoà"))) == len(
        everything
    )  # other tone mark
    assert reader.find_tasks(TaskFilters(province="Khánh")) == []  # a province is matched whole
    # "Phòng Đào tạo" leads YTE row 7 alone and row 22 with Phòng Tổ chức – Hành chính
    assert [(r.doc_id, r.number) for r in reader.find_tasks(TaskFilters(lead="phong dao tao"))] == [
        (YTE, 7),
        (YTE, 22),
    ]
    # "Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính": row 10 of both
    found = reader.find_tasks(TaskFilters(text="so hoa ho so"))
    assert [(r.doc_id, r.number) for r in found] == [(KKT, 10), (YTE, 10)]
    assert [r.number for r in reader.find_tasks(TaskFilters(doc_ids=[KKT]), limit=3)] == [1, 2, 3]
    assert reader.find_tasks(TaskFilters(doc_ids=[])) == []


@pytest.mark.slow
def test_due_window_keeps_the_rows_whose_period_meets_it(reader):
    february = reader.find_tasks(TaskFilters(due_from="2026-02-01", due_to="2026-02-28"))
    numbers = {r.number for r in february if r.doc_id == YTE}
    assert 2 in numbers  # by 15/02/2026
    assert 1 in numbers  # Quý I/2026
    assert 5 in numbers  # Trong năm 2026
    assert 7 not in numbers  # Quý II năm 2026
    assert 3 not in numbers  # "Thường xuyên cập nhật …": no date
    # of the 2025 plan, only row 24 ("Tổ chức tổng kết công tác CCHC năm 2025, triển khai Kế
    # hoạch CCHC năm 2026 … Quý I/2026") falls in 2026
    assert [r.number for r in february if r.doc_id == KKT] == [24]
    q3_2025 = reader.find_tasks(TaskFilters(due_from="2025-07-01", due_to="2025-09-30"))
    assert (KKT, 10) in {(r.doc_id, r.number) for r in q3_2025}  # Quý III-IV/2025
    assert all(r.doc_id == KKT for r in q3_2025)
    after = {(r.doc_id, r.number) for r in reader.find_tasks(TaskFilters(due_from="2026-02-16"))}
    assert (YTE, 2) not in after and (YTE, 7) in after
    with pytest.raises(ValueError):
        reader.find_tasks(TaskFilters(due_from="15/02/2026"))


def test_an_old_catalog_reads_and_migrates(tmp_path):
    """A catalog written before the columns were added: read as it is (no lead, no dates),
    and given the columns when a build opens it."""
    path = tmp_path / "catalog.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, path TEXT UNIQUE, sha256 TEXT, "
        "unit TEXT, province TEXT, year INTEGER, kind TEXT, title TEXT, number TEXT, "
        "date TEXT, meta_json TEXT, n_paragraphs INTEGER, reading_json TEXT);"
        "CREATE TABLE tasks (doc_id TEXT, number INTEGER, task TEXT, products TEXT, "
        "timeline TEXT, responsible TEXT);"
    )
    old.execute(
        "INSERT INTO documents (doc_id, unit, province, year, meta_json) VALUES (?,?,?,?,?)",
        (YTE, "Trường Cao đẳng Y tế Khánh Hòa", "Khánh Hòa", 2026, "{}"),
    )
    old.execute(
        "INSERT INTO tasks VALUES (?,?,?,?,?,?)",
        (YTE, 7, "Đối thoại với học sinh, sinh viên", "- Hội nghị đối thoại.",
         "Trong Quý II năm 2026", "- Phòng Đào tạo chủ trì. - Các đơn vị, đoàn thể phối hợp."),
    )  # fmt: skip
    old.commit()
    assert catalog.fetch_tasks(old, YTE) == [
        TaskRow(7, "Đối thoại với học sinh, sinh viên", "- Hội nghị đối thoại.",
                "Trong Quý II năm 2026",
                "- Phòng Đào tạo chủ trì. - Các đơn vị, đoàn thể phối hợp.")
    ]  # fmt: skip
    found = catalog.find_tasks(old, TaskFilters(lead="phòng đào tạo"))  # on the responsible cell
    assert [row.number for _doc, row in found] == [7]
    assert catalog.find_tasks(old, TaskFilters(due_from="2026-01-01")) == []
    old.close()
    conn = catalog.connect(path)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(tasks)")}
    assert set(catalog.TASK_COLUMNS) <= columns
    conn.close()
