"""The HTML pages (``/``, ``/doc/{id}``, ``/so-sanh``, ``/trich-dan``) through TestClient over
the real index (the session fixture ``index_dir``: both real plans, real embedder)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from service.live.holder import IndexHolder
from service.settings import Settings
from service.web.app import create_app
from tests.http import LOCAL, app_client

P2025 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
P2026 = "2026-truong-cao-dang-y-te-khanh-hoa"
UNIT_2026 = "Trường Cao đẳng Y tế Khánh Hòa"
AI_QUERY = "ứng dụng trí tuệ nhân tạo"


def text_of(html: str) -> str:
    """The visible text of a page, tags removed, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def results(html: str) -> list[str]:
    return re.findall(r'<li class="result" data-doc="([^"]+)"', html)


def assert_readable_page(r, status: int) -> None:
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in r.text
    assert "Traceback" not in r.text and "Exception" not in r.text


# -- search --------------------------------------------------------------------------------
@pytest.mark.slow
def test_search_form_has_labels_filters_and_plans(client):
    r = client.get("/")
    assert_readable_page(r, 200)
    for field in ("q", "s-unit", "s-year"):
        assert f'<label for="{field}">' in r.text and f'id="{field}"' in r.text
    assert f'<option value="{UNIT_2026}"' in r.text
    assert '<option value="2025"' in r.text and '<option value="2026"' in r.text
    assert f'href="/doc/{P2025}"' in r.text and f'href="/doc/{P2026}"' in r.text
    assert 'href="/static/style.css"' in r.text


@pytest.mark.slow
def test_search_results_show_unit_year_section_snippet_and_link(client):
    r = client.get("/", params={"q": AI_QUERY})
    assert_readable_page(r, 200)
    found = results(r.text)
    assert found and set(found) <= {P2025, P2026}
    assert "<mark>" in r.text  # the core's highlighted snippet, not escaped away
    assert "&lt;mark&gt;" not in r.text
    first = r.text.split('<li class="result"')[1]
    assert re.search(r'href="/doc/[^"#]+\?q=[^"#]+#p-\d+"', first)
    assert "Năm 20" in first and "Mục:" in first
    # the 2026 college plan's AI item is among the results and links to its paragraph
    items = r.text.split('<li class="result"')[1:]
    ai = [it for it in items if "ứng dụng AI" in text_of(it) or "AI," in text_of(it)]
    assert ai and f'data-doc="{P2026}"' in '<li class="result"' + ai[0]


@pytest.mark.slow
def test_search_filters_by_year_and_unit(client):
    only_2025 = results(client.get("/", params={"q": "tuyên truyền", "year": "2025"}).text)
    assert only_2025 and set(only_2025) == {P2025}
    only_college = client.get("/", params={"q": "tuyên truyền", "unit": UNIT_2026})
    assert set(results(only_college.text)) == {P2026}
    assert f'<option value="{UNIT_2026}" selected>' in only_college.text


@pytest.mark.slow
def test_search_no_results_and_bad_year_are_sentences(client):
    r = client.get("/", params={"q": "tuyên truyền", "unit": "Đơn vị không có"})
    assert_readable_page(r, 200)
    assert results(r.text) == []
    assert "Không tìm thấy đoạn nào phù hợp với «tuyên truyền»" in text_of(r.text)
    bad = client.get("/", params={"q": "tuyên truyền", "year": "hai nghìn"})
    assert_readable_page(bad, 200)
    assert "Năm «hai nghìn» không hợp lệ" in text_of(bad.text)
    too_long = client.get("/", params={"q": "a" * 1200})
    assert_readable_page(too_long, 422)
    assert "dài quá" in text_of(too_long.text)


# -- document ------------------------------------------------------------------------------
@pytest.mark.slow
def test_document_page_has_metadata_paragraph_anchors_and_task_table(client, reader):
    r = client.get(f"/doc/{P2026}")
    assert_readable_page(r, 200)
    page = text_of(r.text)
    assert UNIT_2026 in page and "2026" in page
    assert "Tuyên truyền cải cách hành chính năm 2026" in page
    # every paragraph of the plan has its anchor, in the body or as its appendix row
    for p in reader.paragraphs(P2026):
        assert f'id="p-{p.ordinal}"' in r.text
    tasks = reader.tasks(P2026)
    assert tasks and r.text.count('<td class="num" data-label="TT">') == len(tasks)
    assert "Phụ lục: nhiệm vụ, sản phẩm, tiến độ và trách nhiệm" in page
    assert "I. MỤC TIÊU, YÊU CẦU" in page


