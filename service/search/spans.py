"""What a clause says of each kind a question asks — who, by when, how much, how often, what
target — as spans of the document's own words, and which kind a question asks
(``question_kind``). ``service.search.facts`` chooses the clause; this module reads it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from indexer.text.vietnamese import fold

KINDS = ("who", "when", "money", "frequency", "target")

# -- what the question asks (folded, whole words) ---------------------------------------------
_ASKS = (  # the question's own words first, then words that only hint at what it asks
    ("who", r"co quan nao|don vi nao|bo phan nao|phong nao|so nao|ban nao|bo nao|nganh nao|"
     r"to chuc nao|ai (?:chu tri|la|lam|chiu|thuc hien)|^ai |giao (?:cho )?ai|"
     # sent or reported where: "gửi báo cáo … về đâu", "báo cáo lên đâu"
     r"(?:gui|bao cao|nop|chuyen)(?: \w+){0,8} (?:ve|den|toi|len) (?:dau|co quan nao|don vi nao)"),
    ("frequency", r"bao lau (?:mot|1) lan|may (?:ngay|tuan|thang|quy|nam) (?:mot|1) lan|"
     r"bao nhieu lan|may lan|tan suat|dinh ky (?:bao lau|the nao|ra sao)"),
    ("when", r"khi nao|bao gio|ngay nao|thang nao|nam nao|quy nao|thoi gian nao|luc nao|"
     r"thoi diem nao|tu ngay nao|truoc ngay nao|vao luc nao|trong bao lau|thoi han .*bao lau|"
     r"(?:may|bao nhieu) ngay(?: lam viec)?(?! (?:mot|1) lan)"),
    ("money", r"bao nhieu tien|bao nhieu dong|bao nhieu ty dong|bao nhieu trieu dong|"
     r"chi bao nhieu"),
    # an amount asked whatever stands between: "phụ cấp hằng tháng … bao nhiêu" asks how much,
    # not how often; "chi phí … tối đa bao nhiêu" an amount, not a target
    ("money", r"(?:kinh phi|muc chi|muc ho tro|muc chuan|muc thu|phu cap|muc luong|chi phi)"
     r"(?: \w+){0,20} bao nhieu"),
    ("target", r"bao nhieu phan tram|bao nhieu %|dat bao nhieu|bao nhieu tram|"
     r"(?:toi thieu|toi da|it nhat)(?: la)? bao nhieu"),
    ("frequency", r"hang (?:ngay|thang|nam|quy)|dinh ky"),
    ("money", r"kinh phi|muc chi|muc ho tro|muc chuan|muc cho vay|muc thu|ngan sach|chi phi|"
     r"thiet hai|von dau tu|muc luong|tong thu|tong chi|tao nguon|ho tro them|phu cap"),
    ("target", r"ty le|ty so|chi tieu|muc tieu|phan dau|bao nhieu (?:xa|phuong|don vi|nguoi)"),
    ("when", r"thoi han|han chot|han (?:gui|nop|bao cao)|hieu luc|bao lau"),
    ("who", r"dau moi|chu tri|thuong truc"),
)  # fmt: skip
_ASK_RX = [(kind, re.compile(rf"(?<!\w)(?:{rx})(?!\w)")) for kind, rx in _ASKS]

# -- spans of each kind, on the text as written ------------------------------------------------
_NUM = r"\d{1,3}(?:[.,]\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MONEY = re.compile(
    rf"(?:(?:khoảng|trên|dưới|tối đa|tối thiểu|gần|hơn|ước|đạt)\s+)?(?:{_NUM})\s*"
    r"(?:nghìn tỷ|tỷ|triệu|nghìn|ngàn)?\s*(?:đồng|VNĐ|VND|đ)(?!\w)"
    r"(?:\s*/\s*(?:tháng|năm|người|ngày|buổi|lượt|hồ sơ|ha|m2|m²|km|tấn|suất|học viên)(?!\w)){0,2}"
    rf"|(?:{_NUM})\s*lần\s+(?:mức|quỹ)\s+lương(?:\s+(?:cơ bản|cơ sở|tối thiểu))?",
    re.I,
)
_PERCENT = re.compile(
    rf"(?:(?:ít nhất|tối thiểu|trên|dưới|đạt|từ|khoảng|tối đa|hơn|không quá)\s+)?(?:{_NUM})\s*%"
    r"(?:\s*trở (?:lên|xuống))?",
    re.I,
)
_FIGURE = re.compile(  # a number and what it counts ("35 trạm", "400 triệu USD"), not a year
    rf"(?:(?:ít nhất|tối thiểu|trên|dưới|đạt|khoảng|tối đa|hơn|không quá)\s+)?"
    rf"(?<![\d/.])(?!(?:19|20)\d\d(?!\d))(?:{_NUM})\s+"
    r"(?:triệu USD|tỷ USD|USD|(?!(?:năm|ngày|tháng|quý|về|của|và|với|theo|tại|trong|các|là"
    r"|được|do|để|từ|đến)\b)[^\W\d]+(?:\s+[^\W\d]+)?)",
    re.I,
)
_DATE = (
    r"ngày\s+\d{1,2}(?:\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
    r"(?:\s+(?:của\s+)?năm\s+(?:tiếp theo|sau|kế tiếp))?"  # "… tháng 01 của năm tiếp theo"
)
_PERIOD = (
    r"(?:quý\s+[IV]{1,3}|tháng\s+(?:1[0-2]|0?[1-9])(?!\d)|6 tháng (?:đầu|cuối) năm)"
    r"(?:\s*(?:/|năm)\s*\d{4})?"
    r"|năm\s+\d{4}"
)
_WHEN = re.compile(
    rf"(?:(?:kể\s+)?từ\s+{_DATE}\s+đến\s+(?:hết\s+)?{_DATE}"
    rf"|(?:(?:hoàn thành\s+)?trước|chậm nhất(?:\s+là)?|đến|kể từ|từ|trong|vào)\s+{_DATE}"
    rf"|{_DATE}"
    rf"|(?:trong|vào|từ|đến|trước)?\s*(?:{_PERIOD})"
    r"|thường xuyên|hằng năm|hàng năm)"
    r"(?:\s+(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm))?",
    re.I,
)
DEADLINE_LEAD = re.compile(r"^(?:hoàn thành\s+)?(?:trước|chậm nhất|đến|từ|kể từ|trong|vào)\b", re.I)
# a date that belongs to a cited document ("Quyết định số 74/QĐ-CĐYT ngày 12/02/2026")
_CITED_BEFORE = re.compile(
    r"(?:số\s*)?\d+/[\w/.-]*\s*$|(?:Nghị quyết|Quyết định|Kế hoạch|Công văn|Thông tư|Nghị định|"
    r"Chỉ thị|Hướng dẫn|Thông báo|Luật|Công điện)(?!\s+này)"
    # a name may hold a comma ("Luật Thi đua, khen thưởng ngày 15/6/2022"), not before a date
    r"(?:[^,.;]|,(?!\s*$|\s*(?:trước|chậm|đến|từ|trong|vào|hạn|thời|kể)\b)){0,60}$",
    re.I,
)
_FREQUENCY = re.compile(
    r"(?:định kỳ\s+)?(?:\d+|một|hai)\s+(?:ngày|tuần|tháng|quý|năm)\s*(?:một|1|/)\s*lần"
    r"|\d+\s+lần\s*/\s*(?:ngày|tuần|tháng|quý|năm)(?:\s*\([^)]{0,40}\))?"
    r"|\d+\s+[^\W\d]+(?:,\s*[^\W\d]+)?\s*/\s*(?:ngày|tuần|tháng|quý|năm)"
    rf"|(?:trước\s+)?(?:{_DATE}|\d{{1,2}}h\d{{0,2}}’?)\s+(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm)"
    r"|(?:trước\s+ngày\s+\d{1,2}\s+)?(?:định kỳ\s+)?(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)"
    r"|định kỳ\s+[^,.;]{3,30}",
    re.I,
)
# a body's first word — not when it starts another word: "Ban hành" (issue), "Tổ chức"
# (organise), "Trường hợp" (case), "Hội nghị" (conference), "Báo cáo" (report), "Phòng,
# chống" (prevention), "Bộ tiêu chí" (a set of criteria)
_BODY = (
    r"(?:Sở|Ban(?!\s+hành)|Bộ(?!\s+(?:tiêu chí|hồ sơ|thủ tục|chỉ số|câu hỏi|mặt))|"
    r"Phòng(?!\s*,?\s*(?:chống|ngừa|tránh))|Văn phòng|UBND|Ủy ban|Uỷ ban|Trung tâm|Cục|Chi cục|"
    r"Công an|Trường(?!\s+hợp)|Bệnh viện|Viện|Hội đồng|Thanh tra|Kho bạc|Ngân hàng|Bảo hiểm|"
    r"Đài|Báo(?!\s+cáo)|Liên đoàn|Tỉnh đoàn|Thành đoàn|Hội(?!\s+(?:nghị|thảo|thi|diễn|chợ))|"
    r"Bộ phận|Tổ(?!\s+chức)|Đoàn|Cơ quan|Chủ tịch|Giám đốc|Hiệu trưởng)(?!\w)"
)
_VERB = (
    r"chủ trì|thực hiện|thành lập|tổ chức|bố trí|là cơ quan|làm đầu mối|là đầu mối|theo dõi|"
    r"hướng dẫn|tham mưu|xây dựng|triển khai|tổng hợp|có trách nhiệm|chịu trách nhiệm|"
    r"phối hợp|rà soát|kiểm tra|cấp|quản lý"
)
# a word of a body's name: not the verb after it ("Ủy ban nhân dân tỉnh ban hành Kế hoạch …")
_NAME_WORD = r"(?!(?:ban hành|phê duyệt|triển khai|thực hiện|báo cáo|kiểm tra|được|là|để|về)\b)"
_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
# a comma inside a body's name ("Bộ Văn hóa, Thể thao và Du lịch"), not between two bodies
# ("Sở Y tế, Sở Tài chính") nor before the words after the name
_NAME_COMMA = rf",(?=\s+(?!{_BODY})[{_UPPER}])"
_NAME_PART = rf"(?:[^\s,.;:()]|{_NAME_COMMA})+"
_WHO = re.compile(
    # "gửi phản ánh về", "gửi thông báo bằng văn bản đến", "thông qua đầu mối"
    r"(?i:giao(?:\s+cho)?|gửi(?:\s+[^\s,.;:()]+){0,5}?\s+(?:về|đến|tới)|gửi|do|đề nghị"
    r"|(?:theo\s+)?hướng dẫn của|(?:thông\s+)?qua(?:\s+đầu mối)?)"
    rf"\s+(?P<a>{_BODY}(?:\s+{_NAME_WORD}{_NAME_PART}){{0,11}}?)"
    rf"(?=\s+(?:{_VERB}|để|nhằm|về việc)\b|\s*[()]|[,.;:]|$)"
    rf"|(?P<b>{_BODY}(?:[^,.;:()]|{_NAME_COMMA}){{1,80}}?)\s+(?:chủ trì"
    r"|là cơ quan (?:đầu mối|thường trực|chủ trì)"
    r"|làm đầu mối|là đầu mối|có trách nhiệm|chịu trách nhiệm)"
    # a body that opens its clause and does the work: "Sở Nông nghiệp và Môi trường tổng hợp …"
    # (under a list mark, a number or an article's "Điều 20.")
    rf"|^(?:[-+•]\s*|[a-zđ]\)\s*|\d{{1,2}}(?:\.\d{{1,2}})*\.?\s+|Điều\s+\d{{1,3}}\.?\s+)?"
    rf"(?P<c>{_BODY}(?:\s+{_NAME_WORD}{_NAME_PART}){{1,8}}?)\s+(?:{_VERB})\b"
    # a body with its role after a dash: "Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo"
    rf"|(?P<d>{_BODY}[^,.;:()-]{{1,80}}?)\s+[-–]\s+(?i:cơ quan (?:thường trực|chủ trì|đầu mối))",
)
# a dash inside a body's name ("Hội đồng Thi đua - Khen thưởng", "Phòng Văn hóa - Xã hội"):
# the name's capitalised words before it, a word that starts no body after it
_NAME_BEFORE_DASH = re.compile(rf"{_BODY}(?:\s+[{_UPPER}][^\s,.;:()]*)(?:\s+[^\s,.;:()]+){{0,3}}$")
_NAME_AFTER_DASH = re.compile(rf"(?!{_BODY})[{_UPPER}]")


def dash_in_name(before: str, after: str) -> bool:
    """Whether " - " between ``before`` and ``after`` joins a body's name (not two clauses)."""
    return bool(_NAME_BEFORE_DASH.search(before[-80:]) and _NAME_AFTER_DASH.match(after))


