"""Procedure lists (danh mục thủ tục hành chính) read as rows of who performs each procedure,
and the table text around them kept (real decisions of ../shared/corpus-real).

Expected values are read from the files themselves (quoted below) or from the rows labelled
by reading in eval/tasks_gold.json.
"""

from __future__ import annotations

import re
import shutil

import pytest

from eval.tasks import compared, load_gold
from indexer.parse import parse_file
from indexer.readers import read_document
from indexer.store import catalog
from indexer.store.catalog import TaskFilters
from indexer.text.vietnamese import fold
from tests.http import app_client

pytestmark = pytest.mark.real_corpus

CAN_THO = "9d0926aa62bf16bd"  # Cần Thơ: receiving points marked X under a spanning header
XAY_DUNG = "da8411114c03e36b"  # Bộ Xây dựng: a web copy that lost a row's number cell
CA_MAU = "8a68cd97082b71f2"  # Cà Mau: time limit and place of filing columns
KHCN = "046d4a5b8d446144"  # Bộ KHCN: group rows "A. …", "B. …" inside the table
LEGAL_ONLY = "c37e0ca0510350f4"  # a list with a legal-basis column only: no who, no when


def _doc(real_corpus_dir, stem):
    return parse_file(real_corpus_dir / f"{stem}.md", real_corpus_dir)


def _procedures(doc):
    return [t for t in doc.tasks if t.kind == "procedure"]


def test_receiving_points_marked_x_are_who_files_it(real_corpus_dir):
    doc = _doc(real_corpus_dir, CAN_THO)
    rows = _procedures(doc)
    gold = load_gold()[CAN_THO]
    assert len(rows) == len(gold) == 27  # the second list (Stt, Mã, Tên) names no one
    # "| Stt | Mã … | Tên … | Điểm tiếp nhận và trả kết quả |" over "Trung tâm … thành phố |
    # Trung tâm … cấp xã", each row "X | X"
    for row, want in zip(rows, gold, strict=True):
        assert compared(row.responsible) == compared(want.lead)
        assert want.contains in " ".join(row.task.split())
    assert rows[0].responsible == (
        "Trung tâm Phục vụ hành chính công thành phố; Trung tâm Phục vụ hành chính công cấp xã"
    )
    assert not any(t.kind == "task" for t in doc.tasks)
    assert not any(p.kind == "task" for p in doc.paragraphs)  # the rows stay table passages


def test_a_row_without_its_number_cell_is_a_row_of_its_own(real_corpus_dir):
    rows = _procedures(_doc(real_corpus_dir, XAY_DUNG))
    # "| 5.002580 | Quyết định đầu tư dự án mua nhà ở thương mại … | Nghị định số 140/2025 |"
    # then "| Bộ trưởng Bộ Xây dựng, Bộ trưởng Bộ Quốc phòng, Bộ trưởng Bộ Công an |" alone
    row = next(r for r in rows if r.task.startswith("Quyết định đầu tư dự án mua nhà ở"))
    assert row.responsible.startswith("Bộ trưởng Bộ Xây dựng, Bộ trưởng Bộ Quốc phòng")
    assert row.group == "A. THỦ TỤC HÀNH CHÍNH NỘI BỘ CẤP TRUNG ƯƠNG"
    assert len(rows) == 12


def test_time_limit_and_place_columns(real_corpus_dir):
    (row,) = _procedures(_doc(real_corpus_dir, CA_MAU))
    assert row.task.startswith("Công nhận kết quả thăm dò khoáng sản")
    assert row.timeline.startswith("- Trường hợp 1: Thời hạn thẩm định")
    assert "Cơ quan trực tiếp thực hiện: Sở Nông nghiệp và Môi trường" in row.responsible
    assert row.lead == "Sở Nông nghiệp và Môi trường"
    assert (row.due_start, row.due_end) == (None, None)  # "48 ngày kể từ …" is no date


def test_a_list_that_names_no_one_gives_no_rows(real_corpus_dir):
    assert _procedures(_doc(real_corpus_dir, LEGAL_ONLY)) == []


def test_each_row_links_to_the_passage_that_holds_it(real_corpus_dir):
    for stem in (CAN_THO, XAY_DUNG, CA_MAU, KHCN):
        doc = _doc(real_corpus_dir, stem)
        paragraphs = {p.id: p for p in doc.paragraphs}
        rows = _procedures(doc)
        assert rows
        for row in rows:
            assert row.paragraph_id in paragraphs, (stem, row.task)
            held = fold(" ".join(paragraphs[row.paragraph_id].text.split()))
            assert fold(" ".join(row.task.split()))[:60] in held


