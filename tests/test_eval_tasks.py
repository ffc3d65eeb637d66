"""eval/tasks.py: how extracted task rows are aligned with labelled ones and judged."""

from __future__ import annotations

from eval.tasks import DEFAULT_GOLD, GoldRow, align, compared, load_gold, score_document
from indexer.model import TaskRow


def _gold(number: str, contains: str, lead: str | None, deadline: str | None) -> GoldRow:
    return GoldRow("task_table", 1, number, contains, contains, lead, deadline, None, None)


def test_compared_form_is_lenient_about_layout_only() -> None:
    assert compared("- Văn phòng chủ trì.") == compared("Văn  phòng chủ trì")
    assert compared("Phòng Tổ chức – Hành chính") == "phong to chuc - hanh chinh"
    assert compared(None) == compared("") == ""
    assert compared("Quý III/2025") != compared("Quý IV/2025")


def test_alignment_skips_a_missing_row_and_keeps_order() -> None:
    # tasks 1–3 of 2026-truong-cao-dang-y-te-khanh-hoa's appendix, the second not found
    gold = [
        _gold("1", "Tổ chức tổng kết công tác CCHC năm 2025", None, None),
        _gold("2", "Ban hành Kế hoạch tuyên truyền CCHC", None, None),
        _gold("3", "Tuyên truyền về kết quả, tác động của CCHC", None, None),
    ]
    rows = [
        TaskRow(1, "Tổ chức tổng kết công tác CCHC năm 2025, triển khai Kế hoạch CCHC năm 2026",
                "", "", ""),
        TaskRow(3, "Tuyên truyền về kết quả, tác động của CCHC trong việc thực hiện Nghị quyết "
                   "số 09-NQ/TW", "", "", ""),
    ]  # fmt: skip
    assert align(gold, rows) == [0, None, 1]


def test_a_wrong_field_counts_as_wrong() -> None:
    gold = [_gold("1", "Tổ chức tổng kết công tác", "Phòng Đào tạo chủ trì.", "Quý I/2026")]
    right = TaskRow(
        1, "Tổ chức tổng kết công tác CCHC", "", "Quý I/2026", "- Phòng Đào tạo chủ trì"
    )
    wrong = TaskRow(1, "Tổ chức tổng kết công tác CCHC", "", "Quý II/2026", "Phòng Đào tạo")
    tallies, errors = score_document("d", gold, [right], 2026)
    assert tallies["task_table"].right["lead"] == 1 and tallies["task_table"].right["period"] == 1
    assert not errors
    tallies, errors = score_document("d", gold, [wrong], 2026)
    t = tallies["task_table"]
    assert (t.right["lead"], t.right["deadline"], t.right["period"]) == (0, 0, 0)
    assert set(errors[0]["wrong"]) == {"lead", "deadline", "period"}
    tallies, errors = score_document("d", gold, [], 2026)  # not found: wrong on every field
    assert tallies["task_table"].aligned == 0 and tallies["task_table"].counted["lead"] == 1


def test_gold_has_the_documented_rows() -> None:
    gold = load_gold(DEFAULT_GOLD)
    assert len(gold) == 15
    assert sum(len(rows) for rows in gold.values()) == 201
