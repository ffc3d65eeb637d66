"""The fact a question asks for — who, by when, how much, how often, what target — read from
the paragraphs search found.

Staff ask "Cần Thơ giao cơ quan nào …", "… trước ngày nào?", "mức chuẩn … là bao nhiêu?".
Search ranks the paragraphs that state it; this module reads the answer itself out of them,
so the page, the API and the CLI can show "Sở Y tế" with its source paragraph instead of a
list to read. Two sources, both the documents' own words (nothing is generated):

- a **task row** (the appendix tables, as the catalog stores them): who is the row's lead
  (read at indexing, ``indexer.structure.assignment.lead_of``) or, asked who works with it,
  its partners; when its time cell; how much its budget cell;
- a **sentence** of any paragraph: the span of the asked kind — an amount in đồng, a
  percentage or figure, a date or period, a frequency, a body that is given the task ("giao
  Sở Y tế thành lập …", "Sở Tư pháp chủ trì", "gửi phản ánh về Sở Nội vụ (Phòng …)") — in
  the clause that shares the most of the question's content words, weighted by how rare
  each is among the paragraphs read; a clause is read with the heading it stands under, and
  a labelled field ("Thời gian hoàn thành: …") with the work written before it.

A fact is given only from paragraphs above the relevance floor, only from the documents of
the place the question names (if it names one), and only when its clause (with its heading)
holds at least ``MIN_OVERLAP`` of the question's content words, counted and weighted:
otherwise the answer is empty and the product says it did not find one rather than guess.
Across plans, one fact per plan (the best), in the order of their paragraphs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.model import TaskRow
from indexer.text.vietnamese import fold
from service.search.model import SearchHit
from service.search.understanding import reference_spans

KINDS = ("who", "when", "money", "frequency", "target")
# share of the question's content words its answer's clause must hold, counted plainly and
# weighted by how rare each is among the paragraphs read (``_Weights``)
MIN_OVERLAP = 0.4
HIT_BONUS = 0.15  # for a paragraph among the search's best hits
HEADING_WEIGHT = 0.5  # of the words a clause shares with the question only through its heading
READ_HITS = 5  # the best hits read for an answer
READ_DOCUMENTS = 2  # the documents of those read whole
MAX_PARAGRAPHS = 5000  # of each (a bound on the work)
PLANS_SHOWN = 3  # one fact per plan, at most this many plans

# -- what the question asks (folded, whole words) ---------------------------------------------
_ASKS = (  # the question's own words first, then words that only hint at what it asks
    ("who", r"co quan nao|don vi nao|bo phan nao|phong nao|so nao|ban nao|bo nao|nganh nao|"
     r"to chuc nao|ai (?:chu tri|la|lam|chiu|thuc hien)|^ai |giao (?:cho )?ai|"
     # sent or reported where: "gửi báo cáo … về đâu", "báo cáo lên đâu"
     r"(?:gui|bao cao|nop|chuyen)(?: \w+){0,8} (?:ve|den|toi|len) (?:dau|co quan nao|don vi nao)"),
    ("frequency", r"bao lau (?:mot|1) lan|may (?:ngay|tuan|thang|quy|nam) (?:mot|1) lan|"
     r"bao nhieu lan|may lan|tan suat|dinh ky (?:bao lau|the nao|ra sao)"),
    ("when", r"khi nao|bao gio|ngay nao|thang nao|nam nao|quy nao|thoi gian nao|luc nao|"
     r"thoi diem nao|tu ngay nao|truoc ngay nao|vao luc nao|trong bao lau|thoi han .*bao lau"),
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
_DATE = r"ngày\s+\d{1,2}(?:\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
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
_DEADLINE_LEAD = re.compile(
    r"^(?:hoàn thành\s+)?(?:trước|chậm nhất|đến|từ|kể từ|trong|vào)\b", re.I
)
# a date that belongs to a cited document ("Quyết định số 74/QĐ-CĐYT ngày 12/02/2026")
_CITED_BEFORE = re.compile(
    r"(?:số\s*)?\d+/[\w/.-]*\s*$|(?:Nghị quyết|Quyết định|Kế hoạch|Công văn|Thông tư|Nghị định|"
    r"Chỉ thị|Hướng dẫn|Thông báo|Luật|Công điện)(?!\s+này)[^,.;]{0,50}$",
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
_BODY = (
    r"(?:Sở|Ban|Bộ|Phòng|Văn phòng|UBND|Ủy ban|Uỷ ban|Trung tâm|Cục|Chi cục|Công an|Trường|"
    r"Bệnh viện|Viện|Hội đồng|Thanh tra|Kho bạc|Ngân hàng|Bảo hiểm|Đài|Báo|Liên đoàn|"
    r"Tỉnh đoàn|Thành đoàn|Hội|Bộ phận|Tổ|Đoàn|Cơ quan|Chủ tịch|Giám đốc|Hiệu trưởng)"
)
_VERB = (
    r"chủ trì|thực hiện|thành lập|tổ chức|bố trí|là cơ quan|làm đầu mối|là đầu mối|theo dõi|"
    r"hướng dẫn|tham mưu|xây dựng|triển khai|tổng hợp|có trách nhiệm|chịu trách nhiệm|"
    r"phối hợp|rà soát|kiểm tra|cấp|quản lý"
)
# a word of a body's name: not the verb after it ("Ủy ban nhân dân tỉnh ban hành Kế hoạch …")
_NAME_WORD = r"(?!(?:ban hành|phê duyệt|triển khai|thực hiện|báo cáo|kiểm tra|được|là|để|về)\b)"
_WHO = re.compile(
    # "gửi phản ánh về", "gửi thông báo bằng văn bản đến", "thông qua đầu mối"
    r"(?i:giao(?:\s+cho)?|gửi(?:\s+[^\s,.;:()]+){0,5}?\s+(?:về|đến|tới)|gửi|do|đề nghị"
    r"|(?:theo\s+)?hướng dẫn của|(?:thông\s+)?qua(?:\s+đầu mối)?)"
    rf"\s+(?P<a>{_BODY}(?:\s+{_NAME_WORD}[^\s,.;:()]+){{0,11}}?)"
    rf"(?=\s+(?:{_VERB}|để|nhằm|về việc)\b|\s*[()]|[,.;:]|$)"
    rf"|(?P<b>{_BODY}[^,.;:()]{{1,80}}?)\s+(?:chủ trì|là cơ quan (?:đầu mối|thường trực|chủ trì)"
    r"|làm đầu mối|là đầu mối|có trách nhiệm|chịu trách nhiệm)"
    # a body that opens its clause and does the work: "Sở Nông nghiệp và Môi trường tổng hợp …"
    rf"|^(?:[-+•]\s*|[a-zđ]\)\s*|\d{{1,2}}(?:\.\d{{1,2}})*\.?\s+)?"
    rf"(?P<c>{_BODY}(?:\s+{_NAME_WORD}[^\s,.;:()]+){{1,8}}?)\s+(?:{_VERB})\b"
    # a body with its role after a dash: "Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo"
    rf"|(?P<d>{_BODY}[^,.;:()-]{{1,80}}?)\s+[-–]\s+(?i:cơ quan (?:thường trực|chủ trì|đầu mối))",
)
# the part of a body a name in brackets after it points to ("(qua Phòng Xây dựng chính quyền)")
_UNIT_IN_BRACKETS = re.compile(rf"\s*(\((?:qua\s+)?{_BODY}[^()]{{0,60}}\))")
# a field that states the fact for the work named before it ("… gửi Bộ Tài chính. Thời gian
# hoàn thành: Trước ngày 31/5/2026."; a paragraph of its own after the work's paragraph)
_FIELD = {
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
_CLAUSE = re.compile(r"(?<=[.;!?])\s+|\s+-\s+|\n+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])|\n+")
_NUMBERING = re.compile(r"[\dIVXivx]{1,4}(?:\.\d{1,2})*[.)]?|[a-zđ]\)")
_STOP = {
    "cua", "va", "cac", "nhung", "la", "cho", "de", "trong", "theo", "tai", "voi", "ve", "tu",
    "den", "duoc", "co", "khong", "nay", "do", "o", "thi", "mot", "nam", "phai", "nao", "gi",
    "bao", "nhieu", "khi", "may", "dau", "ai", "lan", "hay", "nhu", "the", "sao", "ra", "vao",
}  # fmt: skip


@dataclass(slots=True)
class Fact:
    """One answer read from one paragraph."""

    kind: str  # who | when | money | frequency | target
    text: str  # the answer as the document writes it
    doc_id: str
    paragraph_id: str
    unit: str | None
    year: int | None
    source: str  # the clause or task-row field it was read from
    where: str  # "task row" or "sentence"
    normalized: dict[str, Any] = field(default_factory=dict)  # {"date"…}, {"amount_vnd"…}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Answer:
    """What a who / when / how-much question was answered with (``facts`` empty: not found)."""

    kind: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.facts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "found": self.found, "facts": [f.to_dict() for f in self.facts]}


def question_kind(query: str) -> str | None:
    """Which fact the question asks for, or None (a topic, not a who/when/how-much question)."""
    folded = " ".join(fold(query).lower().replace("?", " ").split())
    for kind, rx in _ASK_RX:
        if rx.search(folded):
            return kind
    return None


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text).lower()) if w not in _STOP and len(w) > 1}


def _overlap(question: set[str], clause: str) -> float:
    return len(question & _words(clause)) / len(question) if question else 0.0


def _span(kind: str, clause: str, query: str) -> str | None:
    """The span of ``kind`` in one clause (the first), or None."""
    if kind == "money":
        m = _MONEY.search(clause)
    elif kind == "target":
        # a share, not a ratio ("tỷ số giới tính khi sinh": "109 bé trai/100 bé gái")
        wants_percent = re.search(r"phan tram|ty le|%", fold(query).lower())
        m = _PERCENT.search(clause) or (None if wants_percent else _FIGURE.search(clause))
    elif kind == "when":  # a date or period; else a time that comes back ("trước 19h00’ hằng
        # ngày" for "vào lúc nào"), first when the question asks for one ("hàng tháng trước
        # ngày nào?")
        if _EVERY.search(query):
            return _recurring(clause, timed=True) or _when(clause)
        return _when(clause) or _recurring(clause, timed=True)
    elif kind == "frequency":
        found = _recurring(clause)
        if found is None:
            when = _when(clause)
            return when if when and re.search(r"(?:hằng|hàng|mỗi)\s", when, re.I) else None
        return found
    else:
        m = _WHO.search(clause)
        if m is None:
            return None
        name = next(g for g in m.group("a", "b", "c", "d") if g).strip()
        end = m.end(next(k for k in "abcd" if m.group(k)))
        unit = _UNIT_IN_BRACKETS.match(clause, end)  # "Sở Nội vụ (Phòng Thi đua - Khen thưởng)"
        return f"{name} {unit.group(1)}" if unit else name
    return " ".join(m.group(0).split()).strip(" ,;") if m else None


_EVERY = re.compile(r"(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm)", re.I)
_TIMED = re.compile(r"ngày\s+\d|\d{1,2}h|\d{1,2}\s*/\s*\d{1,2}")
_DATE_IN_BRACKETS = re.compile(r"\s*(\((?:trước|chậm nhất|vào)[^()]{0,40}\))")


def _recurring(clause: str, timed: bool = False) -> str | None:
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


_AIMED = re.compile(r"phấn đấu|mục tiêu|chỉ tiêu", re.I)


def _quality(kind: str, fact: Fact) -> float:
    """A little for a span that says more: a day rather than a year, a deadline's lead; less
    for a time without any date ("thường xuyên" answers "khi nào" least); for a target, a
    little for a clause that aims ("phấn đấu đạt 100%" over a result "đã đạt 72,4%")."""
    text = fact.text
    if kind == "target":
        return 0.1 if _AIMED.search(fact.source) else 0.0
    if kind not in ("when", "frequency"):
        return 0.0
    score = (
        0.05 if re.search(r"\d{1,2}\s*/\s*\d{1,2}|ngày\s+\d|quý|tháng\s+\d", text, re.I) else 0.0
    )
    if kind == "when" and not re.search(r"\d", text):
        score -= 0.1
    return score + (0.05 if _DEADLINE_LEAD.match(text) else 0.0)


def _when(clause: str) -> str | None:
    """The deadline-like date or period of a clause: one led by "trước", "đến", "từ"… first;
    a cited document's own date never."""
    best: tuple[int, str] | None = None
    for m in _WHEN.finditer(clause):
        text = " ".join(m.group(0).split()).strip(" ,;")
        if not text or _CITED_BEFORE.search(clause[max(0, m.start() - 60) : m.start()]):
            continue
        rank = 0 if _DEADLINE_LEAD.match(text) else 1
        if best is None or rank < best[0]:
            best = (rank, text)
    return best[1] if best else None


