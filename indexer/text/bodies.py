"""The kinds of body an administrative document's header names (Nghị định 30/2020/NĐ-CP):
the words a body's name starts with ("Sở", "Ủy ban nhân dân", "Trường"…), and the
abbreviations written in headers spelt out. Read by the header's issuer
(``indexer.structure.issuer``) and the reference extractor (an issuer named after a cited
document), so it lives with the text knowledge rather than in either.
"""

from __future__ import annotations

import re

from indexer.text.vietnamese import fold

# kinds of body a header line starts with (folded, longest first where they share a start)
_HEADS = [
    "uy ban thuong vu quoc hoi", "uy ban nhan dan", "ubnd", "hoi dong nhan dan", "hdnd",
    "chu tich uy ban nhan dan", "chu tich ubnd",
    "thu tuong chinh phu", "chinh phu", "quoc hoi", "van phong chinh phu", "van phong",
    "bo chinh tri", "ban bi thu", "ban chap hanh", "ban thuong vu", "ban chi dao",
    "tinh uy", "thanh uy", "huyen uy", "dang uy", "dang bo", "ban quan ly", "ban",
    "so", "bo", "tong cuc", "chi cuc", "cuc", "vu", "thue tinh", "thue thanh pho",
    "kho bac", "cong an", "bao hiem xa hoi", "bo chi huy", "bo tu lenh", "quan khu",
    "trung tam", "truong", "benh vien", "hoc vien", "dai hoc", "vien", "phong",
    "toa an", "vien kiem sat", "kiem toan", "ngan hang", "tong cong ty", "cong ty",
    "hoi", "lien doan", "doan", "mat tran", "uy ban", "dai", "bao",
]  # fmt: skip
_HEAD_RX = re.compile(r"^(?:" + "|".join(re.escape(h) for h in _HEADS) + r")\b")
_EXPAND = [
    (re.compile(r"\bUBND\b", re.I), "ỦY BAN NHÂN DÂN"),
    (re.compile(r"\bHĐND\b", re.I), "HỘI ĐỒNG NHÂN DÂN"),
    (re.compile(r"\bUBTVQH\b", re.I), "ỦY BAN THƯỜNG VỤ QUỐC HỘI"),
    (re.compile(r"\bTP\.\s*|\bTP\s+", re.I), "THÀNH PHỐ "),
    (re.compile(r"\bUỶ", re.I), "ỦY"),
    (re.compile(r"\buỷ"), "ủy"),
]


def expand(text: str) -> str:
    for rx, repl in _EXPAND:
        text = rx.sub(repl, text)
    return " ".join(text.split())


def starts_body(text: str) -> bool:
    """Does this capital line start the name of a body (not continue the one above)?"""
    return bool(_HEAD_RX.match(fold(expand(text))))
