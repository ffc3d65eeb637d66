"""Query understanding (issue 30, item 1): the place, unit, year and kind a query names are
read from the index's own data — the two real plans of ``corpus/``: the 2025 plan of the Ban
Quản lý Khu kinh tế và Khu công nghiệp Khánh Hòa and the 2026 plan of the Trường Cao đẳng Y
tế Khánh Hòa — and rank their documents first; the API, the CLI and the page say what was
understood."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.live.holder import IndexHolder
from service.search.understanding import Vocabulary, _body
from service.settings import Settings

pytestmark = pytest.mark.slow  # the session index

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
TOPIC = "tuyên truyền cải cách hành chính"


@pytest.fixture(scope="module")
def searcher(index_dir):
    holder = IndexHolder(Settings(index_dir=index_dir)).open()
    yield holder.snapshot.searcher
    holder.close()


@pytest.fixture(scope="module")
def vocabulary(reader) -> Vocabulary:
    return Vocabulary(reader.documents(), reader.document_rowids())


def constraints(u) -> dict[str, tuple[str, str, int]]:
    return {c.field: (c.value, c.applied, c.documents) for c in u.constraints}


def test_a_units_name_without_its_locality():
    assert _body("Sở Y tế tỉnh Khánh Hòa") == "Sở Y tế"
    assert _body("Trường Cao đẳng Y tế Khánh Hòa") == "Trường Cao đẳng Y tế"
    # "Quản" is not "quận": read with its diacritics
    assert _body("Ban Quản lý Khu kinh tế và Khu công nghiệp Khánh Hòa") == (
        "Ban Quản lý Khu kinh tế và Khu công nghiệp"
    )
    assert _body("Ủy ban nhân dân quận Ba Đình") == "Ủy ban nhân dân"
    assert _body("Bộ Nội vụ") == "Bộ Nội vụ"


def test_year_unit_and_province_are_read_and_the_topic_keeps_the_rest(vocabulary):
    u = vocabulary.understand(f"kế hoạch {TOPIC} năm 2026 của Trường Cao đẳng Y tế Khánh Hòa")
    found = constraints(u)
    assert found["year"] == ("2026", "preferred", 1)
    assert found["unit"] == ("Trường Cao đẳng Y tế", "preferred", 1)
    assert found["province"] == ("Khánh Hòa", "preferred", 2)
    assert TOPIC in u.topic and "2026" not in u.topic and "Khánh Hòa" not in u.topic
    assert u.matching == {YTE}
    assert u.line.startswith("Đang ưu tiên: ") and "2026" in u.line


def test_words_that_only_look_like_constraints_stay_words(vocabulary):
    # a year after "đến" is a target, not the plan's year; a year inside a document's number
    # belongs to the citation; "hòa bình" without "tỉnh" or capitals is peace
    for query in (
        "mục tiêu đến năm 2026",
        "triển khai Nghị định 118/2025/NĐ-CP",
        "giữ vững hòa bình",
    ):
        u = vocabulary.understand(query)
        assert u.constraints == [] and u.topic == query, query
    assert constraints(vocabulary.understand("tỉnh Hòa Bình"))["province"][0] == "Hòa Bình"


def test_a_place_no_document_belongs_to_is_said_and_read_as_words(vocabulary):
    u = vocabulary.understand(f"Đồng Tháp {TOPIC}")
    assert constraints(u)["province"] == ("Đồng Tháp", "unmatched", 0)
    assert not u.applies and "Đồng Tháp" in u.line


def test_ignore_leaves_a_field_unread_and_only_makes_it_a_filter(vocabulary):
    query = f"{TOPIC} năm 2025"
    assert "year" not in constraints(vocabulary.understand(query, ignore=("year",)))
    u = vocabulary.understand(query, only=("year",))
    assert constraints(u)["year"][1] == "filter"
    assert u.only == {KKT}
    assert u.line.startswith("Chỉ tìm trong: 2025")


def test_search_ranks_the_named_years_plan_first_softly(searcher):
    query = f"kế hoạch {TOPIC} 2025"
    plain = searcher.search(query, 10, understand=False)
    understood = searcher.search(query, 10)
    first = [h.doc_id for h in understood.hits[:3]]
    assert first == [KKT] * 3
    assert [h.doc_id for h in plain.hits[:3]] != first  # what understanding changed
    assert YTE in {h.doc_id for h in understood.hits}  # soft: the other plan still answers
    assert understood.understood is not None and understood.understood.applied == "preferred"


def test_a_filter_from_the_query_keeps_only_its_documents(searcher):
    r = searcher.search(f"{TOPIC} năm 2026", 10, only=("year",))
    assert r.hits and {h.doc_id for h in r.hits} == {YTE}


def test_an_unmatched_place_still_answers(searcher):
    r = searcher.search(f"Đồng Tháp {TOPIC}", 5)
    assert r.hits and r.answered is True
    assert r.understood.constraints[0].applied == "unmatched"


def test_api_says_what_it_understood(client):
    q = f"{TOPIC} năm 2026 của Trường Cao đẳng Y tế"
    body = client.get("/search", params={"q": q, "k": 5}).json()
    u = body["understood"]
    by_field = {c["field"]: c for c in u["constraints"]}
    assert by_field["year"]["value"] == "2026" and by_field["year"]["words"] == "2026"
    assert by_field["unit"]["applied"] == "preferred" and by_field["unit"]["documents"] == 1
    assert u["topic"] == TOPIC and u["applied"] == "preferred"
    assert all(r["doc_id"] == YTE for r in body["results"])
    only = client.get("/search", params={"q": q, "only": "year", "ignore": "unit"}).json()
    assert [c["field"] for c in only["understood"]["constraints"]] == ["year"]
    assert only["understood"]["constraints"][0]["applied"] == "filter"
    assert (
        client.get("/search", params={"q": q, "understand": "false"}).json()["understood"] is None
    )
    bad = client.get("/search", params={"q": q, "ignore": "street"})
    assert bad.status_code == 422 and "ignore" in bad.text


def test_cli_prints_the_line_and_refuses_an_unknown_field(index_dir):
    runner = CliRunner()
    query = f"{TOPIC} năm 2026"
    out = runner.invoke(cli, ["search", query, "--index", str(index_dir), "-k", "3"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].startswith("Đang ưu tiên: 2026")
    only = runner.invoke(cli, ["search", query, "--index", str(index_dir), "--only", "year"])
    assert "Chỉ tìm trong: 2026" in only.output
    bad = runner.invoke(cli, ["search", query, "--index", str(index_dir), "--ignore", "street"])
    assert bad.exit_code == 2 and "--ignore 'street'" in bad.output