@pytest.mark.slow
def test_unknown_document_is_a_sentence_with_404(client):
    r = client.get("/doc/khong-co-ke-hoach-nay")
    assert_readable_page(r, 404)
    assert "Không có kế hoạch nào mang mã «khong-co-ke-hoach-nay»" in text_of(r.text)


# -- compare -------------------------------------------------------------------------------
@pytest.mark.slow
def test_compare_shows_summary_badges_and_both_columns(client):
    r = client.get("/so-sanh", params={"a": P2025, "b": P2026})
    assert_readable_page(r, 200)
    page = text_of(r.text)
    assert "Tóm tắt" in page and "Theo từng mục" in page
    for label in ("Giống nhau:", "Có thay đổi:", "Chỉ có ở A:", "Chỉ có ở B:"):
        assert label in page
    for status in ("same", "changed", "only_a", "only_b"):
        assert f'class="pair {status}"' in r.text
    assert "<ins>" in r.text and "<del>" in r.text
    assert f'<option value="{P2025}" selected>' in r.text
    assert f'href="/doc/{P2026}#p-' in r.text  # each side links to its paragraph


@pytest.mark.slow
def test_compare_same_plan_twice_missing_and_unknown_are_sentences(client):
    same = client.get("/so-sanh", params={"a": P2025, "b": P2025})
    assert_readable_page(same, 200)  # as /compare answers it (issue 13: it was a 400)
    assert "là cùng một kế hoạch, nên mọi đoạn đều giống nhau" in text_of(same.text)
    api = client.get("/compare", params={"a": P2025, "b": P2025}).json()
    assert api["summary"]["counts"]["same"] == api["a"]["n_paragraphs"]
    assert same.text.count('class="pair same') == api["a"]["n_paragraphs"]
    half = client.get("/so-sanh", params={"a": P2025})
    assert "Hãy chọn đủ hai kế hoạch" in text_of(half.text)
    unknown = client.get("/so-sanh", params={"a": P2025, "b": "khong-co"})
    assert_readable_page(unknown, 404)
    assert "Không có kế hoạch «khong-co» trong chỉ mục" in text_of(unknown.text)
    empty = client.get("/so-sanh")
    assert_readable_page(empty, 200)
    assert "Chọn hai kế hoạch khác nhau" in text_of(empty.text)


# -- mentions ------------------------------------------------------------------------------
@pytest.mark.slow
def test_mentions_grouped_by_plan_with_the_reference_marked(client):
    r = client.get("/trich-dan", params={"ref": "09-NQ/TW"})
    assert_readable_page(r, 200)
    groups = re.findall(r'<section class="plan-group" data-doc="([^"]+)"', r.text)
    assert sorted(groups) == [P2025, P2026]
    marked = re.findall(r"<mark>(.*?)</mark>", r.text)
    assert len(marked) == 6 and all("09-NQ/TW" in m for m in marked)
    page = text_of(r.text)
    assert "được nhắc 6 lần trong 2 kế hoạch" in page
    assert "Bộ Chính trị" in page
    assert re.search(rf'href="/doc/{P2025}#p-\d+"', r.text)
    narrowed = client.get("/trich-dan", params={"ref": "09-NQ/TW", "year": "2026"})
    assert re.findall(r'data-doc="([^"]+)"', narrowed.text) == [P2026]


@pytest.mark.slow
def test_unknown_and_malformed_references_are_sentences(client):
    unknown = client.get("/trich-dan", params={"ref": "99-NQ/TW"})
    assert_readable_page(unknown, 404)
    assert "Không kế hoạch nào trong chỉ mục trích dẫn «99-NQ/TW»" in text_of(unknown.text)
    assert 'class="stack references"' in unknown.text  # the table to choose from
    malformed = client.get("/trich-dan", params={"ref": "xin chào"})
    assert_readable_page(malformed, 422)
    assert "không phải là số hiệu hay tên một văn bản" in text_of(malformed.text)


