"""``parse_deadline``: time cells of real task tables (the plans of corpus/, Quyết định
2597/QĐ-TTg and the process tables of ../shared/corpus-real, as eval/tasks_gold.json quotes
them) and the forms the issue names, read into a period or a repetition."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from indexer.structure.deadlines import Deadline, parse_deadline

GOLD = Path(__file__).resolve().parents[1] / "eval" / "tasks_gold.json"
D = date

# (cell as written, the plan's year, start, end, recurring)
REAL_CELLS = [
    # the 2025 plan of corpus/
    ("Thường xuyên (sau khi văn bản được ban hành)", 2025, None, None, "thường xuyên"),
    ("Thường xuyên cập nhật theo quy định, hướng dẫn của Trung ương, của tỉnh", 2025, None,
     None, "thường xuyên"),
    ("Theo tiến độ Kế hoạch, Đề án", 2025, None, None, None),
    ("Trong năm 2025", 2025, D(2025, 1, 1), D(2025, 12, 31), None),
    ("Định kỳ, thường xuyên trong năm 2025", 2025, D(2025, 1, 1), D(2025, 12, 31), "định kỳ"),
    ("Chủ động triển khai theo hình thức và thời gian phù hợp.", 2025, None, None, None),
    ("Quý III-IV/2025", 2025, D(2025, 7, 1), D(2025, 12, 31), None),
    ("Quý III- IV/2025", 2025, D(2025, 7, 1), D(2025, 12, 31), None),  # as the PDF text has it
    ("Thường xuyên trong năm 2025", 2025, D(2025, 1, 1), D(2025, 12, 31), "thường xuyên"),
    ("Thường xuyên trong 2025", 2025, D(2025, 1, 1), D(2025, 12, 31), "thường xuyên"),
    ("Theo tiến độ của UBND tỉnh triển khai Đề án", 2025, None, None, None),
    ("- Sau khi chuyên mục được phát sóng. - Theo đề nghị của Sở Nội vụ.", 2025, None, None,
     None),
    ("Theo tiến độ của tỉnh", 2025, None, None, None),
    ("Quý I/2026", 2025, D(2026, 1, 1), D(2026, 3, 31), None),  # the year written wins
    # the 2026 plan of corpus/
    ("Dự kiến Quý I/2026", 2026, D(2026, 1, 1), D(2026, 3, 31), None),
    ("Trước ngày 15/02/2026", 2026, None, D(2026, 2, 15), None),
    ("Sau khi các Chỉ số năm 2025 được công bố (dự kiến giữa Quý II/2026)", 2026,
     D(2026, 4, 1), D(2026, 6, 30), None),
    ("Trong Quý II năm 2026", 2026, D(2026, 4, 1), D(2026, 6, 30), None),
    ("Trong năm 2026 (Theo Kế hoạch tổ chức của tỉnh)", 2026, D(2026, 1, 1), D(2026, 12, 31),
     None),
    # Quyết định 2597/QĐ-TTg (a year or a span of years)
    ("2026", 2025, D(2026, 1, 1), D(2026, 12, 31), None),
    ("2026-2027", 2025, D(2026, 1, 1), D(2027, 12, 31), None),
    ("2026-2030", 2025, D(2026, 1, 1), D(2030, 12, 31), None),
    # process tables: durations in working days are not dates
    ("1/2 ngày", 2025, None, None, None),
    ("07 ngày", 2025, None, None, None),
    ("Giờ hành chính", 2025, None, None, None),
    ("- Trường hợp 1: Thời hạn … tối đa là 48 ngày (cắt giảm 12/60 ngày, tỷ lệ 20%) kể từ "
     "ngày nhận đủ hồ sơ", 2025, None, None, None),
]  # fmt: skip

ISSUE_FORMS = [
    ("Quý III/2025", 2025, D(2025, 7, 1), D(2025, 9, 30), None),
    ("trước ngày 15/11 hằng năm", 2025, None, D(2025, 11, 15), "hằng năm"),
    ("Trong năm 2026", 2025, D(2026, 1, 1), D(2026, 12, 31), None),
    ("Năm 2026", 2025, D(2026, 1, 1), D(2026, 12, 31), None),
    ("Tháng 6/2025", 2025, D(2025, 6, 1), D(2025, 6, 30), None),
    ("tháng 6 năm 2025", 2024, D(2025, 6, 1), D(2025, 6, 30), None),
    ("6/2025", 2025, D(2025, 6, 1), D(2025, 6, 30), None),
    ("6 tháng đầu năm", 2025, D(2025, 1, 1), D(2025, 6, 30), None),
    ("6 tháng cuối năm 2026", 2025, D(2026, 7, 1), D(2026, 12, 31), None),
    ("9 tháng đầu năm", 2025, D(2025, 1, 1), D(2025, 9, 30), None),
    ("Thường xuyên", 2025, None, None, "thường xuyên"),
    ("Hằng năm", 2025, None, None, "hằng năm"),
    ("Hàng năm", 2025, None, None, "hằng năm"),
    ("Định kỳ", 2025, None, None, "định kỳ"),
    ("Hàng quý", 2025, None, None, "hằng quý"),
    ("Trước 30/6/2025", 2025, None, D(2025, 6, 30), None),
    ("Từ tháng 3 đến tháng 5/2025", 2025, D(2025, 3, 1), D(2025, 5, 31), None),
    ("Từ tháng 11/2025 đến tháng 2/2026", 2025, D(2025, 11, 1), D(2026, 2, 28), None),
    ("15/11/2025", 2025, D(2025, 11, 15), D(2025, 11, 15), None),
    ("30.6.2025", 2025, D(2025, 6, 30), D(2025, 6, 30), None),
    ("trước ngày 30 tháng 9 năm 2025", 2025, None, D(2025, 9, 30), None),
    ("Quý I, II", 2025, D(2025, 1, 1), D(2025, 6, 30), None),
    ("Quý I, II/2026", 2025, D(2026, 1, 1), D(2026, 6, 30), None),
    ("Quý I và Quý II năm 2026", 2025, D(2026, 1, 1), D(2026, 6, 30), None),
    ("Quý IV/2025 - Quý I/2026", 2025, D(2025, 10, 1), D(2026, 3, 31), None),
    ("Từ ngày 01/3/2025 đến ngày 31/5/2025", 2025, D(2025, 3, 1), D(2025, 5, 31), None),
    ("Từ ngày 15/3/2025", 2025, D(2025, 3, 15), None, None),
    ("Đến hết năm 2025", 2025, None, D(2025, 12, 31), None),
    ("Trước năm 2026", 2025, None, D(2025, 12, 31), None),
    ("Trước Quý III/2025", 2025, None, D(2025, 6, 30), None),
    ("Chậm nhất Quý III/2025", 2025, None, D(2025, 9, 30), None),
    ("Cuối năm 2025", 2025, D(2025, 10, 1), D(2025, 12, 31), None),
    ("Đầu năm 2026", 2025, D(2026, 1, 1), D(2026, 3, 31), None),
    ("Trong năm", 2025, D(2025, 1, 1), D(2025, 12, 31), None),
    ("Cả năm", 2026, D(2026, 1, 1), D(2026, 12, 31), None),
    ("Tháng 12", 2025, D(2025, 12, 1), D(2025, 12, 31), None),
    ("Trong tháng 10/2025", 2025, D(2025, 10, 1), D(2025, 10, 31), None),
]


@pytest.mark.parametrize(("text", "year", "start", "end", "recurring"), REAL_CELLS + ISSUE_FORMS)
def test_a_time_cell_is_read_into_its_period(text, year, start, end, recurring):
    got = parse_deadline(text, year)
    assert (got.start, got.end, got.recurring) == (start, end, recurring), got
    assert got.text == text.strip()


@pytest.mark.parametrize(
    "text", ["Quý I/2026", "Trong năm 2026", "Trước ngày 15/02/2026", "2026-2030"]
)
def test_a_written_year_needs_no_plan_year(text):
    assert parse_deadline(text, None).dated


@pytest.mark.parametrize(
    "text", ["Quý I, II", "trước ngày 15/11 hằng năm", "Tháng 6", "6 tháng đầu năm", "Trong năm"]
)
def test_without_a_year_written_or_a_plan_year_there_is_no_date(text):
    got = parse_deadline(text, None)
    assert not got.dated and got.start is None and got.end is None


@pytest.mark.parametrize(
    "text",
    [
        "31/2/2025",  # no such day
        "Tháng 13/2025",
        "Quý V/2025",
        "1/2 ngày",
        "12/60 ngày",
        "Số 12/KH-UBND",
        "",
        "   ",
        "Theo kế hoạch",
    ],
)
def test_what_is_not_a_date_gives_none(text):
    got = parse_deadline(text, 2025)
    assert (got.start, got.end) == (None, None), got


def test_none_and_odd_input_never_raise():
    assert parse_deadline(None, 2025) == Deadline(None, None, None, "")
    for text in ("\x00quý", "Quý " * 500, "9" * 5000, "tháng 99999999999999999999/2025"):
        parse_deadline(text, 2025)  # no exception
    assert not parse_deadline("Trong năm", 99999).dated  # an impossible plan year is ignored


def test_overlap_with_a_window_treats_a_one_sided_deadline_as_its_day():
    q3 = (D(2025, 7, 1), D(2025, 9, 30))
    assert parse_deadline("Quý III/2025").overlaps(*q3)
    assert parse_deadline("Trong năm 2025").overlaps(*q3)
    assert not parse_deadline("Quý I/2026").overlaps(*q3)
    assert parse_deadline("Trước 15/8/2025").overlaps(*q3)
    assert not parse_deadline("Trước 30/6/2025").overlaps(*q3)  # due before the quarter
    assert parse_deadline("Từ ngày 15/9/2025").overlaps(*q3)
    assert not parse_deadline("Thường xuyên").overlaps(*q3)  # recurring: no date
    assert parse_deadline("Quý III/2025").overlaps(None, None)
    assert parse_deadline("Quý III/2025").overlaps(D(2025, 9, 30), None)
    assert not parse_deadline("Quý III/2025").overlaps(None, D(2025, 6, 30))


def test_every_labelled_time_cell_reads_without_error():
    """The 201 labelled rows of eval/tasks_gold.json: every time cell parses; each one that
    writes a quarter, a year or a date gets a period."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    cells = [r["deadline"] for d in gold["documents"] for r in d["rows"] if r.get("deadline")]
    assert len(cells) > 90
    for cell in cells:
        got = parse_deadline(cell, 2025)
        if any(w in cell for w in ("Quý", "năm 20", "/20")) or cell[:4].isdigit():
            assert got.dated, cell