# the part of a body a name in brackets after it points to ("(qua Phòng Xây dựng chính quyền)")
_UNIT_IN_BRACKETS = re.compile(rf"\s*(\((?:qua\s+)?{_BODY}[^()]{{0,60}}\))")
# a field that states the fact for the work named before it ("… gửi Bộ Tài chính. Thời gian
# hoàn thành: Trước ngày 31/5/2026."; a paragraph of its own after the work's paragraph)
FIELDS = {
    "when": re.compile(
        r"^(?:[-+•]\s*)?(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:hoàn thành|thực hiện|triển khai|"
        r"báo cáo|nộp|gửi))?\s*:\s*(?P<v>.+)",
        re.I,
    ),
    "who": re.compile(
        r"^(?:[-+•]\s*)?(?:(?:Cơ quan|Đơn vị|Bộ phận)\s+(?:chủ trì|thực hiện|đầu mối|thường trực|"
        r"tham mưu|tiếp nhận)(?:\s+thực hiện)?|Chủ trì|Đầu mối)\s*:\s*(?P<v>[^;.(]+)",
        re.I,
    ),
    "money": re.compile(
        r"^(?:[-+•]\s*)?(?:Tổng\s+)?(?:Kinh phí|Dự toán)[^:]{0,40}:\s*(?P<v>.+)", re.I
    ),
}


