"""Tasks across plans (issue 30, item 3): ``GET /tasks``, the ``tasks`` command and the core
(``service.tasks``) on the session index of corpus/'s two plans.

Expected values are read from the plans' appendix tables (corpus/*.txt), quoted below. The
page is tested in a browser (tests/test_web.py); its answers here through the TestClient.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from indexer.errors import InvalidQueryError
from indexer.store import TaskEntry
from service.cli import app as service_app
from service.tasks import TaskQuery, group_lines
from service.tasks.export import HEADER
from service.tasks.model import TaskLine
from service.tasks.query import collate, sort_entries

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
YTE_UNIT = "Trường Cao đẳng Y tế Khánh Hòa"
KKT_UNIT = "Ban Quản lý Khu kinh tế và Khu công nghiệp"
# YTE's appendix, row 2: "Ban Hành Kế hoạch tuyên truyền CCHC của nhà trường năm 2026 |
# Kế hoạch tuyên truyền CCHC năm 2026 | - Phòng Tổ chức – hành chính. | Trước ngày 15/02/2026"
ROW2 = "Ban hành Kế hoạch tuyên truyền CCHC của nhà trường năm 2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(client, **params) -> dict:
    r = client.get("/tasks", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def keys(body: dict) -> list[tuple[str, int]]:
    return [(t["doc_id"], t["number"]) for t in body["tasks"]]


# -- the API on the real plans ----------------------------------------------------------------
@pytest.mark.slow
def test_a_row_carries_its_plan_cells_deadline_lead_and_link(client, reader):
    body = rows(client, doc_id=YTE)
    assert body["total"] == 22 and [t["number"] for t in body["tasks"]] == list(range(1, 23))
    row = body["tasks"][1]
    assert row["task"] == ROW2
    assert row["products"] == "Kế hoạch tuyên truyền CCHC năm 2026"
    assert row["timeline"] == "Trước ngày 15/02/2026"
    assert (row["due_start"], row["due_end"], row["recurring"]) == (None, "2026-02-15", None)
    assert row["lead"] == "Phòng Tổ chức – hành chính"
    assert row["unit"] == YTE_UNIT and row["year"] == 2026 and row["province"] == "Khánh Hòa"
    assert row["title"] == reader.document(YTE).title and row["title"]
    assert row["budget"] == "" and row["group"] == ""
    # the link opens the row's paragraph on the plan's page
    ordinal = int(row["paragraph_id"].rsplit(":", 1)[1])
    assert row["href"] == f"/doc/{YTE}#p-{ordinal}"
    page = client.get(row["href"].split("#")[0]).text
    anchored = re.search(rf'id="p-{ordinal}"(.*?)</tr>', page, re.S)  # the appendix's row
    assert anchored and ROW2 in " ".join(anchored.group(1).split())
    # row 7: "- Phòng Đào tạo chủ trì. - Các đơn vị, đoàn thể phối hợp. | Trong Quý II năm 2026"
    seven = body["tasks"][6]
    assert (seven["lead"], seven["partners"]) == ("Phòng Đào tạo", "Các đơn vị, đoàn thể phối hợp.")
    assert (seven["due_start"], seven["due_end"]) == ("2026-04-01", "2026-06-30")


@pytest.mark.slow
def test_filters_narrow(client):
    everything = rows(client)
    assert everything["total"] == len(everything["tasks"]) > 40
    assert {t["doc_id"] for t in everything["tasks"]} == {KKT, YTE}
    assert {t["doc_id"] for t in rows(client, year=2026)["tasks"]} == {YTE}
    assert rows(client, year=2026)["total"] == 22
    assert rows(client, year=2024)["total"] == 0
    assert {t["doc_id"] for t in rows(client, unit="truong cao dang y te")["tasks"]} == {YTE}
    assert rows(client, province="Khánh Hoà")["total"] == everything["total"]  # other tone mark
    assert rows(client, province="Đồng Tháp")["total"] == 0
    assert keys(rows(client, lead="phong dao tao")) == [(YTE, 7), (YTE, 22)]
    # "Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính": row 10 of both
    assert keys(rows(client, text="số hóa hồ sơ")) == [(KKT, 10), (YTE, 10)]
    assert keys(rows(client, text="so hoa ho so", doc_id=KKT)) == [(KKT, 10)]
    # February 2026: YTE row 2 (by 15/02/2026), not row 7 (Quý II năm 2026)
    february = keys(rows(client, due_from="2026-02-01", due_to="2026-02-28"))
    assert (YTE, 2) in february and (YTE, 7) not in february
    assert keys(rows(client, due_from="2026-02-28", due_to="2026-02-01")) == february  # swapped
    both = rows(client, lead="Văn phòng", year=2025, due_from="2025-07-01", due_to="2025-09-30")
    assert (KKT, 10) in keys(both)  # "Quý III-IV/2025", led by Văn phòng
    assert all("van phong" in collate(t["lead"]) for t in both["tasks"])


@pytest.mark.slow
def test_the_cited_document_filter_reads_the_mentions(client):
    """Row 2 of the 2025 plan ("Tuyên truyền về kết quả, tác động của CCHC trong thực hiện
    Nghị quyết số 09-NQ/TW …") and row 3 of the 2026 plan ("… Nghị quyết số 09-NQ/TW của Bộ
    Chính trị …") cite 09-NQ/TW, written any way /mentions reads it."""
    body = rows(client, doc="09-NQ/TW")
    assert {(KKT, 2), (YTE, 3)} <= set(keys(body))
    assert all("09-NQ/TW" in t["task"] + " " + t["products"] for t in body["tasks"])
    assert keys(rows(client, doc="nghi quyet 09-nq/tw", year=2026)) == [(YTE, 3)]
    assert rows(client, doc="09-NQ/TW", lead="Phòng Đào tạo")["total"] == 0


@pytest.mark.slow
def test_sorts_order_the_rows(client):
    def dues(body):
        return [t["due_end"] or t["due_start"] for t in body["tasks"]]

    due = dues(rows(client, sort="due"))
    dated = [d for d in due if d]
    assert dated == sorted(dated) and len(dated) > 10
    assert due[: len(dated)] == dated and not any(due[len(dated) :])  # undated rows last
    back = dues(rows(client, sort="-due"))
    assert [d for d in back if d] == sorted(dated, reverse=True) and not back[-1]
    leads = [collate(t["lead"]) for t in rows(client, sort="lead")["tasks"]]
    named = [x for x in leads if x]
    assert named == sorted(named) and leads[: len(named)] == named
    assert [t["unit"] for t in rows(client, sort="unit")["tasks"]][0] == KKT_UNIT
    assert [t["unit"] for t in rows(client, sort="-unit")["tasks"]][0] == YTE_UNIT
    newest = rows(client, sort="-year")["tasks"]
    assert newest[0]["year"] == 2026 and newest[-1]["year"] == 2025
    assert [t["number"] for t in newest[:3]] == [1, 2, 3]  # a plan's rows keep their order
    first = rows(client, sort="year", limit=3)
    assert [t["number"] for t in first["tasks"]] == [1, 2, 3] and first["total"] > 40


@pytest.mark.slow
@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"year": "abc"}, 422, "invalid_request"),
        ({"due_from": "15/02/2026"}, 422, "invalid_request"),  # the pattern
        ({"due_from": "0.0"}, 422, "invalid_request"),  # not a timestamp
        ({"due_to": "2026-02-30"}, 422, "invalid_query"),  # the form, but no such day
        ({"sort": "task"}, 422, "invalid_request"),
        ({"limit": "0"}, 422, "invalid_request"),
        ({"limit": "10001"}, 422, "invalid_request"),
        ({"format": "pdf"}, 422, "invalid_request"),
        ({"unit": "x" * 301}, 422, "invalid_request"),
        ({"doc": "kế hoạch tuyên truyền"}, 422, "not_a_reference"),
        ({"doc": "99-NQ/TW"}, 404, "reference_not_found"),
        ({"doc_id": "khong-co"}, 404, "document_not_found"),
    ],
)
def test_bad_input_is_refused_in_one_line(client, params, status, code):
    r = client.get("/tasks", params=params)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and "\n" not in error["message"]
    if code == "not_a_reference":
        assert error["message"].startswith("doc: ")


