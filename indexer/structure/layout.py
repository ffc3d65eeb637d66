"""Split a document's cleaned lines into its regions: header, title, opening, body,
signature block, what is attached after the signature (a regulation, a plan) and the appendix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning import Line
from indexer.structure.header import SYMBOL_KINDS, Header, read_header, strip_motto
from indexer.structure.markers import ROMAN, is_caps

_APPENDIX = re.compile(r"^PHỤ\s+LỤC\b")
_SIGNATURE_START = re.compile(r"^Nơi\s+nhận\b")
_TITLE_WORDS = re.compile(r"\b(TRƯỞNG|GIÁM ĐỐC|CHỦ TỊCH|PHÓ|BÍ THƯ|THỦ TRƯỞNG|CHÁNH|THỦ TƯỚNG)\b")
_SIGNED = re.compile(r"^\(?\s*(?:đã ký|Đã ký|ĐÃ KÝ)\s*\)?\s*")
_NAME = re.compile(r"^[A-ZĐÂĂÊÔƠƯ\u00c0-\u1ef9]\w*(?:\s+[A-ZĐÂĂÊÔƠƯ\u00c0-\u1ef9]\w*){1,4}$")
_RANK = re.compile(
    r"^(?:Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|TS\.|ThS\.)\s+"
)
SIGNATURE_MAX_LINES = 40


def is_signer_title(text: str) -> bool:
    """'KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN', 'HIỆU TRƯỞNG', 'TM. ỦY BAN NHÂN DÂN'…"""
    return is_caps(text) and (
        bool(_TITLE_WORDS.search(text)) or bool(re.match(r"^(KT|TM|TL|TUQ|Q|XÁC THỰC)\b\.?", text))
    )


def signer_name(text: str) -> str | None:
    """A personal name line ("Phạm Văn Thịnh", "( Đã ký) Lê Thành Long", "Đại tướng …")."""
    text = _RANK.sub("", _SIGNED.sub("", text.strip(" |*"))).strip()
    if _NAME.match(text) and not is_caps(text) and not text.startswith("Nơi"):
        return text
    return None


@dataclass(slots=True)
class Layout:
    header: list[Line] = field(default_factory=list)  # national header / unit header cells
    kind: str | None = None
    title: list[Line] = field(default_factory=list)  # title lines after the kind line
    opening: list[Line] = field(default_factory=list)  # "Căn cứ…" … up to the first heading
    body: list[Line] = field(default_factory=list)
    signature: list[Line] = field(default_factory=list)
    annex: list[Line] = field(default_factory=list)  # attached after the signature
    appendix: list[Line] = field(default_factory=list)
    head: Header = field(default_factory=Header)


def _signature_end(main: list[Line], sig: int) -> int:
    """The signature block runs from "Nơi nhận" to the signer's name (bounded)."""
    seen_title = False
    stop = min(len(main), sig + SIGNATURE_MAX_LINES)
    for k in range(sig, stop):
        text = main[k].text
        if is_signer_title(text):
            seen_title = True
        elif seen_title and signer_name(text):
            return k + 1
        elif seen_title and not is_caps(text) and not _SIGNED.match(text) and len(text) > 60:
            return k  # prose again: no name printed
    return stop if seen_title else len(main)


def split_layout(lines: list[Line]) -> Layout:
    out = Layout()
    app = next((i for i, ln in enumerate(lines) if _APPENDIX.match(ln.text) and i > 0), len(lines))
    main, out.appendix = lines[:app], lines[app:]
    head = read_header([ln.text for ln in main])
    out.head = head
    start = 0
    if head.kind_at is not None:
        out.header = main[: head.kind_at]
        out.kind = head.kind_word
        start = head.end
    elif head.number or head.issuer_lines:
        out.header = main[: head.end]
        out.kind = _kind_from_number(head)
        start = head.end
    out.title = [Line(text) for text in head.title_lines]
    sig = next((k for k in range(start, len(main)) if _SIGNATURE_START.match(main[k].text)), None)
    if sig is None:  # no recipients list: the signature is the trailing title + name
        tail = range(max(start, len(main) - 8), len(main))
        sig = next((k for k in tail if is_signer_title(main[k].text)), len(main))
    end = _signature_end(main, sig) if sig < len(main) else len(main)
    j = next((k for k in range(start, sig) if _BODY_START.match(main[k].text)), None)
    if j is None:  # no roman headings (decisions, letters): the opening is the bases
        j = start
        while j < sig and _is_opening(main[j].text):
            j += 1
    out.opening = _no_motto(main[start:j])
    out.body = _no_motto(main[j:sig])
    out.signature = main[sig:end]
    out.annex = _no_motto(_annex(main[end:]))
    out.appendix = out.appendix[:1] + _no_motto(out.appendix[1:])
    return out


def _no_motto(lines: list[Line]) -> list[Line]:
    """Cut the national motto out of lines further down (a letterhead repeated before an
    attached regulation or appendix); lines that held nothing else are dropped."""
    out: list[Line] = []
    for ln in lines:
        if ln.cells:
            out.append(ln)
            continue
        text = " ".join(ln.text.split())
        cut = strip_motto(text)
        if cut != text:
            cut = " ".join(p.strip() for p in cut.split("|") if p.strip(" -–"))
            if not cut:
                continue
            ln = Line(cut, ln.page_break, ln.indented)
        out.append(ln)
    return out


def _annex(lines: list[Line]) -> list[Line]:
    """What follows the signature, without a repeated letterhead (issuer and motto lines)."""
    kept = [ln for ln in lines if strip_motto(ln.text) == " ".join(ln.text.split())]
    if not any(len(ln.text) > 80 for ln in kept):
        return []  # only a letterhead or stray marks before the appendix
    return kept


def _kind_from_number(head: Header) -> str | None:
    if head.number:
        m = re.search(r"/(?:\d{4}/)?([A-ZĐa-zđ]+)[-/]", head.number)
        if m and m.group(1) in SYMBOL_KINDS:
            return SYMBOL_KINDS[m.group(1)]
    if head.title_lines and re.match(r"^(?:V/v|Về việc)\b", head.title_lines[0], re.I):
        return "Công văn"
    return None


_BODY_START = re.compile(
    ROMAN.pattern + r"|^(?:Điều\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s+[IVXLC\d]"
    r"|Phần\s+[IVXLC\d]|PHẦN\s+[IVXLC\d])"
)
_OPENING = re.compile(r"^(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Trên cơ sở|Xét|Kính gửi)\b")


def _is_opening(text: str) -> bool:
    return bool(_OPENING.match(text)) or (is_caps(text) and text.rstrip().endswith(":"))