def test_group_rows_keep_the_header_and_no_row_is_lost(real_corpus_dir):
    """The rows after "A. Thủ tục hành chính cấp trung ương" (a row of one cell) were left
    out of the text: their first row was taken for a header naming a task column."""
    doc = _doc(real_corpus_dir, KHCN)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "Tên thủ tục hành chính: Thủ tục xét tài trợ, đặt hàng nhiệm vụ khoa học, công nghệ và "
        "đổi mới sáng tạo; Lĩnh vực: Hoạt động khoa học và công nghệ; Cơ quan thực hiện: Bộ, "
        "cơ quan ngang bộ"
    ) in text
    assert "Tên thủ tục hành chính: Thủ tục điều chỉnh nội dung nhiệm vụ trong quá trình" in text


def test_a_table_ends_at_a_blank_line_and_the_appendix_text_is_kept(real_corpus_dir):
    """82483d7fa7f7a186 (Hà Nội's internal processes): the list of processes ends "| QTTP-14 |
    |" and a blank line; what follows ("B. NỘI DUNG QUY TRÌNH …", the dossier table) was read
    into its last cell, and the appendix's text beside its process tables was dropped."""
    path = real_corpus_dir / "82483d7fa7f7a186.md"
    tables = read_document(path).tables
    assert not any("NỘI DUNG QUY TRÌNH" in cell for t in tables for row in t for cell in row)
    assert ["STT", "Tên hồ sơ", "Bản sao/bản chính", "Số lượng"] in [t[0] for t in tables]
    doc = _doc(real_corpus_dir, "82483d7fa7f7a186")
    text = "\n".join(p.text for p in doc.paragraphs if p.kind != "task")
    assert "Tên hồ sơ: Văn bản đề nghị (Theo mẫu)" in text
    steps = [t for t in doc.tasks if t.kind == "task"]
    assert len(steps) == 34  # the process steps are still task rows, not passages too
    for step in steps:
        assert fold(" ".join(step.task.split()))[:50] not in fold(" ".join(text.split()))


def test_a_plus_sub_item_is_kept_as_written(real_corpus_dir):
    (first, _) = _procedures(_doc(real_corpus_dir, "1b479d81b4a8f42e"))
    assert first.responsible.startswith("+ Cơ quan trực tiếp thực hiện TTHC: Sở Tư pháp")


def test_catalog_keeps_the_kind_and_filters_on_it(real_corpus_dir, tmp_path):
    conn = catalog.connect(tmp_path / "catalog.sqlite")
    for stem in (CAN_THO, CA_MAU):
        catalog.insert_document(conn, _doc(real_corpus_dir, stem))
    every = catalog.find_tasks(conn)
    procedures = catalog.find_tasks(conn, TaskFilters(kind="procedure"))
    assert len(every) == len(procedures) == 28
    assert catalog.find_tasks(conn, TaskFilters(kind="task")) == []
    assert {row.kind for _doc, row in every} == {"procedure"}
    led = catalog.find_tasks(conn, TaskFilters(kind="procedure", lead="so nong nghiep"))
    assert [doc[0] for doc, _row in led] == [CA_MAU]
    assert catalog.fetch_tasks(conn, CA_MAU)[0].kind == "procedure"
    conn.close()


@pytest.fixture(scope="module")
def procedure_index(real_corpus_dir, tmp_path_factory):
    """An index of two real procedure decisions (Cần Thơ, Cà Mau; ~110 paragraphs)."""
    from indexer.build import build_index

    root = tmp_path_factory.mktemp("procedures")
    corpus = root / "corpus"
    corpus.mkdir()
    for stem in (CAN_THO, CA_MAU):
        shutil.copy(real_corpus_dir / f"{stem}.md", corpus / f"{stem}.md")
    build_index(corpus, root / "index", quiet=True)
    return root / "index"


@pytest.fixture(scope="module")
def procedure_client(procedure_index):
    with app_client(procedure_index) as c:
        yield c