def _normalized(kind: str, text: str, year: int | None) -> dict[str, Any]:
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


def _field_span(kind: str, value: str, query: str) -> str | None:
    """The fact a labelled field states ("Thời gian hoàn thành: Trước ngày 31/5/2026")."""
    if kind == "who":
        return " ".join(value.split()).strip(" ,;-") or None
    return _span(kind, value, query) or (" ".join(value.split()).strip(" .,;") or None)


class _Weights:
    """How much each of the question's words tells one passage from another among those read:
    its inverse document frequency over them (a word of every paragraph tells nothing)."""

    def __init__(self, asked: set[str], texts: Sequence[str]):
        df = dict.fromkeys(asked, 0)
        for text in texts:
            for w in asked & _words(text):
                df[w] += 1
        n = len(texts)
        self.idf = {w: math.log((n + 1) / (d + 0.5)) for w, d in df.items()}
        self.total = sum(self.idf.values()) or 1.0

    def share(self, text: str) -> float:
        return sum(self.idf[w] for w in self.idf.keys() & _words(text)) / self.total


def _clauses(text: str) -> list[str]:
    """A paragraph's clauses (``_CLAUSE``), a break inside brackets not one ("Sở Nội vụ (Phòng
    Thi đua - Khen thưởng)")."""
    out, start = [], 0
    for m in _CLAUSE.finditer(text):
        piece = text[start : m.start()]
        if piece.count("(") > piece.count(")"):
            continue
        out.append(piece)
        start = m.end()
    out.append(text[start:])
    return [c for c in out if c.strip()]