# "… phối hợp với bộ nào": the body after "phối hợp với", not the one that leads
_ASKS_PARTNER = re.compile(r"phoi hop voi (?:\w+ ){0,2}nao(?!\w)")
_PARTNER = re.compile(
    rf"phối hợp(?:\s+chặt chẽ)?\s+với\s+(?P<a>{_BODY}(?:\s+{_NAME_WORD}{_NAME_PART}){{0,11}}?)"
    rf"(?=\s+(?:{_VERB}|để|nhằm|về việc|đánh giá)\b|\s*[()]|[,.;:]|$)"
)


@lru_cache(maxsize=64)
def folded(query: str) -> str:
    """The question folded and lower-cased, once per question (``span_of`` reads it for every
    clause of every paragraph an answer is looked for in)."""
    return fold(query).lower()


def question_kind(query: str) -> str | None:
    """Which fact the question asks for, or None (a topic, not a who/when/how-much question)."""
    folded = " ".join(fold(query).lower().replace("?", " ").split())
    for kind, rx in _ASK_RX:
        if rx.search(folded):
            return kind
    return None


def span_of(kind: str, clause: str, query: str) -> str | None:
    """The span of ``kind`` in one clause (the first), or None."""
    if kind == "money":
        m = _MONEY.search(clause)
    elif kind == "target":
        # a share, not a ratio ("tỷ số giới tính khi sinh": "109 bé trai/100 bé gái")
        asked = folded(query)
        wants_percent = re.search(r"phan tram|ty le|%", asked)
        counted = None if re.search(r"phan tram|ty le|ty so|%", asked) else _COUNTED.search(asked)
        if counted:  # "bao nhiêu trạm": a figure that counts trạm, no percentage
            noun = counted.group(1)
            m = next((f for f in _FIGURE.finditer(clause) if _counts(f.group(0), noun)), None)
        else:
            m = _PERCENT.search(clause) or (None if wants_percent else _FIGURE.search(clause))
    elif kind == "when":  # a date or period; else a time that comes back ("trước 19h00’ hằng
        # ngày" for "vào lúc nào"), first when the question asks for one ("hàng tháng trước
        # ngày nào?"); a duration when it asks how long ("trong thời hạn bao lâu")
        if _HOW_LONG.search(folded(query)):
            m = _DURATION.search(clause)
            return " ".join(m.group(0).split()) if m else deadline(clause)
        if _EVERY.search(query):
            return recurring(clause, timed=True) or deadline(clause)
        return deadline(clause) or recurring(clause, timed=True)
    elif kind == "frequency":
        found = recurring(clause)
        if found is None:
            when = deadline(clause)
            return when if when and re.search(r"(?:hằng|hàng|mỗi)\s", when, re.I) else None
        return found
    else:
        if _ASKS_PARTNER.search(" ".join(folded(query).split())):
            m = _PARTNER.search(clause)
        else:
            m = _WHO.search(clause)
        if m is None:
            return None
        groups = [k for k in "abcd" if k in m.re.groupindex and m.group(k)]
        name, end = m.group(groups[0]).strip(), m.end(groups[0])
        unit = _UNIT_IN_BRACKETS.match(clause, end)  # "Sở Nội vụ (Phòng Thi đua - Khen thưởng)"
        return f"{name} {unit.group(1)}" if unit else name
    return " ".join(m.group(0).split()).strip(" ,;") if m else None


