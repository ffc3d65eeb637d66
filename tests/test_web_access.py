"""In a real browser (Chromium via Playwright, as ``tests/test_web.py``): ``/docs`` draws the
API from the service's own files and asks no other host for anything, and with a token
configured a person signs in, searches, downloads and signs out (security review N14)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from service.settings import Settings
from service.web.access import hash_token
from tests.test_web import CHROMIUM, CHROMIUM_ARGS, DESKTOP, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN = "ma-truy-cap-cua-bai-kiem-thu-trong-trinh-duyet"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_docs_draw_the_api_from_the_service_alone(browser, index_dir):
    with serving(Settings(index_dir=index_dir)) as base:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        hosts: set[str] = set()
        page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/docs")
        expect(page.locator(".opblock-summary-path", has_text="/search").first).to_be_visible(
            timeout=60_000
        )
        assert page.locator(".opblock").count() >= 10
        context.close()
    assert hosts == {urlsplit(base).netloc}, hosts
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_sign_in_search_download_and_sign_out(browser, index_dir):
    settings = Settings(index_dir=index_dir, token_hash=hash_token(TOKEN))
    with serving(settings) as base:
        context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(base + "/?q=c%E1%BA%A3i%20c%C3%A1ch%20h%C3%A0nh%20ch%C3%ADnh")
        assert urlsplit(page.url).path == "/dang-nhap"
        page.fill("input[name=token]", "sai-ma")
        page.click("button[type=submit]")
        expect(page.locator(".notice.error")).to_contain_text("không đúng")
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        expect(page.locator("li.result").first).to_be_visible()  # back on the search
        with page.expect_download() as download:
            page.get_by_role("link", name="Word (.docx)").click()
        assert download.value.suggested_filename.endswith(".docx")
        page.get_by_role("button", name="Đăng xuất").click()
        assert urlsplit(page.url).path == "/dang-nhap"
        page.goto(base + "/so-sanh")
        assert urlsplit(page.url).path == "/dang-nhap"
        context.close()
