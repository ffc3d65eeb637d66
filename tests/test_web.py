"""The web page in a real browser: Playwright drives Debian's Chromium (``/usr/bin/chromium``,
``make browser``; nothing is downloaded) against the real app served by uvicorn on
127.0.0.1 over the real index (the session fixture ``index_dir``).

Screenshots of the four views go to ``tmp_path``; with ``CCHC_SCREENSHOTS=docs`` they are
written to ``docs/search.png``, ``docs/compare.png``, ``docs/mentions.png`` and
``docs/coverage.png`` instead.
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from service.settings import Settings
from service.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium, and the session index

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[1] / "docs"
P2025 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
P2026 = "2026-truong-cao-dang-y-te-khanh-hoa"
AI_QUERY = "ứng dụng trí tuệ nhân tạo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
TARGET_BG = "rgb(255, 244, 194)"  # --target in style.css


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The real app (uvicorn, background thread) on a free loopback port: its base URL."""
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(index_dir):
    """The app over the session index, for the module."""
    with serving(Settings(index_dir=index_dir)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    p = context.new_page()
    p.set_default_timeout(60_000)  # the first query loads the embedding model
    yield p
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    return DOCS if os.environ.get("CCHC_SCREENSHOTS") == "docs" else tmp_path


def first_result(page: Page):
    return page.locator("li.result").first


def test_search_typed_query_finds_the_ai_row_first_and_opens_its_paragraph(page, base_url, shots):
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_label("Nội dung cần tìm").fill(AI_QUERY)
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/\?q="))
    first = first_result(page)
    expect(first).to_have_attribute("data-doc", P2026)
    expect(first.locator(".snippet")).to_contain_text("AI")
    expect(first.locator(".snippet mark").first).to_be_visible()
    expect(first.locator(".meta")).to_contain_text("Năm 2026")
    page.screenshot(path=str(shots / "search.png"))

    first.get_by_role("link", name="Xem đoạn này trong kế hoạch").click()
    page.wait_for_url(re.compile(rf"/doc/{P2026}.*#p-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    target = page.locator(f"#{anchor}")
    expect(target).to_be_visible()
    expect(target).to_contain_text("AI")
    expect(target).to_be_in_viewport()
    expect(target).to_have_class(re.compile(r"\bis-target\b"))
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == TARGET_BG
    expect(page.get_by_role("heading", level=1)).to_contain_text("năm 2026")


def test_compare_two_real_plans_side_by_side(page, base_url, shots):
    page.goto(base_url + "/so-sanh")
    page.get_by_label("Kế hoạch A").select_option(P2025)
    page.get_by_label("Kế hoạch B").select_option(P2026)
    page.get_by_role("button", name="So sánh").click()
    page.wait_for_url(re.compile(rf"a={P2025}&b={P2026}"))
    head = page.locator(".align-head")
    expect(head).to_contain_text("Ban Quản lý Khu kinh tế")
    expect(head).to_contain_text("Trường Cao đẳng Y tế Khánh Hòa")
    summary = page.locator("section.summary")
    expect(summary.get_by_role("heading", name="Tóm tắt")).to_be_visible()
    for label in ("Giống nhau:", "Có thay đổi:", "Chỉ có ở A:", "Chỉ có ở B:"):
        expect(summary.locator(".badges")).to_contain_text(label)
    assert summary.locator("table.section-summary tbody tr").count() >= 4
    for status in ("same", "changed", "only_a", "only_b"):
        assert page.locator(f".pair.{status}").count() > 0, status
    changed = page.locator(".pair.changed").first
    expect(changed.locator(".side")).to_have_count(2)
    assert page.locator(".pair.changed ins").count() > 0
    assert page.locator(".pair.changed del").count() > 0
    # green insertions, red deletions
    ins_bg = page.locator(".pair.changed ins").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert ins_bg == "rgb(216, 245, 223)"
    # the summary and the first aligned pairs, as a person scrolling down would see them
    clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": 2200}
    page.screenshot(path=str(shots / "compare.png"), full_page=True, clip=clip)


def test_mentions_of_09_nq_tw_grouped_under_both_plans(page, base_url, shots):
    page.goto(base_url + "/trich-dan")
    expect(page.locator("table.references")).to_be_visible()  # the citation table first
    page.get_by_label("Số hiệu hoặc tên văn bản").fill("09-NQ/TW")
    page.get_by_role("button", name="Tìm trích dẫn").click()
    page.wait_for_url(re.compile(r"ref=09-NQ"))
    groups = page.locator("section.plan-group")
    expect(groups).to_have_count(2)
    assert sorted(groups.evaluate_all("gs => gs.map(g => g.dataset.doc)")) == [P2025, P2026]
    for i in range(2):
        marks = groups.nth(i).locator("mark")
        assert marks.count() >= 2
        for text in marks.all_inner_texts():
            assert "09-NQ/TW" in text
    expect(page.locator(".count")).to_contain_text("6 lần trong 2 kế hoạch")
    clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": 1700}  # both plan groups
    page.screenshot(path=str(shots / "mentions.png"), full_page=True, clip=clip)


def test_coverage_matrix_colours_cells_opens_paragraphs_and_downloads(page, base_url, shots):
    from openpyxl import load_workbook

    page.goto(base_url + "/bao-phu")
    page.get_by_label("Văn bản gốc").select_option(P2026)
    page.get_by_role("button", name="Đối chiếu").click()
    page.wait_for_url(re.compile(r"reference=" + P2026))
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    rows = matrix.locator("tbody tr")
    assert rows.count() > 10
    cells = matrix.locator("td.cell")
    classes = set(cells.evaluate_all("cs => cs.map(c => c.classList[1])"))
    assert classes <= {"covered", "partial", "missing"} and "covered" in classes
    colours = {
        status: matrix.locator(f"td.{status}").first.evaluate(
            "c => getComputedStyle(c).backgroundColor"
        )
        for status in classes
    }
    assert len(set(colours.values())) == len(classes), "one colour per status"
    page.screenshot(path=str(shots / "coverage.png"))
    # the header row stays in view while the matrix scrolls
    wrap = page.locator(".matrix-wrap")
    wrap.evaluate("w => w.scrollTop = 400")
    head = matrix.locator("thead th").first.bounding_box()
    box = wrap.bounding_box()
    assert head and box and abs(head["y"] - box["y"]) < 3
    # a covered cell opens the matched paragraph, marked as the target, in its plan
    link = matrix.locator("td.covered a").first
    href = link.get_attribute("href")
    assert href and href.startswith(f"/doc/{P2025}#p-")
    link.click()
    page.wait_for_url(re.compile(re.escape(href.split("#")[0])))
    target = page.locator(f"#p-{href.rsplit('#p-', 1)[1]}")
    expect(target).to_be_visible()
    page.go_back()
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert info.value.suggested_filename == f"bao-phu-{P2026}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))["Bao phủ"]
    assert sheet.max_row == rows.count() + 2
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = Path(info.value.path()).read_text("utf-8-sig")
    assert text.splitlines()[0].startswith("STT,Yêu cầu")


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = no horizontal scroll)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/?q=" + quote(AI_QUERY),
        f"/doc/{P2026}",
        f"/so-sanh?a={P2025}&b={P2026}",
        "/trich-dan?ref=09-NQ%2FTW",
        "/trich-dan",
        f"/bao-phu?reference={P2026}",
    ],
)
def test_phone_width_has_no_horizontal_overflow(browser, base_url, path):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(base_url + path)
        assert page.evaluate("window.innerWidth") == 375
        assert overflow(page) <= 0, f"{path} scrolls sideways at 375 px"
        # the form stacks: the submit button is inside the viewport
        button = page.locator("form button[type=submit]").first
        if button.count():
            box = button.bounding_box()
            assert box and box["x"] + box["width"] <= 375
    finally:
        context.close()