# "bao nhiêu trạm", "bao nhiêu đơn vị": the noun a figure must count (not a share, an amount,
# a time or a number of times)
_COUNTED = re.compile(
    r"bao nhieu (?!(?:phan|tien|dong|ty|trieu|lan|nam|ngay|thang|tuan|quy|gio|de|trong|cho|"
    r"thi|la|va|o|tai|theo|voi|ve|khi|nua|the|vay|roi|moi)(?!\w))(\w+)"
)


def _counts(figure: str, noun: str) -> bool:
    words = fold(figure).lower().split()
    return noun in words[1:3]  # "35 trạm", "đạt 124 đơn vị": the word after the number


# "bao lâu một lần", "mấy tháng một lần": a period between two times is asked
ASKS_INTERVAL = re.compile(r"(?:bao lau|may \w+) (?:mot|1) lan")
INTERVAL = re.compile(r"(?:định kỳ\s+)?(?:\d+|một|hai)\s+\w+\s*(?:một|1|/)\s*lần", re.I)
_HOW_LONG = re.compile(
    r"bao lau(?! (?:mot|1) lan)|(?:may|bao nhieu) (?:ngay|thang|tuan|gio)(?! (?:mot|1) lan)"
)
_DURATION = re.compile(
    r"(?:(?:trong|tối đa|không quá|chậm nhất)\s+(?:thời hạn\s+)?)?\d{1,3}\s+"
    r"(?:ngày làm việc|ngày|tháng|tuần|giờ|năm)(?!\s*/)",
    re.I,
)
_EVERY = re.compile(r"(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)", re.I)
_TIMED = re.compile(r"ngày\s+\d|\d{1,2}h|\d{1,2}\s*/\s*\d{1,2}")
_DATE_IN_BRACKETS = re.compile(r"\s*(\((?:trước|chậm nhất|vào)[^()]{0,40}\))")