def _units(text: str, before: str, kind: str) -> list[tuple[str, str]]:
    """(unit, what comes before it) of a paragraph: its clauses, then (for who) its sentences
    that are not one clause — the body and its role may sit in two clauses ("Sở Tài chính -
    Cơ quan thường trực …"); before a paragraph's first clause is ``before`` (the paragraph
    above)."""
    clauses = _clauses(text)
    out: list[tuple[str, str]] = []
    for i, clause in enumerate(clauses):
        prior = " ".join(c for c in clauses[:i] if not _NUMBERING.fullmatch(c.strip()))
        out.append((clause, prior or before))
    if kind == "who":
        out += [(x, before) for x in _SENTENCE.split(text) if x.strip() and x not in clauses]
    return out


def _from_hit(
    kind: str,
    hit: Any,
    query: str,
    asked: set[str],
    weights: _Weights | None = None,
    before: str = "",
    row: TaskRow | None = None,
) -> tuple[float, Fact] | None:
    """The best fact of one paragraph (a hit, or a row of the catalog: ``paragraph_id`` or
    ``id``) whose clause shares at least ``MIN_OVERLAP`` of the question's words, and its
    score: the share of the question's words in the clause, weighted by ``weights`` (a
    labelled field's clause — "Thời gian hoàn thành: …" — scores as the work before it, in
    the paragraph or in ``before``, the paragraph above). ``row``: the task row the paragraph
    is (its lead, time cell, budget or partners answer outright)."""
    if not hasattr(hit, "paragraph_id"):
        hit = _Para(hit.id, hit.doc_id, hit.unit, hit.year, hit.kind, hit.text, hit.section)
    heading = _heading(hit.section)
    share = weights.share if weights is not None else (lambda text: _overlap(asked, text))
    best: tuple[float, Fact] | None = None
    if row is not None:  # a task row: its cells as stored, the lead read at indexing
        cell = {"who": row.responsible, "when": row.timeline, "money": row.budget}.get(kind, "")
        text = (row.lead or cell) if kind == "who" else cell
        if kind == "who" and "phoi hop" in fold(query).lower() and row.partners:
            cell = text = row.partners  # "cơ quan nào phối hợp với Bộ Xây dựng …": the partners
        if cell and _overlap(asked, row.task) >= MIN_OVERLAP:
            fact = Fact(kind, text, hit.doc_id, hit.paragraph_id, hit.unit, hit.year,
                        cell, "task row", _normalized(kind, cell, hit.year))  # fmt: skip
            best = (share(row.task) + 0.1, fact)  # a row states it outright
    labelled = _FIELD.get(kind)
    for unit, prior in _units(hit.text, before, kind):
        field = labelled.match(unit.strip()) if labelled is not None else None
        if field is not None:
            span = _field_span(kind, field.group("v"), query)
            own = f"{prior} {unit}"  # the work and the field that states its fact
        else:
            span, own = _span(kind, unit, query), unit
        scored = f"{heading} {own}"
        if not span or _overlap(asked, scored) < MIN_OVERLAP:
            continue
        score = share(scored)
        if score < MIN_OVERLAP:  # the rare words of the question are not there
            continue
        # the heading's words count half: every clause under it has them
        score = share(own) + HEADING_WEIGHT * (score - share(own))
        if best is None or score > best[0]:
            source = " ".join(unit.split())
            fact = Fact(kind, span, hit.doc_id, hit.paragraph_id, hit.unit, hit.year,
                        source, "sentence", _normalized(kind, span, hit.year))  # fmt: skip
            best = (score, fact)
    return best