def test_bare_shared_urls_render_the_same_views(page, base_url):
    page.goto(f"{base_url}/?q={quote(AI_QUERY)}&year=2026")
    expect(page.get_by_label("Nội dung cần tìm")).to_have_value(AI_QUERY)
    expect(page.get_by_label("Năm")).to_have_value("2026")
    docs = page.locator("li.result").evaluate_all("rs => rs.map(r => r.dataset.doc)")
    assert docs and set(docs) == {P2026}

    page.goto(f"{base_url}/so-sanh?a={P2025}&b={P2026}")
    expect(page.get_by_label("Kế hoạch A")).to_have_value(P2025)
    expect(page.get_by_label("Kế hoạch B")).to_have_value(P2026)
    assert page.locator(".pair").count() > 20

    page.goto(
        f"{base_url}/trich-dan?ref=09-NQ%2FTW&unit="
        + quote("Ban Quản lý Khu kinh tế và Khu công nghiệp")
    )
    expect(page.get_by_label("Số hiệu hoặc tên văn bản")).to_have_value("09-NQ/TW")
    expect(page.locator("section.plan-group")).to_have_count(1)
    expect(page.locator("section.plan-group")).to_have_attribute("data-doc", P2025)

    page.goto(f"{base_url}/doc/{P2026}#p-3")
    expect(page.locator("#p-3")).to_have_class(re.compile(r"\bis-target\b"))
    expect(page.locator("#p-3")).to_be_in_viewport()


