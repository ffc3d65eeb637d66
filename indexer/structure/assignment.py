"""Who does a task, read from its assignment cell ("Phân công thực hiện", "Cơ quan chủ trì").

Many plans have one assignment column for the lead and the partners together ("- Văn phòng
chủ trì. - Các phòng, đơn vị trực thuộc phối hợp thực hiện."); ``partners_in`` finds the
partners in it (for a table without a "phối hợp" column), ``lead_of`` the body that leads
(what the task table groups by). Both read the cell's wording, not a list of units:

- an item of the cell (``- …`` bullets) whose subject cooperates — "<bodies> phối hợp
  [thực hiện]." — is the partners, when the cell names someone else too or the subject is a
  collective ("Các …", "Tất cả …"); "Phòng A và Phòng B phối hợp." alone does it jointly;
- otherwise "phối hợp (với) <bodies> <verb …>" names the partners as its object;
- the lead is the first item that is not the partners, up to its verb ("chủ trì", "tham mưu",
  "đăng tải" …) or its first punctuation — a comma or semicolon followed by another body
  ("Các phòng, đơn vị trực thuộc", "Bộ Xây dựng, các địa phương") does not end it; an item
  "Cơ quan (trực tiếp) thực hiện …: <body>" names it after the colon.
"""

from __future__ import annotations

import re

_ITEM = re.compile(r"(?:^|(?<=[.;:])\s*)[-+•]\s+")
_COOPERATING = re.compile(r"^(?P<who>.+?)\s+phối hợp(?:\s+(?:thực hiện|triển khai))?\s*[.;]?$")
_COLLECTIVE = re.compile(r"^(?:các|tất cả|toàn thể|những)\b", re.I)
_VERBS = (
    r"chủ trì|phối hợp|tham mưu|thực hiện|triển khai|nghiên cứu|tổ chức|chuẩn bị|xây dựng|"
    r"hướng dẫn|tuyên truyền|đăng|cung cấp|rà soát|theo dõi|phổ biến|cử|tổng hợp|đề xuất|"
    r"báo cáo|tiếp tục|thường xuyên|kiểm tra|lập|gửi"
)
_OBJECT = re.compile(rf"phối hợp\s+(?:với\s+)?(?P<who>.+?)(?=\s+(?:{_VERBS})\b|\s*[.;:(]|$)")
_LEAD_END = re.compile(rf"\s+(?:{_VERBS})\b|\s*[,;.:(+]|\s+-\s")
_ANOTHER_BODY = re.compile(
    r"[,;]\s*(?:các|tất cả|những|bộ|sở|ban|phòng|văn phòng|đơn vị|cơ quan|ủy ban|uỷ ban|ubnd"
    r"|trung tâm|khoa|đoàn|công đoàn|chi đoàn|cục|vụ|chủ tịch|bộ trưởng|địa phương)\b",
    re.I,
)
_DOER_LABEL = re.compile(r"^(?:Cơ quan|Đơn vị)[^:]{0,40}\bthực hiện[^:]{0,20}:\s*(?P<who>.+)$")


def _subject(item: str) -> str:
    """An item's text up to its verb or the punctuation that ends its subject."""
    pos = 0
    while m := _LEAD_END.search(item, pos):
        if not _ANOTHER_BODY.match(item, m.start()):
            return item[: m.start()].strip(" -–,;.:")
        pos = m.end()
    return item.strip(" -–,;.:")


def items(cell: str) -> list[str]:
    """The cell's ``- …`` items (the cell itself when it has none), bullets dropped."""
    parts = [p.strip() for p in _ITEM.split(" ".join((cell or "").split()))]
    return [p for p in parts if p]


def _cooperating(item: str, others: bool) -> bool:
    m = _COOPERATING.match(item)
    if not m or "chủ trì" in m.group("who"):
        return False
    return others or bool(_COLLECTIVE.match(m.group("who")))


def partners_in(cell: str) -> str:
    """The partners an assignment cell names ("" when it names none), as written."""
    parts = items(cell)
    for item in parts:
        if "phối hợp" in item and _cooperating(item, len(parts) > 1):
            return item.rstrip(" ;")
    for item in parts:
        m = _OBJECT.search(item)
        if m and m.group("who").strip(" ,"):
            return m.group("who").strip(" ,")
    return ""


def lead_of(cell: str) -> str:
    """The body that leads ("" when the cell names none): "Văn phòng" of "- Văn phòng chủ
    trì, đăng tải … - Các phòng … phối hợp thực hiện."."""
    parts = items(cell)
    for item in parts:
        m = _DOER_LABEL.match(item)
        if m:
            return _subject(m.group("who"))
    for item in parts:
        if "phối hợp" in item and _cooperating(item, len(parts) > 1):
            continue
        lead = _subject(item)
        if lead:
            return lead
    m = _COOPERATING.match(parts[0]) if parts else None  # only partners: they do it
    return _subject(m.group("who")) if m else ""