@dataclass(slots=True)
class _Para:
    paragraph_id: str
    doc_id: str
    unit: str | None
    year: int | None
    kind: str
    text: str
    section: Sequence[str] | str = ()


def _task_rows(
    read: Sequence[Any], tasks_of: Callable[[str], Sequence[TaskRow]] | None
) -> dict[str, TaskRow]:
    """The task rows of the "task" paragraphs read, by paragraph id."""
    if tasks_of is None:
        return {}
    documents = {p.doc_id for p in read if p.kind == "task"}
    return {
        r.paragraph_id: r
        for doc_id in sorted(documents)
        for r in tasks_of(doc_id)
        if r.kind == "task" and r.paragraph_id
    }


def _without_references(text: str) -> str:
    """The question without the documents it cites ("… theo Nghị quyết 77/2025/NQ-HĐND"): a
    document's number tells which document answers, not which of its clauses."""
    for start, end in sorted(reference_spans(text), reverse=True):
        text = f"{text[:start]} {text[end:]}"
    return text


def _heading(section: Sequence[str] | str) -> str:
    """The heading a paragraph is read under (a list item's lead-in: "3. Ngoài định mức …,
    Nghệ sỹ nhân dân, Nghệ sỹ …" over "b) Mức 320.000 đồng/người/buổi áp dụng đối với Nghệ
    sỹ ưu tú."); a hit gives its path as "a › b", a catalog row as a list."""
    parts = section.split(" › ") if isinstance(section, str) else list(section)
    return parts[-1] if parts else ""