def recurring(clause: str, timed: bool = False) -> str | None:
    """How often, in a clause: of its spans, one with a day or hour first ("trước ngày 16 hàng
    tháng" over "Định kỳ hàng tháng"), a vague "Định kỳ …" last; a date in brackets after it
    is kept ("hằng năm (trước ngày 15 tháng 11)"). ``timed``: only one with a day or hour."""
    spans = []
    for m in _FREQUENCY.finditer(clause):
        text = " ".join(m.group(0).split()).strip(" ,;")
        after = _DATE_IN_BRACKETS.match(clause, m.end())
        if after:
            text = f"{text} {after.group(1)}"
        vague = text.lower().startswith("định kỳ") and not re.search(r"hằng|hàng|mỗi|lần", text)
        spans.append((not _TIMED.search(text), vague, m.start(), text))
    if timed:
        spans = [sp for sp in spans if not sp[0]]
    return min(spans)[3] if spans else None


def deadline(clause: str) -> str | None:
    """The deadline-like date or period of a clause: one led by "trước", "đến", "từ"… first;
    a cited document's own date never."""
    best: tuple[int, str] | None = None
    for m in _WHEN.finditer(clause):
        text = " ".join(m.group(0).split()).strip(" ,;")
        if not text or _CITED_BEFORE.search(clause[max(0, m.start() - 60) : m.start()]):
            continue
        rank = 0 if DEADLINE_LEAD.match(text) else 1
        if best is None or rank < best[0]:
            best = (rank, text)
    return best[1] if best else None


def normalized(kind: str, text: str, year: int | None) -> dict[str, Any]:
    if kind == "money":
        amount = amount_vnd(text)
        return {"amount_vnd": amount} if amount is not None else {}
    if kind == "when":
        from indexer.structure.deadlines import parse_deadline  # with the index, not on import

        due = parse_deadline(text, year)
        out: dict[str, Any] = {}
        if due.start:
            out["start"] = due.start.isoformat()
        if due.end:
            out["end"] = due.end.isoformat()
        if due.recurring:
            out["recurring"] = due.recurring
        return out
    return {}


_SCALE = {"nghìn tỷ": 10**12, "tỷ": 10**9, "triệu": 10**6, "nghìn": 10**3, "ngàn": 10**3}


def amount_vnd(text: str) -> int | None:
    """ "3.515 tỷ đồng" → 3515000000000; "650.000 đồng/tháng" → 650000; None without đồng."""
    m = re.search(
        rf"({_NUM})\s*(nghìn tỷ|tỷ|triệu|nghìn|ngàn)?\s*(?:đồng|VNĐ|VND|đ)(?!\w)", text, re.I
    )
    if m is None:
        return None
    number, scale = m.group(1), (m.group(2) or "").lower()
    if scale:  # "10.367,700 tỷ": dots group thousands, the comma is the decimal point
        value = float(number.replace(".", "").replace(",", "."))
    else:  # "650.000", "40.000.000": dots or commas group thousands
        value = float(re.sub(r"[.,]", "", number))
    return int(round(value * _SCALE.get(scale, 1)))


def field_span(kind: str, value: str, query: str) -> str | None:
    """The fact a labelled field states ("Thời gian hoàn thành: Trước ngày 31/5/2026")."""
    if kind == "who":
        return " ".join(value.split()).strip(" ,;-") or None
    return span_of(kind, value, query) or (" ".join(value.split()).strip(" .,;") or None)