@pytest.mark.slow
def test_tasks_api_answers_procedures_by_kind_body_and_cited_document(procedure_client):
    r = procedure_client.get("/tasks", params={"kind": "procedure"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 28 and {t["kind"] for t in body["tasks"]} == {"procedure"}
    assert procedure_client.get("/tasks", params={"kind": "task"}).json()["total"] == 0
    # Cà Mau's row: "Căn cứ pháp lý: … Nghị định số 193/2025/NĐ-CP …" in its passage
    cited = procedure_client.get("/tasks", params={"doc": "193/2025/NĐ-CP"}).json()
    assert [t["doc_id"] for t in cited["tasks"]] == [CA_MAU]
    csv = procedure_client.get("/tasks", params={"kind": "procedure", "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Loại") and len(lines) == 29
    assert all(line.endswith(",thủ tục hành chính") for line in lines[1:])
    r = procedure_client.get("/tasks", params={"kind": "nhiem-vu"})
    assert r.status_code == 422 and "kind" in r.text


@pytest.mark.slow
def test_task_page_shows_procedures_when_asked(procedure_client):
    html = procedure_client.get("/nhiem-vu").text
    assert 'value="task" selected' in html and "Không có nhiệm vụ nào khớp" in html
    html = procedure_client.get("/nhiem-vu", params={"kind": "procedure"}).text
    assert "28 nhiệm vụ" in html and html.count('class="task"') == 28
    assert "Thủ tục hành chính</span>" in html
    assert "kind=procedure" in html  # the downloads hold the same rows
    html = procedure_client.get(f"/doc/{CAN_THO}").text
    assert "Xem bảng nhiệm vụ" not in html  # the plan page shows the list as its text


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_task_page_lists_procedures_in_a_browser(procedure_index, viewport):
    """The "Loại dòng" select shows the procedure lists' rows, marked, each opening its
    passage in the decision; at phone width nothing scrolls sideways."""
    from playwright.sync_api import expect, sync_playwright

    from service.settings import Settings
    from tests.test_web import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, overflow, serving

    size = DESKTOP if viewport == "desktop" else PHONE
    with serving(Settings(index_dir=procedure_index)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport=size, locale="vi-VN").new_page()
            page.set_default_timeout(60_000)
            page.goto(base + "/nhiem-vu")
            expect(page.locator("table.tasks tr.task")).to_have_count(0)  # plans' rows: none
            page.get_by_label("Loại dòng").select_option("procedure")
            page.get_by_role("button", name="Xem nhiệm vụ").click()
            page.wait_for_url(re.compile(r"kind=procedure"))
            rows = page.locator("table.tasks tr.task")
            expect(rows).to_have_count(28)
            expect(rows.first.locator(".badge")).to_have_text("Thủ tục hành chính")
            assert overflow(page) <= 0
            link = page.locator("table.tasks td.task-text a", has_text="thăm dò khoáng sản")
            link.click()
            page.wait_for_url(re.compile(rf"/doc/{CA_MAU}#p-\d+$"))
            expect(page.locator(":target")).to_contain_text("Công nhận kết quả thăm dò khoáng")
        finally:
            browser.close()


def test_linking_rows_to_passages_is_bounded(real_corpus_dir):
    """The first row's passage is looked for anywhere, the next ones near the previous row's:
    a list at the end of a long decision links, and the work stays linear."""
    from dataclasses import replace

    from indexer.structure.procedures import LINK_WINDOW, link_rows

    doc = _doc(real_corpus_dir, "1796a553dfee88ef")
    rows = [replace(r, paragraph_id=None) for r in _procedures(doc)]
    moved = doc.paragraphs[100:] + doc.paragraphs[:100]  # the list's passages now come last
    link_rows(rows, moved)
    assert all(r.paragraph_id for r in rows)
    # the same rows with LINK_WINDOW paragraphs of another decision (Bộ Xây dựng's, on
    # housing) put between the first passage and the rest: those are not looked for
    first = next(i for i, p in enumerate(doc.paragraphs) if p.id == rows[0].paragraph_id)
    filler = _doc(real_corpus_dir, XAY_DUNG).paragraphs[:LINK_WINDOW]
    spread = doc.paragraphs[: first + 1] + filler + doc.paragraphs[first + 1 :]
    again = [replace(r, paragraph_id=None) for r in rows]
    link_rows(again, spread)
    assert again[0].paragraph_id == rows[0].paragraph_id
    later = [r for r in again[1:] if r.paragraph_id != rows[0].paragraph_id]
    assert later and all(r.paragraph_id is None for r in later)
