"""Split a plan's cleaned lines into its regions: header, title, opening, body,
signature block and appendix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning import Line
from indexer.structure.markers import ROMAN, is_caps

KINDS = {
    "KẾ HOẠCH": "Kế hoạch",
    "QUYẾT ĐỊNH": "Quyết định",
    "CHƯƠNG TRÌNH": "Chương trình",
    "BÁO CÁO": "Báo cáo",
    "ĐỀ ÁN": "Đề án",
    "CÔNG VĂN": "Công văn",
}
_KIND_LINE = re.compile(r"^(" + "|".join(KINDS) + r")\b\s*$")
_APPENDIX = re.compile(r"^PHỤ\s+LỤC\b")
_SIGNATURE_START = re.compile(r"^Nơi\s+nhận\b")
_BASIS = re.compile(r"^(Căn cứ|Thực hiện)\s")
_TITLE_WORDS = re.compile(r"\b(TRƯỞNG|GIÁM ĐỐC|CHỦ TỊCH|PHÓ|BÍ THƯ|THỦ TRƯỞNG|CHÁNH)\b")


def is_signer_title(text: str) -> bool:
    """'KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN', 'HIỆU TRƯỞNG', 'TM. ỦY BAN NHÂN DÂN'…"""
    return is_caps(text) and (
        bool(_TITLE_WORDS.search(text)) or bool(re.match(r"^(KT|TM|TL|TUQ|Q)\.", text))
    )


@dataclass(slots=True)
class Layout:
    header: list[Line] = field(default_factory=list)  # national header / unit header cells
    kind: str | None = None
    title: list[Line] = field(default_factory=list)  # title lines after the kind line
    opening: list[Line] = field(default_factory=list)  # "Căn cứ…" … up to the first heading
    body: list[Line] = field(default_factory=list)
    signature: list[Line] = field(default_factory=list)
    appendix: list[Line] = field(default_factory=list)


def split_layout(lines: list[Line]) -> Layout:
    out = Layout()
    app = next((i for i, ln in enumerate(lines) if _APPENDIX.match(ln.text) and i > 0), len(lines))
    main, out.appendix = lines[:app], lines[app:]
    kind_at = next((i for i, ln in enumerate(main[:40]) if _KIND_LINE.match(ln.text)), None)
    start = 0
    if kind_at is not None:
        out.header = main[:kind_at]
        out.kind = KINDS[_KIND_LINE.match(main[kind_at].text).group(1)]
        start = kind_at + 1
    # title: until a basis line, a roman heading or a prose line (long, ends mid-sentence)
    i = start
    while i < len(main) and i - start < 6:
        text = main[i].text
        if _BASIS.match(text) or ROMAN.match(text) or text.startswith(("Nhằm", "Để ")):
            break
        out.title.append(main[i])
        i += 1
    j = i
    while j < len(main) and not ROMAN.match(main[j].text):
        j += 1
    out.opening = main[i:j]
    sig = next((k for k in range(j, len(main)) if _SIGNATURE_START.match(main[k].text)), None)
    if sig is None:  # no recipients list: the signature is the trailing title + name
        tail = range(max(j, len(main) - 8), len(main))
        sig = next((k for k in tail if is_signer_title(main[k].text)), len(main))
    out.body = main[j:sig]
    out.signature = main[sig:]
    return out