def answer(
    query: str,
    hits: Sequence[SearchHit],
    paragraphs_of: Callable[[str], Sequence[Any]] | None = None,
    kind: str | None = None,
    topic: str | None = None,
    places: frozenset[str] | None = None,
    tasks_of: Callable[[str], Sequence[TaskRow]] | None = None,
) -> Answer | None:
    """The answer to ``query`` read from its relevant ``hits`` (best first) — and, with
    ``paragraphs_of`` (the catalog's paragraphs of a document), from every paragraph of the
    ``READ_DOCUMENTS`` documents of the best hits: search finds the right plan more often than
    the line that answers. None when the query is not a who / when / how-much question.
    ``places``: the documents of the place the question names ("Thanh Hóa giao …"): the
    answer is read from them only (none: not found — another province's plan is no answer),
    and the few there are are read whole. ``tasks_of``: the catalog's task rows of a document
    (a "task" paragraph is then answered by its row's cells)."""
    kind = kind or question_kind(query)
    if kind is None:
        return None
    # the words the answer's clause should share: the topic's (the unit and place a query
    # names are in every sentence of their plan, so they tell no clause from another)
    asked = _words(_without_references(topic or query)) or _words(query)
    relevant = [h for h in hits[:READ_HITS] if h.level != "low"]
    if places is not None:
        relevant = [h for h in relevant if h.doc_id in places]
    read: list[Any] = list(relevant)
    if paragraphs_of is not None:
        named = sorted(places) if places is not None and len(places) <= READ_DOCUMENTS else []
        documents = list(dict.fromkeys([*(h.doc_id for h in relevant), *named]))
        documents = documents[:READ_DOCUMENTS]
        for doc_id in documents:
            read.extend(paragraphs_of(doc_id)[:MAX_PARAGRAPHS])
    weights = _Weights(asked, [h.text for h in read])
    found: dict[str, tuple[float, int, Fact]] = {}
    previous: dict[str, str] = {}  # the text above each paragraph read in document order
    for a, b in zip(read[len(relevant) :], read[len(relevant) + 1 :], strict=False):
        if a.doc_id == b.doc_id:
            previous[b.id] = a.text
    rows = _task_rows(read, tasks_of)
    for rank, hit in enumerate(read):
        pid = getattr(hit, "id", None) or hit.paragraph_id
        got = _from_hit(kind, hit, query, asked, weights, previous.get(pid, ""), rows.get(pid))
        if got is None:
            continue
        score, fact = got
        if rank < len(relevant):  # the retrievers chose it: their ranking counts too
            score += HIT_BONUS
        score += _quality(kind, fact)
        if fact.doc_id not in found or score > found[fact.doc_id][0]:
            found[fact.doc_id] = (score, rank, fact)
    order = {d: i for i, d in enumerate(dict.fromkeys(h.doc_id for h in relevant))}
    ordered = sorted(found.values(), key=lambda t: (order.get(t[2].doc_id, 99), -t[0], t[1]))
    return Answer(kind, [fact for _s, _r, fact in ordered[:PLANS_SHOWN]])
