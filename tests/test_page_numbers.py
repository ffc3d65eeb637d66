"""Every number a page reads from its address is parsed by one helper (security review N11).

Before: ``page=²``, ``year=²`` or a 5,000-digit ``year`` on ``/``, ``/trich-dan`` and
``/bao-phu`` gave a 500 page ("Đã có lỗi khi xử lý yêu cầu") and a traceback in the log:
``str.isdigit()`` accepts "²" (and "٣"), which ``int()`` refuses (or reads), and ``int()``
refuses more than 4,300 digits. Now ``service.web.pages.common.number_in`` reads ASCII digits
only, at most ``MAX_DIGITS`` of them, within a range; anything else is treated as the page
treats any other bad value: a bad year is ignored with a warning (422 on the coverage page, as
before), a bad page number is page 1.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from service.web.pages.common import MAX_DIGITS, number_in, ordinal_of, parse_year

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
BAD = {
    "superscript": "²",
    "arabic-indic": "٣",
    "fullwidth": "２０２５",
    "5000-digits": "9" * 5000,
    "4301-digits": "1" * 4301,
    "negative": "-1",
    "sign": "+2025",
    "underscore": "20_25",
    "blank": "   ",
    "float": "2025.0",
    "nul": "2025\x00",
}
ROUTES = {
    "search-page": "/?q=cải cách&page={v}",
    "search-year": "/?q=cải cách&year={v}",
    "search-by-plan": "/?q=cải cách&theo=ke-hoach&page={v}",
    "search-both": "/?q=cải cách&year={v}&page={v}",
    "mentions-table": "/trich-dan?year={v}",
    "mentions-ref": "/trich-dan?ref=09-NQ/TW&year={v}",
    "coverage": f"/bao-phu?reference={KKT}&year={{v}}",
    "document": f"/doc/{KKT}?q=cải&year={{v}}&page={{v}}",
}


@pytest.mark.parametrize("value", BAD.values(), ids=BAD.keys())
def test_number_in_reads_ascii_digits_only(value):
    assert number_in(value, 0, 10**12) is None


def test_number_in_bounds_and_range():
    assert number_in(" 3 ", 1, 5) == 3 and number_in("007", 1, 9) == 7
    assert number_in("6", 1, 5) is None and number_in("0", 1, 5) is None
    assert number_in("9" * MAX_DIGITS, 0, 10**MAX_DIGITS) == 10**MAX_DIGITS - 1
    assert number_in("1" * (MAX_DIGITS + 1), 0, 10**20) is None
    assert parse_year("2025") == (2025, None)
    year, warning = parse_year("9" * 5000)
    assert year is None and warning is not None and len(warning["text"]) < 300
    assert ordinal_of(f"{KKT}:0042") == 42 and ordinal_of(f"{KKT}:4²") is None


@pytest.mark.slow
@pytest.mark.parametrize("value", BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
def test_no_page_answers_500_to_a_bad_number(client, route, value):
    r = client.get(route.format(v=quote(value)))
    assert r.status_code < 500, (r.status_code, r.text[-500:])
    assert "Đã có lỗi khi xử lý yêu cầu" not in r.text


@pytest.mark.slow
def test_bad_numbers_are_treated_as_before(client):
    """A bad year is ignored with a warning (the coverage page refuses it, 422, as it did for
    "abc"); a bad page number shows the first page."""
    for value in ("²", "9" * 5000, "abc"):
        search = client.get("/", params={"q": "cải cách", "year": value})
        assert search.status_code == 200 and "không hợp lệ" in search.text
        coverage = client.get("/bao-phu", params={"reference": KKT, "year": value})
        assert coverage.status_code == 422 and "không hợp lệ" in coverage.text
        mentions = client.get("/trich-dan", params={"year": value})
        assert mentions.status_code == 200 and "không hợp lệ" in mentions.text
    first = client.get("/", params={"q": "cải cách"}).text
    assert client.get("/", params={"q": "cải cách", "page": "²"}).text == first
    second = client.get("/", params={"q": "cải cách", "page": "2"})
    assert second.status_code == 200 and second.text != first