def table_rows(html: str) -> list[tuple[str, int, int]]:
    body = html.split('class="stack references"')[1].split("</table>")[0]
    rows = re.findall(
        r'<a href="[^"]+">([^<]+)</a></td>.*?data-label="Số lần nhắc">(\d+)</td>\s*'
        r'<td class="num" data-label="Số kế hoạch">(\d+)</td>',
        body,
        flags=re.S,
    )
    return [(unescape(label), int(n), int(d)) for label, n, d in rows]


@pytest.mark.slow
def test_citation_table_ordered_by_count_sortable_and_filterable(client):
    r = client.get("/trich-dan")
    assert_readable_page(r, 200)
    rows = table_rows(r.text)
    assert len(rows) >= 10
    counts = [n for _, n, _ in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[0][0].startswith("Nghị quyết 09-NQ/TW") and rows[0][1:] == (6, 2)
    by_label = [label for label, _, _ in table_rows(client.get("/trich-dan?sort=label").text)]
    assert by_label == sorted(by_label, key=str.casefold)
    only_2025 = table_rows(client.get("/trich-dan", params={"year": "2025"}).text)
    assert only_2025 and all(d == 1 for _, _, d in only_2025)
    assert dict((lbl, n) for lbl, n, _ in only_2025)[rows[0][0]] == 3


@pytest.fixture(scope="module")
def ambiguous_client(ambiguous_index_dir):
    with app_client(ambiguous_index_dir) as c:
        yield c


@pytest.mark.slow
def test_ambiguous_reference_lists_each_candidate(ambiguous_client):
    r = ambiguous_client.get("/trich-dan", params={"ref": "Nghị quyết 09"})
    assert_readable_page(r, 200)
    page = text_of(r.text)
    assert "«Nghị quyết 09» có thể là một trong các văn bản sau" in page
    candidates = re.findall(r'<ul class="candidates">(.*?)</ul>', r.text, flags=re.S)[0]
    assert "09-NQ/TU" in candidates and "09-NQ/TW" in candidates
    assert "/trich-dan?ref=09-NQ%2FTW" in candidates
    assert "Tỉnh ủy Khánh Hòa" in candidates and "Bộ Chính trị" in candidates


# -- errors and static files ---------------------------------------------------------------
def test_no_index_yet_says_run_make_index(tmp_path):
    holder = IndexHolder(Settings(index_dir=tmp_path / "none"))  # never opened: no index
    app = create_app(Settings(index_dir=tmp_path / "none"), holder=holder)
    with TestClient(app, base_url=LOCAL) as c:
        for url in ("/", "/so-sanh", "/trich-dan", f"/doc/{P2025}"):
            r = c.get(url)
            assert_readable_page(r, 503)
            assert "Chưa có chỉ mục" in r.text and "make index" in r.text


@pytest.mark.slow
def test_unexpected_failure_is_a_sentence_not_a_trace(client, monkeypatch):
    import service.web.pages.compare as compare_page

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    # the page's own shaping step (the comparison itself may come from the generation cache)
    monkeypatch.setattr(compare_page, "comparison_context", broken)
    r = client.get("/so-sanh", params={"a": P2025, "b": P2026})
    assert_readable_page(r, 500)
    assert "Đã có lỗi khi xử lý yêu cầu" in r.text
    assert "secret internal detail" not in r.text and "RuntimeError" not in r.text


@pytest.mark.slow
def test_static_files_served_and_nothing_outside(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert "@media (max-width: 640px)" in css.text
    assert "http" not in css.text  # nothing fetched from the internet
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/..%2Fapp.py").status_code == 404
    assert client.get("/static/nope.css").status_code == 404


@pytest.mark.slow
def test_json_api_routes_stay_json(client):
    r = client.get("/documents")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")


@pytest.mark.slow
def test_a_punctuation_query_says_there_is_nothing_to_search(client):
    r = client.get("/", params={"q": "*"})
    assert r.status_code == 422
    assert "chỉ có dấu câu hoặc ký hiệu" in r.text and 'class="result"' not in r.text