def test_pages_work_without_javascript(browser, base_url):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(base_url + "/")
        page.get_by_label("Nội dung cần tìm").fill("số hóa hồ sơ")
        page.get_by_role("button", name="Tìm kiếm").click()
        page.wait_for_url(re.compile(r"/\?q="))
        first_result(page).get_by_role("link", name="Xem đoạn này trong kế hoạch").click()
        page.wait_for_url(re.compile(r"#p-\d+$"))
        anchor = page.url.rsplit("#", 1)[1]
        bg = page.locator(f"#{anchor}").evaluate("e => getComputedStyle(e).backgroundColor")
        assert bg == TARGET_BG  # CSS :target highlights the paragraph without the script
    finally:
        context.close()


# -- the working day (issue 18): counts per plan, pages, "more from this plan", state -------
@pytest.fixture(params=["desktop", "phone"])
def any_page(request, browser):
    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


def _units(page: Page) -> list[str]:
    return page.locator("li.result:not(.close) .unit").all_inner_texts()


def test_an_off_topic_search_says_nothing_relevant_and_shows_only_a_few_close_ones(
    any_page, base_url
):
    """The relevance floor: no plan is about cooking; the page says so in words and shows at
    most three paragraphs under "Gần đúng", marked as such, with no result count."""
    page = any_page
    page.goto(f"{base_url}/?q={quote('công thức nấu phở bò')}")
    expect(page.locator(".notice")).to_contain_text("Không tìm thấy đoạn nào đủ liên quan")
    expect(page.locator("#so-ket-qua")).to_have_count(0)
    expect(page.locator("aside.facets")).to_have_count(0)
    close = page.locator("section.close-results li.result.close")
    assert 1 <= close.count() <= 3
    assert set(close.locator(".level").all_inner_texts()) == {"Gần đúng"}
    expect(page.locator("li.result:not(.close)")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_results_say_how_relevant_they_are_in_words_and_bars(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/?q={quote(AI_QUERY)}")
    first = first_result(page)
    expect(first.locator(".snippet mark").first).to_contain_text("AI")
    levels = page.locator("li.result:not(.close) .level").all_inner_texts()
    assert levels and set(levels) <= {"Rất liên quan", "Liên quan"}
    n = int(re.match(r"\d+", page.locator("#so-ket-qua").inner_text()).group())
    assert n == len(levels)  # the count is the paragraphs above the floor, all on this page
    expect(first.locator(".level .bars i")).to_have_count(3)
    under = page.locator("section.close-results li.result.close")
    assert under.count() <= 3
    assert set(under.locator(".level").all_inner_texts()) <= {"Gần đúng"}


def test_results_grouped_by_plan_with_counts_and_the_way_to_all_of_a_plan(any_page, base_url):
    page = any_page
    query = "tuyên truyền cải cách hành chính"
    page.goto(f"{base_url}/?q={quote(query)}")
    total = int(re.match(r"\d+", page.locator("#so-ket-qua").inner_text()).group())
    page.get_by_role("link", name="Xem theo kế hoạch").click()
    page.wait_for_url(re.compile(r"theo=ke-hoach"))
    groups = page.locator("section.plan-group")
    expect(groups).to_have_count(2)
    expect(page.locator("#so-ket-qua")).to_contain_text("trong 2 kế hoạch")
    counts = [int(c.split()[0]) for c in groups.locator("h2 .n").all_inner_texts()]
    assert sum(counts) == total  # every relevant paragraph in exactly one plan's count
    for i in range(2):
        group = groups.nth(i)
        assert 1 <= group.locator("li.result").count() <= 3
        assert set(group.locator("li.result").evaluate_all("rs => rs.map(r => r.dataset.doc)")) == {
            group.get_attribute("data-doc")
        }
    biggest = groups.nth(counts.index(max(counts)))
    doc = biggest.get_attribute("data-doc")
    biggest.get_by_role("link", name=re.compile(r"Xem cả \d+ đoạn từ kế hoạch này")).click()
    page.wait_for_url(re.compile(r"doc="))
    assert "theo=" not in page.url
    assert set(
        page.locator("li.result:not(.close)").evaluate_all("rs => rs.map(r => r.dataset.doc)")
    ) == {doc}
    page.go_back()
    page.wait_for_url(re.compile(r"theo=ke-hoach"))
    page.get_by_role("link", name="Xem từng đoạn").click()
    page.wait_for_url(lambda url: "theo=" not in url)
    expect(page.locator("section.plan-group")).to_have_count(0)
    assert page.locator("li.result:not(.close)").count() == min(20, total)


def test_facets_count_results_per_unit_and_apply_then_remove_the_filter(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/?q={quote('tuyên truyền cải cách hành chính')}")
    facets = page.locator("aside.facets")
    expect(facets).to_be_visible()
    unit_links = facets.locator("section.facet", has_text="Đơn vị").locator("a")
    assert unit_links.count() == 2  # both plans answer
    counts = facets.locator("section.facet", has_text="Đơn vị").locator(".n").all_inner_texts()
    assert all(int(c) > 0 for c in counts)
    total = int(re.match(r"\d+", page.locator("#so-ket-qua").inner_text()).group())
    assert sum(int(c) for c in counts) == total  # the relevant paragraphs, each counted once
    school = facets.get_by_role("link", name="Trường Cao đẳng Y tế Khánh Hòa")
    school.click()
    page.wait_for_url(re.compile(r"unit="))
    assert set(_units(page)) == {"Trường Cao đẳng Y tế Khánh Hòa"}
    expect(page.locator("#so-ket-qua")).to_contain_text("đơn vị Trường Cao đẳng Y tế Khánh Hòa")
    expect(page.get_by_label("Đơn vị")).to_have_value("Trường Cao đẳng Y tế Khánh Hòa")
    active = facets.locator("a.active")
    expect(active).to_have_count(1)
    active.click()  # the value in use removes its filter
    page.wait_for_url(lambda url: "unit=" not in url)
    assert len(set(_units(page))) == 2


def test_pages_of_twenty_and_back(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/?q={quote('tuyên truyền cải cách hành chính')}")
    first_page = page.locator("li.result").evaluate_all("rs => rs.map(r => r.innerText)")
    assert len(first_page) == 20
    page.get_by_role("link", name="Trang sau →").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator("ol.results")).to_have_attribute("start", "21")
    expect(page.locator("#so-ket-qua")).to_contain_text("đang xem 21–")
    second_page = page.locator("li.result").evaluate_all("rs => rs.map(r => r.innerText)")
    assert second_page and not set(second_page) & set(first_page)
    page.get_by_role("link", name="← Trang trước").click()
    page.wait_for_url(lambda url: "page=" not in url)
    assert page.locator("li.result").evaluate_all("rs => rs.map(r => r.innerText)") == first_page


def test_more_from_this_plan_searches_that_plan_only(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/?q={quote(AI_QUERY)}")
    hit = first_result(page)
    doc = hit.get_attribute("data-doc")
    hit.get_by_role("link", name="Thêm từ kế hoạch này").click()
    page.wait_for_url(re.compile(r"doc="))
    docs = page.locator("li.result").evaluate_all("rs => rs.map(r => r.dataset.doc)")
    assert docs and set(docs) == {doc}
    expect(page.locator("#chi-trong-ke-hoach")).to_be_visible()
    expect(page.locator("li.result a.more")).to_have_count(0)
    page.get_by_role("link", name="Tìm trong mọi kế hoạch").click()
    page.wait_for_url(lambda url: "doc=" not in url)
    assert len(set(page.locator("li.result").evaluate_all("rs => rs.map(r => r.dataset.doc)"))) == 2


def test_the_way_back_keeps_the_search_and_back_forward_restore_state(page, base_url):
    unit = "Ban Quản lý Khu kinh tế và Khu công nghiệp"
    url = f"{base_url}/?q={quote('tuyên truyền')}&unit={quote(unit)}&year=2025"
    page.goto(url)
    first_result(page).get_by_role("link", name="Xem đoạn này trong kế hoạch").click()
    page.wait_for_url(re.compile(r"/doc/.*#p-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    page.get_by_role("link", name="← Quay lại tìm kiếm").click()
    page.wait_for_url(re.compile(r"/\?"))
    expect(page.get_by_label("Nội dung cần tìm")).to_have_value("tuyên truyền")
    expect(page.get_by_label("Đơn vị")).to_have_value(unit)
    expect(page.get_by_label("Năm")).to_have_value("2025")
    assert set(_units(page)) == {unit}
    # a field changed but not submitted is put back to what the results show after Back
    page.get_by_label("Năm").select_option("")
    page.go_back()  # the plan, scrolled to its paragraph again
    page.wait_for_url(re.compile(r"#p-\d+$"))
    target = page.locator(f"#{anchor}")
    expect(target).to_have_class(re.compile(r"is-target"))
    expect(target).to_be_in_viewport()
    page.go_forward()
    page.wait_for_url(re.compile(r"year=2025"))
    expect(page.get_by_label("Năm")).to_have_value("2025")
    assert set(_units(page)) == {unit}


def test_labels_are_words_and_each_view_says_what_it_does(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/?q={quote('tuyên truyền cải cách hành chính')}")
    tags = set(page.locator("li.result .tag").all_inner_texts())
    assert tags and tags <= {"Đoạn văn", "Mục liệt kê", "Tiêu đề mục", "Nhiệm vụ (phụ lục)"}
    expect(page.locator("p.help")).to_contain_text("Tìm theo cả từ ngữ và ý nghĩa")
    expect(page.locator("#so-ket-qua")).to_contain_text("trong mọi kế hoạch")


def test_the_plan_prints_without_the_site_controls(page, base_url):
    page.goto(f"{base_url}/doc/{P2026}")
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-footer", ".toc", "p.actions"):
        if page.locator(selector).count():
            expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator(".doc-body")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000


def _download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_search_results_download_as_excel_and_word_with_links_back(any_page, base_url):
    import docx
    from openpyxl import load_workbook

    page = any_page
    unit = "Trường Cao đẳng Y tế Khánh Hòa"
    page.goto(f"{base_url}/?q={quote(AI_QUERY)}&unit={quote(unit)}")
    shown = page.locator("li.result").count()
    name, body = _download(page, "Excel (.xlsx)")
    assert name.endswith(".xlsx") and name.startswith("tim-kiem-")
    sheet = load_workbook(io.BytesIO(body)).active
    assert AI_QUERY in sheet["A1"].value and unit in sheet["A2"].value  # what was searched
    header = [c.value for c in sheet[3]]
    assert header == ["STT", "Đơn vị", "Năm", "Mục", "Đoạn", "Mức liên quan", "Liên kết"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) >= shown and {r[1] for r in rows} == {unit} and {r[2] for r in rows} == {2026}
    assert all(r[3] for r in rows[:5]), "the section of each paragraph"
    assert rows[0][5] in ("Rất liên quan", "Liên quan")  # the page's first result
    assert {r[5] for r in rows} <= {"Rất liên quan", "Liên quan", "Gần đúng"}
    link = sheet.cell(row=4, column=7)
    assert link.hyperlink and re.search(rf"/doc/{P2026}#p-\d+$", link.hyperlink.target)
    first_text = page.locator("li.result .snippet").first.inner_text().strip("…")
    assert any(w in rows[0][4] for w in first_text.split()[:3])
    name, body = _download(page, "Word (.docx)")
    assert name.endswith(".docx")
    document = docx.Document(io.BytesIO(body))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == header
    assert len(table.rows) == len(rows) + 1
    assert table.rows[1].cells[1].text == unit and re.search(
        r"#p-\d+$", table.rows[1].cells[6].text
    )
    page.goto(link.hyperlink.target)  # the link in the file opens the paragraph
    expect(page.locator(".is-target")).to_be_visible()


def test_a_comparison_downloads_as_excel_and_word(any_page, base_url):
    import docx
    from openpyxl import load_workbook

    page = any_page
    page.goto(f"{base_url}/so-sanh?a={P2025}&b={P2026}")
    pairs_shown = page.locator(".pair").count()
    name, body = _download(page, "Excel (.xlsx)")
    assert name == f"so-sanh-{P2025}-{P2026}.xlsx"
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == pairs_shown
    statuses = {r[0] for r in rows}
    assert statuses <= {"Giống nhau", "Có thay đổi", "Chỉ có ở A", "Chỉ có ở B"}
    assert {"Giống nhau", "Chỉ có ở B"} <= statuses
    same = next(r for r in rows if r[0] == "Giống nhau")
    assert same[2] and same[4] and f"/doc/{P2025}#p-" in same[6] and f"/doc/{P2026}#p-" in same[7]
    name, body = _download(page, "Word (.docx)")
    table = docx.Document(io.BytesIO(body)).tables[0]
    assert len(table.rows) == len(rows) + 1
    assert table.rows[0].cells[0].text == "Kết quả"


def test_compare_switches_show_differences_only_or_fold_unchanged_sections(any_page, base_url):
    page = any_page
    page.goto(f"{base_url}/so-sanh?a={P2025}&b={P2026}")
    total = page.locator(".pair").count()
    same = page.locator(".pair.same").count()
    assert same > 0 and total > same
    page.get_by_label("Chỉ hiện chỗ khác nhau").check()  # submits at once (the form's script)
    page.wait_for_url(re.compile(r"khac=1"))
    expect(page.locator(".pair.same")).to_have_count(0)
    expect(page.locator(".pair")).to_have_count(total - same)
    hidden = page.locator(".hidden-same").all_inner_texts()
    assert sum(int(re.search(r"đã ẩn (\d+)", t).group(1)) for t in hidden) == same
    # the section summary's links still land (hidden pairs keep their anchors)
    links = page.locator("table.section-summary a")
    assert links.count() > 0
    for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, href
    page.goto(f"{base_url}/so-sanh?a={P2025}&b={P2025}&gon=1")  # nothing differs: all folded
    expect(page.get_by_label("Thu gọn các mục không đổi")).to_be_checked()
    folded = page.locator("details.unchanged")
    assert folded.count() > 0
    expect(folded.first.locator(".pair").first).to_be_hidden()
    folded.first.locator("summary").click()
    expect(folded.first.locator(".pair").first).to_be_visible()


def test_the_citation_table_downloads_as_excel_and_word(any_page, base_url):
    import docx
    from openpyxl import load_workbook

    page = any_page
    page.goto(f"{base_url}/trich-dan?year=2026")
    shown = page.locator("table.references tbody tr").count()
    assert shown > 0
    name, body = _download(page, "Excel (.xlsx)")
    assert name == "trich-dan.xlsx"
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:4] == ("Văn bản", "Loại", "Cơ quan ban hành", "Bắt buộc")
    assert header[4:] == ("Trường Cao đẳng Y tế Khánh Hòa — 2026",)  # the year's one plan
    assert len(data) == shown and all(isinstance(r[4], int) and r[4] >= 1 for r in data)
    assert any("09-NQ/TW" in str(r[0]) for r in data)
    name, body = _download(page, "Word (.docx)")
    table = docx.Document(io.BytesIO(body)).tables[0]
    assert len(table.rows) == shown + 1 and table.rows[0].cells[0].text == "Văn bản"


# -- query understanding (issue 30) ---------------------------------------------------------
def test_the_page_says_what_the_query_was_understood_as_and_each_can_be_dropped_or_kept(
    any_page, base_url
):
    """ "… năm 2026": the year is read as a constraint (the 2026 plan ranks first), the page
    says "Đang ưu tiên: 2026"; one click makes it a filter (only the 2026 plan), one drops it
    (both plans answer, the year read as a word), one brings the first reading back."""
    page = any_page
    page.goto(f"{base_url}/?q={quote('tuyên truyền cải cách hành chính năm 2026')}")
    box = page.locator("#da-hieu")
    expect(box).to_contain_text("Đang ưu tiên: 2026")
    assert _units(page)[0] == "Trường Cao đẳng Y tế Khánh Hòa"
    box.get_by_role("link", name="Chỉ tìm trong 2026").click()
    page.wait_for_url(re.compile(r"chi=nam"))
    expect(box).to_contain_text("Chỉ tìm trong: 2026")
    assert set(_units(page)) == {"Trường Cao đẳng Y tế Khánh Hòa"}
    box.get_by_role("link", name="Bỏ ưu tiên").click()
    page.wait_for_url(re.compile(r"bo=nam"))
    expect(box.locator("li.chip")).to_have_count(0)
    assert len(set(_units(page))) == 2
    box.get_by_role("link", name="Hiểu lại câu hỏi như ban đầu").click()
    page.wait_for_url(lambda url: "bo=" not in url)
    expect(box).to_contain_text("Đang ưu tiên: 2026")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_question_is_answered_above_the_results_with_its_source(any_page, base_url):
    """ "… trước ngày nào?": the deadline itself, read from the plan's task row, with a link to
    that row; a question no plan answers says so instead of guessing."""
    page = any_page
    q = (
        "Trường Cao đẳng Y tế Khánh Hòa phải ban hành Kế hoạch tuyên truyền CCHC năm 2026 "
        "trước ngày nào?"
    )
    page.goto(f"{base_url}/?q={quote(q)}")
    box = page.locator("#tra-loi")
    expect(box.locator("h2")).to_have_text("Thời hạn")
    expect(box.locator(".fact").first).to_have_text("Trước ngày 15/02/2026")
    box.get_by_role("link", name="Xem đoạn nguồn").first.click()
    page.wait_for_url(re.compile(rf"/doc/{P2026}.*#p-\d+"))
    expect(page.locator(":target")).to_contain_text("Trước ngày 15/02/2026")
    none = "Kinh phí tuyên truyền cải cách hành chính năm 2026 của nhà trường là bao nhiêu tiền?"
    page.goto(f"{base_url}/?q={quote(none)}")
    expect(page.locator("#tra-loi .not-found")).to_contain_text("Chưa tìm thấy câu trả lời")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


# -- tasks across plans (issue 30, item 3) ----------------------------------------------------
TASK_ROW2 = "Ban hành Kế hoạch tuyên truyền CCHC của nhà trường năm 2026"  # the 2026 plan, row 2


def _task_rows(page: Page) -> list[tuple[str, int]]:
    found = page.locator("table.tasks tr.task").evaluate_all(
        "rs => rs.map(r => [r.dataset.doc, Number(r.dataset.number)])"
    )
    return [(doc, number) for doc, number in found]


def _api_rows(page: Page, base_url: str, query: str) -> list[tuple[str, int]]:
    body = page.request.get(f"{base_url}/tasks?{query}").json()
    return [(t["doc_id"], t["number"]) for t in body["tasks"]]


def test_the_task_page_filters_sorts_groups_and_opens_a_row(any_page, base_url):
    page = any_page
    page.goto(base_url + "/nhiem-vu")
    everything = _task_rows(page)
    assert {doc for doc, _ in everything} == {P2025, P2026} and len(everything) > 40
    expect(page.locator("tr.group-row")).to_have_count(2)  # grouped by plan by default
    assert overflow(page) <= 0
    # the filters, as a form: year and lead
    page.get_by_label("Năm").select_option("2026")
    page.get_by_label("Đơn vị chủ trì").fill("Phòng Đào tạo")
    page.get_by_role("button", name="Xem nhiệm vụ").click()
    page.wait_for_url(re.compile(r"year=2026.*lead=Ph"))
    assert _task_rows(page) == [(P2026, 7), (P2026, 22)]
    # the period the deadline names: February 2026 holds row 2 (by 15/02/2026), not row 7
    page.get_by_label("Đơn vị chủ trì").fill("")
    page.get_by_label("Thời hạn từ ngày").fill("2026-02-01")
    page.get_by_label("Đến ngày").fill("2026-02-28")
    page.get_by_role("button", name="Xem nhiệm vụ").click()
    page.wait_for_url(re.compile(r"due_from=2026-02-01"))
    shown = _task_rows(page)
    assert (P2026, 2) in shown and (P2026, 7) not in shown
    # sorted by deadline, then reversed: the API's own order, the state in the address
    page.goto(base_url + "/nhiem-vu?year=2026")
    page.locator(".sort-links").get_by_role("link", name="thời hạn").click()
    page.wait_for_url(re.compile(r"sort=due"))
    assert _task_rows(page) == _api_rows(page, base_url, "year=2026&sort=due")
    page.locator(".sort-links").get_by_role("link", name=re.compile("thời hạn")).click()
    page.wait_for_url(re.compile(r"sort=-due"))
    assert _task_rows(page) == _api_rows(page, base_url, "year=2026&sort=-due")
    # grouped by lead: one group row per lead, the sort kept
    page.locator(".sort-links").get_by_role("link", name="đơn vị chủ trì").click()
    page.wait_for_url(re.compile(r"theo=chu-tri"))
    assert "sort=-due" in page.url
    from service.tasks.query import collate

    groups = [collate(g) for g in page.locator("tr.group-row th").all_inner_texts()]
    assert any(g.startswith("phong to chuc hanh chinh") for g in groups), groups
    assert "phong dao tao 1 nhiem vu" in groups, groups  # row 7 (row 22 has two leads)
    assert overflow(page) <= 0
    # each row opens its paragraph in the plan
    page.locator("table.tasks td.task-text a", has_text=TASK_ROW2).click()
    page.wait_for_url(re.compile(rf"/doc/{P2026}#p-\d+$"))
    expect(page.locator(":target")).to_contain_text(TASK_ROW2)
    expect(page.locator(":target")).to_be_in_viewport()


def test_the_task_table_downloads_as_excel_word_and_csv(any_page, base_url):
    import docx
    from openpyxl import load_workbook

    page = any_page
    page.goto(f"{base_url}/nhiem-vu?year=2026&sort=lead&theo=chu-tri")
    shown = page.locator("table.tasks tr.task").count()
    assert shown == 22
    name, body = _download(page, "Excel (.xlsx)")
    assert name == "nhiem-vu.xlsx"
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == shown and {r[1] for r in rows} == {"Trường Cao đẳng Y tế Khánh Hòa"}
    row2 = next(r for r in rows if r[6] == TASK_ROW2)
    assert row2[8] == "Trước ngày 15/02/2026" and row2[9] == "Phòng Tổ chức – hành chính"
    name, body = _download(page, "Word (.docx)")
    table = docx.Document(io.BytesIO(body)).tables[0]
    assert len(table.rows) == shown + 1 and table.rows[0].cells[6].text == "Nhiệm vụ"
    name, body = _download(page, "CSV")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("STT,Đơn vị,Năm") and len(lines) >= shown + 1


def test_the_task_page_at_phone_width_scrolls_no_sideways(browser, base_url):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        for path in ("/nhiem-vu", "/nhiem-vu?theo=chu-tri&sort=due", "/nhiem-vu?theo=khong"):
            page.goto(base_url + path)
            assert overflow(page) <= 0, f"{path} scrolls sideways at 375 px"
            button = page.get_by_role("button", name="Xem nhiệm vụ").bounding_box()
            assert button and button["x"] + button["width"] <= 375
            cell = page.locator("table.tasks td.task-text").first.bounding_box()
            assert cell and cell["x"] >= 0 and cell["x"] + cell["width"] <= 375
    finally:
        context.close()