@pytest.mark.slow
def test_downloads_hold_the_same_table(client):
    import docx
    from openpyxl import load_workbook

    params = {"year": 2026, "sort": "due"}
    body = rows(client, **params)
    r = client.get("/tasks", params={**params, "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert 'filename="nhiem-vu.xlsx"' in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert "năm 2026" in sheet["A2"].value and "22 nhiệm vụ" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADER
    data = list(sheet.iter_rows(min_row=4, values_only=True))
    # a cell a spreadsheet would run as a formula ("- Phối hợp …") is quoted with "'"
    assert [row[6].removeprefix("'") for row in data] == [t["task"] for t in body["tasks"]]
    two = next(row for row in data if row[6] == ROW2)
    assert two[1:3] == (YTE_UNIT, 2026) and two[4] == 2
    assert two[8] == "Trước ngày 15/02/2026" and two[9] == "Phòng Tổ chức – hành chính"
    link = sheet.cell(row=4 + data.index(two), column=13).hyperlink
    assert link and re.search(rf"/doc/{YTE}#p-\d+$", link.target)
    r = client.get("/tasks", params={**params, "format": "docx"})
    table = docx.Document(io.BytesIO(r.content)).tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADER and len(table.rows) == 23
    r = client.get("/tasks", params={**params, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0] == HEADER and len(lines) == 23
    assert [line[6].removeprefix("'") for line in lines[1:]] == [t["task"] for t in body["tasks"]]


@pytest.mark.slow
def test_the_page_answers_the_same_rows(client):
    r = client.get("/nhiem-vu", params={"year": "2026", "sort": "due", "theo": "chu-tri"})
    assert r.status_code == 200
    html = r.text
    assert "22 nhiệm vụ" in html and html.count('class="task"') == 22
    assert "Phòng Tổ chức – hành chính" in html and f'href="/doc/{YTE}#p-' in html
    assert "/tasks?year=2026&amp;kind=task&amp;sort=due&amp;limit=500&amp;format=xlsx" in html
    r = client.get("/nhiem-vu", params={"due_from": "15/02/2026"})
    assert r.status_code == 422 and "không phải một ngày" in r.text
    r = client.get("/nhiem-vu", params={"doc": "99-NQ/TW"})
    assert r.status_code == 404 and "Không kế hoạch nào trích dẫn" in r.text


# -- the command line -------------------------------------------------------------------------
runner = CliRunner()


@pytest.mark.slow
def test_the_tasks_command(index_dir, tmp_path):
    from openpyxl import load_workbook

    base = ["tasks", "--index", str(index_dir)]
    result = runner.invoke(service_app, [*base, "--lead", "phong dao tao", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["total"] == 2 and keys(body) == [(YTE, 7), (YTE, 22)]
    result = runner.invoke(service_app, [*base, "--doc-id", YTE, "--sort", "due", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "22 task rows, the first 3" in result.stdout and "Phòng" in result.stdout
    out = tmp_path / "nv.xlsx"
    result = runner.invoke(service_app, [*base, "--year", "2026", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).active.max_row == 3 + 22
    result = runner.invoke(service_app, [*base, "--due-from", "15/02/2026"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: due_from:") and "YYYY-MM-DD" in result.stderr


def test_cchc_has_the_tasks_command():
    from service.console import app as cchc

    result = CliRunner().invoke(cchc, ["tasks", "--help"])
    assert result.exit_code == 0 and "--due-from" in result.stdout and "--doc-id" in result.stdout


# -- the core, without an index ---------------------------------------------------------------
def entry(doc_id: str, number: int, *, year=2026, unit="B", lead="", due=None) -> TaskEntry:
    return TaskEntry(
        doc_id, unit, None, "Khánh Hòa", year, number, f"task {number}", "", "", "", lead,
        "", "", "", None, due, None, f"{doc_id}:{number:04d}",
    )  # fmt: skip


def test_sort_entries_is_stable_and_puts_missing_keys_last():
    rows_ = [
        entry("a", 1, due="2026-03-01", lead="Văn phòng"),
        entry("a", 2, lead="phòng Đào tạo"),
        entry("b", 1, year=2025, unit="A", due="2026-01-01", lead=""),
        entry("b", 2, year=2025, unit="A", due="2026-03-01", lead="Văn  phòng"),
    ]

    def order(sort):
        return [(e.doc_id, e.number) for e in sort_entries(rows_, sort)]

    assert order("due") == [("b", 1), ("a", 1), ("b", 2), ("a", 2)]
    assert order("-due") == [("a", 1), ("b", 2), ("b", 1), ("a", 2)]
    assert order("lead") == [("a", 2), ("a", 1), ("b", 2), ("b", 1)]
    assert order("unit") == [("b", 1), ("b", 2), ("a", 1), ("a", 2)]
    assert order("-year") == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    lines = [TaskLine.of(e, None, "") for e in sort_entries(rows_, "lead")]
    groups = group_lines(lines, "lead")
    assert [g.key for g in groups] == ["phong dao tao", "van phong", ""]
    assert [len(g.tasks) for g in groups] == [1, 2, 1]
    assert [g.key for g in group_lines(lines, "plan")] == ["a", "b"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (TaskQuery(due_from="15/02/2026"), "due_from: '15/02/2026' is not a date"),
        (TaskQuery(due_to="20260215"), "due_to: '20260215' is not a date"),
        (TaskQuery(sort="task"), "sort: 'task'"),
        (TaskQuery(limit=0), "limit: 0"),
        (TaskQuery(year=0), "year: 0"),
        (TaskQuery(text="x" * 301), "text: longer than 300"),
    ],
)
def test_a_bad_query_is_one_line(query, message):
    with pytest.raises(InvalidQueryError, match=re.escape(message)):
        query.checked()


def test_a_query_is_tidied_and_said_in_words():
    q = TaskQuery(unit="  Sở  Y tế ", lead=" ", due_from="2026-03-31", due_to="2026-01-01")
    q = q.checked()
    assert (q.unit, q.lead, q.due_from, q.due_to) == ("Sở Y tế", None, "2026-01-01", "2026-03-31")
    assert q.params() == {"unit": "Sở Y tế", "due_from": "2026-01-01", "due_to": "2026-03-31"}
    assert q.in_words() == "Lọc theo: đơn vị Sở Y tế, thời hạn từ 2026-01-01, đến 2026-03-31"
    assert TaskQuery().checked().in_words() == "Mọi kế hoạch"


@pytest.mark.bench
@pytest.mark.slow
def test_the_tasks_bench_runs_small(tmp_path):
    """A tiny run of bench/tasks_bench.py (3 plans): every request answers, with its rows;
    no timing threshold (speed is the bench's business)."""
    from bench.tasks_bench import REQUESTS, tasks_figures

    figures = tasks_figures(tmp_path, plans=3, rounds=1)
    assert figures["plans"] == 3 and figures["task_rows"] == 72
    assert set(figures["requests"]) == set(REQUESTS)
    assert figures["requests"]["/tasks"]["total"] == 72
    assert figures["requests"]["/tasks?doc=09-NQ%2FTW"]["total"] >= 0


def test_a_row_is_answered_with_every_field_in_one_order():
    from dataclasses import fields

    from service.tasks import TaskTable
    from service.tasks.model import LINE_FIELDS

    assert sorted(LINE_FIELDS) == sorted(f.name for f in fields(TaskLine))
    line = TaskLine.of(entry("a", 1, due="2026-03-01"), "Kế hoạch", "/doc/a#p-1")
    row = TaskTable(TaskQuery(), 1, [line]).to_dict()["tasks"][0]
    assert list(row) == list(LINE_FIELDS) and row["href"] == "/doc/a#p-1"
