"""The header every Vietnamese administrative document shares (Nghị định 30/2020/NĐ-CP,
Phụ lục I): issuing body under its parent, national motto, number and symbol, place and date,
kind and summary title, then the authority line ("ỦY BAN NHÂN DÂN TỈNH …", "BỘ TRƯỞNG BỘ …").

It is read from cleaned lines in whatever order the file's form gives them: the two header
columns one after the other (DOCX table, web copy), or flattened side by side on one line
(PDF). The motto is cut out wherever it stands, so what remains of the left column is the
issuing body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.structure.markers import ROMAN, is_caps
from indexer.text.bodies import starts_body

HEAD_MAX_LINES = 60  # the kind line of a real header is never further down

KINDS = {
    "KẾ HOẠCH": "Kế hoạch",
    "QUYẾT ĐỊNH": "Quyết định",
    "NGHỊ QUYẾT": "Nghị quyết",
    "NGHỊ QUYẾT LIÊN TỊCH": "Nghị quyết liên tịch",
    "NGHỊ ĐỊNH": "Nghị định",
    "THÔNG TƯ": "Thông tư",
    "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch",
    "CHỈ THỊ": "Chỉ thị",
    "THÔNG BÁO": "Thông báo",
    "CÔNG ĐIỆN": "Công điện",
    "CÔNG VĂN": "Công văn",
    "CHƯƠNG TRÌNH": "Chương trình",
    "BÁO CÁO": "Báo cáo",
    "ĐỀ ÁN": "Đề án",
    "DỰ ÁN": "Dự án",
    "PHƯƠNG ÁN": "Phương án",
    "QUY ĐỊNH": "Quy định",
    "QUY CHẾ": "Quy chế",
    "HƯỚNG DẪN": "Hướng dẫn",
    "TỜ TRÌNH": "Tờ trình",
    "KẾT LUẬN": "Kết luận",
    "THÔNG TRI": "Thông tri",
    "LUẬT": "Luật",
    "PHÁP LỆNH": "Pháp lệnh",
    "LỆNH": "Lệnh",
    "CHIẾN LƯỢC": "Chiến lược",
    "QUY HOẠCH": "Quy hoạch",
    "BIÊN BẢN": "Biên bản",
}
# symbol codes in a number ("141/KH-UBND") → kind, for documents whose kind line is missing
SYMBOL_KINDS = {
    "KH": "Kế hoạch", "QĐ": "Quyết định", "NQ": "Nghị quyết", "NĐ": "Nghị định",
    "TT": "Thông tư", "CT": "Chỉ thị", "TB": "Thông báo", "CĐ": "Công điện",
    "CTr": "Chương trình", "BC": "Báo cáo", "ĐA": "Đề án", "HD": "Hướng dẫn",
    "TTr": "Tờ trình", "KL": "Kết luận", "QC": "Quy chế", "PA": "Phương án",
}  # fmt: skip

_KIND_WORDS = "|".join(sorted((re.escape(k) for k in KINDS), key=len, reverse=True))
_KIND_LINE = re.compile(rf"^(?P<kind>{_KIND_WORDS})(?:\s*$|\s+(?P<rest>\S.*))$")
_W = r"[\s|]*"  # between the motto's words: spaces, or a cell/line break of the header
_MOTTO = [
    re.compile(
        rf"CỘNG{_W}H(?:ÒA|OÀ|OA){_W}XÃ(?:{_W}HỘI)?(?:{_W}CHỦ{_W}NGHĨA{_W}VIỆT{_W}NAM)?", re.I
    ),
    re.compile(rf"CHỦ{_W}NGHĨA{_W}VIỆT{_W}NAM", re.I),
    re.compile(rf"Độc{_W}lập{_W}[-–]{_W}Tự{_W}do{_W}[-–]{_W}Hạnh{_W}phúc", re.I),
    re.compile(rf"ĐẢNG{_W}CỘNG{_W}SẢN{_W}VIỆT{_W}NAM"),
    re.compile(r"-{3,}|_{3,}|={3,}"),
]
_NUMBER = re.compile(r"\b[Ss]ố\s*:?\s*(?P<num>[0-9][0-9A-Za-z.]*\s*[/-]\s*[A-Za-zĐđ0-9][\w./-]*"
                     r"|[…._ ]*/\s*[A-Za-zĐđ][\w./-]*)")  # fmt: skip
_LOOSE_NUMBER = re.compile(
    r"(?<![\w/])(?P<num>\d[\dA-Za-z.]*/(?:\d{4}/)?[A-ZĐ][\w.-]*(?:/[\w.-]+)?)"
)
_DATE = re.compile(
    r"ngày\s*(?P<d>\d{1,2})?[\s…._]*(?:tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>(?:19|20)\d{2})"
    r"|/\s*(?P<m2>\d{1,2})\s*/\s*(?P<y2>(?:19|20)\d{2}))",
    re.IGNORECASE,
)
_PLACE = re.compile(r"^(?P<place>.*?)\s*,\s*ngày\b")
_AFTER_NUMBER = re.compile(r"^.*\b[Ss]ố\s*:?\s*\S+\s*")
_VV = re.compile(r"^(?:V/v|V/V|Về việc)\s+\S", re.I)
_STOP = re.compile(
    r"^(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Kính gửi|Nhằm|Để\s|Trên cơ sở"
    r"|Điều\s+\d|(?:Chương|CHƯƠNG|Phần|PHẦN)\s+[IVXLC\d]|Mục\s+\d)",
)  # case matters: "THỰC HIỆN CHƯƠNG TRÌNH …" is a title, "Thực hiện Quyết định …" is not
_AUTHORITY = re.compile(
    r"^(?:ỦY BAN|UỶ BAN|UBND|HỘI ĐỒNG|BỘ TRƯỞNG|THỦ TƯỚNG|CHỦ TỊCH|GIÁM ĐỐC|TỔNG GIÁM ĐỐC"
    r"|CHÁNH|TRƯỞNG BAN|HIỆU TRƯỞNG|CỤC TRƯỞNG|CHÍNH PHỦ|QUỐC HỘI|BAN THƯỜNG VỤ|BAN CHẤP HÀNH"
    r"|THỐNG ĐỐC|VIỆN TRƯỞNG|TỔNG KIỂM TOÁN|CHI CỤC TRƯỞNG|BAN CHỈ ĐẠO|TRƯỞNG)\b"
)
_TITLE_MAX = 700


@dataclass(slots=True)
class Header:
    issuer_lines: list[str] = field(default_factory=list)  # left column, motto removed
    number: str | None = None
    place: str | None = None
    date: str | None = None  # ISO, or year-month where the day is blank
    kind_word: str | None = None  # as printed ("Quyết định")
    kind_at: int | None = None  # index of the kind line
    title_lines: list[str] = field(default_factory=list)
    authority: str | None = None  # "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP", "BỘ TRƯỞNG BỘ …"
    end: int = 0  # index of the first line after the header (the opening / body)


def strip_motto(text: str) -> str:
    for rx in _MOTTO:
        text = rx.sub(" | ", text)
    return " ".join(text.split())


def parse_date(text: str) -> str | None:
    """First "ngày D tháng M năm Y" / "ngày D/M/Y" → ISO; "YYYY-MM" when the day is blank."""
    for m in _DATE.finditer(text):
        month = int(m.group("m") or m.group("m2"))
        year = m.group("y") or m.group("y2")
        if not 1 <= month <= 12:
            continue
        day = m.group("d")
        if day and not 1 <= int(day) <= 31:
            continue
        return f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"
    return None


def parse_number(text: str) -> str | None:
    """'Số: 141/KH-UBND' → '141/KH-UBND'; a blank number keeps its symbol: '/KH-KKTKCN'."""
    m = _NUMBER.search(text)
    if not m:  # "Số:" and its number apart (a header's two columns flattened side by side)
        at = re.search(r"\b[Ss]ố\s*:", text)
        m = _LOOSE_NUMBER.search(text, at.end()) if at else None
    if not m:
        return None
    num = re.sub(r"\s+", "", m.group("num"))
    num = re.sub(r"^[…._]+", "", num).rstrip(".,;")
    return num or None


def kind_line(text: str) -> tuple[str, str | None] | None:
    """("Kế hoạch", rest of the line) when ``text`` is a kind line in capitals."""
    m = _KIND_LINE.match(text.strip())
    if not m:
        return None
    rest = (m.group("rest") or "").strip() or None
    if rest and (rest.startswith(":") or rest[:1].islower()):
        return None  # "QUYẾT ĐỊNH:" enacts; "Kế hoạch này…" is prose
    return KINDS[m.group("kind")], rest


def _is_authority(text: str) -> bool:
    """ "ỦY BAN NHÂN DÂN TỈNH X", "BỘ TRƯỞNG BỘ …", "THỦ TƯỚNG CHÍNH PHỦ điện:"."""
    core = re.sub(r"\s+điện\s*:?\s*$", "", text.strip())
    return bool(_AUTHORITY.match(core)) and is_caps(core) and len(core) < 160


def read_header(texts: list[str]) -> Header:
    """Read the header from the document's first lines (cleaned texts, in order)."""
    head = Header()
    limit = min(len(texts), HEAD_MAX_LINES)
    kind_at = None
    for i in range(limit):
        k = kind_line(strip_motto(texts[i]).strip(" |"))
        if k and (i == 0 or not texts[i - 1].rstrip().endswith(("số", "Số"))):
            kind_at = i
            head.kind_word, first_title = k
            break
    else:
        first_title = None
    top = texts[: kind_at if kind_at is not None else limit]
    # stop the top region at the first body line when there is no kind line
    if kind_at is None:
        for i, t in enumerate(top):
            if _STOP.match(t) or ROMAN.match(t) or (len(t) > 120 and not is_caps(t)):
                top = top[:i]
                break
    joined = " ".join(top)
    head.number = parse_number(joined)
    head.date = parse_date(joined)
    head.place = _place(top) if head.date else None
    head.issuer_lines = _issuer_lines(top)
    if kind_at is None:
        head.end = _skip_vv(texts, len(top), head)
        return head
    head.kind_at = kind_at
    i = kind_at + 1
    if first_title:
        head.title_lines.append(first_title)
    size = len(first_title or "")
    while i < len(texts):
        t = texts[i]
        if _STOP.match(t) or ROMAN.match(t) or _is_authority(t):
            break
        if t.startswith("("):  # "(thực hiện khoản 1 Điều 33 Luật Thủ đô)" under the title
            if head.title_lines and len(t) <= 160:
                head.title_lines.append(t)
                i += 1
            break
        if head.title_lines and not is_caps(t) and len(t) > 160:
            break  # a prose line: the opening starts
        size += len(t)
        if size > _TITLE_MAX and head.title_lines:
            break
        head.title_lines.append(t)
        i += 1
    if i < len(texts) and _is_authority(texts[i]):
        head.authority = texts[i].rstrip(":").strip()
        i += 1
    head.end = i
    return head


