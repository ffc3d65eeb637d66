"""Cues for telling the appendix columns apart when extraction interleaves them line by line.

General vocabulary of plan tables, not lists made for one plan: what products look like
(documents, meetings, posts), what a timeline looks like (periods, quarters, years), and how
a responsibility starts (a unit: Văn phòng, Phòng…, Các đơn vị…).
"""

from __future__ import annotations

import re

TASK, PRODUCTS, TIMELINE, RESPONSIBLE = "task", "products", "timeline", "responsible"
PARTNERS, BUDGET = "partners", "budget"
DEFAULT_ORDER = (TASK, PRODUCTS, TIMELINE, RESPONSIBLE)

_B = r"^(?:[-+•]\.?\s*)?"
PRODUCT_START = re.compile(
    _B + r"(Văn bản|Kế hoạch|Hội nghị|Hội thảo|Tin,? bài|Tin bài|Đăng tin|Đăng tải|Thông báo"
    r"|Công văn|Báo cáo|Hồ sơ|Tham dự|Các thông tin|Các hình thức|Các sản phẩm|Nội dung,"
    r"|Phổ biến qua|Tuyên truyền thông qua|Đảm bảo số lượng|Sinh hoạt|Mô hình|Tài liệu"
    r"|Bài viết|Video|Ấn phẩm|Pano|Băng rôn|Tờ gấp|Chuyên mục|Cuộc thi|Văn bản triển khai)\b"
)
TIMELINE_START = re.compile(
    _B + r"(Thường xuyên|Trong (?:năm|quý|tháng|Quý)|Quý\s+[IV]|Năm \d{4}|Định kỳ|Hằng|Hàng"
    r" (?:năm|quý|tháng)|Theo tiến độ|Theo kế hoạch|Theo đề nghị|Trước ngày|Sau khi|Dự kiến"
    r"|Chủ động triển khai|Tổ chức triển khai theo|Tháng \d|Từ ngày|Đến ngày|Cả năm"
    r"|\d{1,2}/\d{4}|(?:19|20)\d{2}\b|\(Theo)",
    re.IGNORECASE,
)
TIMELINE_ANY = re.compile(r"\b(năm \d{4}|Quý|tháng|\d{1,2}/\d{4}|thường xuyên|định kỳ)\b", re.I)
UNIT_START = re.compile(
    _B + r"(Văn phòng|Phòng|Các phòng|Tất cả các|Các đơn vị|Đơn vị|Các Khoa|Khoa|Trung tâm"
    r"|Đoàn Thanh niên|Công đoàn|Chi đoàn|Ban Giám hiệu|Lãnh đạo|Thủ trưởng|Các Sở|Sở [A-ZĐ]"
    r"|UBND|Ủy ban)\b"
)
# " - " inside a line where a new cell starts ("ương, của tỉnh - Các phòng…")
INLINE_CELL = re.compile(r"\s+-\s+(?=[A-ZĐ])")


def starts_cell(text: str) -> bool:
    return bool(PRODUCT_START.match(text) or TIMELINE_START.match(text) or UNIT_START.match(text))


def column_order(header: str) -> tuple[str, ...]:
    """Read the column order off the header text (the 2026 plan puts Tiến độ last)."""
    low = header.lower()
    pos = {
        TASK: low.find("nhiệm vụ"),
        PRODUCTS: max(low.find("kết quả"), low.find("sản phẩm")),
        TIMELINE: max(low.find("tiến độ"), low.find("thời gian")),
        RESPONSIBLE: max(low.find("phân công"), low.find("chủ trì"), low.find("trách nhiệm")),
    }
    if min(pos.values()) < 0:
        return DEFAULT_ORDER
    return tuple(sorted(pos, key=lambda column: pos[column]))


def field_of_header_cell(cell: str) -> str | None:
    """The field a task table's header cell names (by its words, in any table's order)."""
    low = " ".join(cell.lower().split())
    if low.strip(" .") in ("stt", "tt", "số tt", "số thứ tự"):
        return "number"
    if "phối hợp" in low:
        return PARTNERS
    if "kinh phí" in low or "nguồn vốn" in low or "dự toán" in low:
        return BUDGET
    if "tiến độ" in low or "thời gian" in low or "thời hạn" in low or "thời điểm" in low:
        return TIMELINE
    if "nhiệm vụ" in low or low.startswith(("nội dung", "tên nhiệm vụ", "hoạt động", "công việc")):
        return TASK
    if "kết quả" in low or "sản phẩm" in low:
        return PRODUCTS
    if (
        "phân công" in low
        or "chủ trì" in low
        or "trách nhiệm" in low
        or re.search(r"(?:cơ quan|đơn vị)\s*(?:/\s*\w+\s*)?(?:thực hiện|triển khai)", low)
    ):
        return RESPONSIBLE
    return None