def _place(top: list[str]) -> str | None:
    """The place before ", ngày …" ("Bắc Ninh, ngày 20 tháng 11 năm 2025" → "Bắc Ninh")."""
    pieces = [p.strip() for p in strip_motto(" | ".join(top)).split("|") if p.strip()]
    for k, piece in enumerate(pieces):
        m = _PLACE.match(piece)
        if not m:
            continue
        place = _AFTER_NUMBER.sub("", m.group("place")).strip(" -–*")
        prev = pieces[k - 1] if k else ""
        if (
            len(place.split()) <= 2
            and prev
            and not is_caps(prev)
            and not re.search(r"\d|\b[Ss]ố\b", prev)
            and len(prev) <= 30
        ):
            place = f"{prev} {place}"  # "Thành phố Hồ Chí" / "Minh, ngày …": one cell
        if 2 <= len(place) <= 40 and place[:1].isupper() and not re.search(r"\d", place):
            return place
    return None


def _skip_vv(texts: list[str], start: int, head: Header) -> int:
    """A letter (công văn) has no kind line: its title is the "V/v …" line by the number."""
    for i, t in enumerate(texts[: start + 2]):
        if _VV.match(t):
            head.title_lines = [t]
            return max(start, i + 1)
    return start


def _issuer_lines(top: list[str]) -> list[str]:
    """Capital lines of the left column before the number, motto and date cut out."""
    out: list[str] = []
    for text in [strip_motto(" | ".join(top))]:
        for piece in text.split("|"):
            piece = piece.strip(" -–*_")
            if not piece:
                continue
            if re.match(r"^(?:Số|SỐ)\b", piece) or _DATE.search(piece) or _VV.match(piece):
                return out if out else []
            if is_caps(piece) and not kind_line(piece):
                out.append(piece)
            elif out:
                return out
    return out


def authority_body(authority: str | None) -> str | None:
    """The body in an authority line: "BỘ TRƯỞNG BỘ NỘI VỤ" → "BỘ NỘI VỤ"."""
    if not authority:
        return None
    text = re.sub(r"\s*(?:điện|ĐIỆN)\s*:?\s*$", "", authority).strip()
    m = re.match(
        r"^(?:BỘ TRƯỞNG|GIÁM ĐỐC|TỔNG GIÁM ĐỐC|CHÁNH VĂN PHÒNG|TRƯỞNG BAN|HIỆU TRƯỞNG"
        r"|CỤC TRƯỞNG|CHI CỤC TRƯỞNG|THỐNG ĐỐC|VIỆN TRƯỞNG|TRƯỞNG)\s+(?P<body>.+)$",
        text,
    )
    if m and starts_body(m.group("body")):
        return m.group("body")
    return text
