"""What the author hid is not indexed, and a document reads with its tracked changes accepted
(review 2026-12-06, N12; indexer/readers/docx.py, html.py, and RTF through legacy_word.py).

Hidden DOCX runs (``w:vanish``), RTF ``\\v`` and HTML ``display:none``/``hidden`` were indexed
and shown as the plan's text; a DOCX paragraph of a tracked deletion and a tracked insertion
disappeared entirely (python-docx skips the runs inside ``w:ins``). Each document is made
here, at test time, with the visible text around the hidden one checked to survive.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from indexer.readers import legacy_word, read_document
from indexer.readers.docx import read_docx
from indexer.readers.html import read_html

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HIDDEN = "CHU-AN-KHONG-DUOC-DOC"  # in every hidden or deleted piece


def run(text: str, props: str = "") -> str:
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def deleted(text: str) -> str:
    return f'<w:r><w:delText xml:space="preserve">{text}</w:delText></w:r>'


def docx_of(*paragraphs: str, styles: str = "", table: str = "") -> bytes:
    """A DOCX (python-docx's template) whose body is the given ``<w:p>`` contents, after
    ``styles`` are added to its styles part and before an optional ``<w:tbl>``."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    for inner in paragraphs:
        body.insert(len(body) - 1, parse_xml(f"<w:p {W}>{inner}</w:p>"))
    if table:
        body.insert(len(body) - 1, parse_xml(table))
    if styles:
        for style in parse_xml(f"<w:styles {W}>{styles}</w:styles>"):
            document.styles.element.append(style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def lines_of(data: bytes) -> list[str]:
    raw = read_docx(Path("ke-hoach.docx"), data)
    return [line for line in raw.text.splitlines() if line.strip()]


def test_docx_hidden_runs_are_left_out_and_the_text_around_them_kept():
    lines = lines_of(
        docx_of(
            run("Hiện rõ ") + run(f"{HIDDEN} ", "<w:vanish/>") + run("cuối câu."),
            run("Đoạn ") + run(HIDDEN, "<w:specVanish/>") + run("thứ hai."),
            run("Bỏ ẩn ") + run("vẫn hiện ", '<w:vanish w:val="0"/>') + run("ở đây."),
            run(HIDDEN, '<w:vanish w:val="true"/>'),
            run("Hết."),
        )
    )
    assert lines == ["Hiện rõ cuối câu.", "Đoạn thứ hai.", "Bỏ ẩn vẫn hiện ở đây.", "Hết."]


def test_docx_text_hidden_by_a_style_is_left_out():
    styles = (
        '<w:style w:type="character" w:styleId="ChuAn"><w:name w:val="Chu an"/>'
        "<w:rPr><w:vanish/></w:rPr></w:style>"
        '<w:style w:type="character" w:styleId="ChuAnKe"><w:name w:val="Chu an ke"/>'
        '<w:basedOn w:val="ChuAn"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="DoanAn"><w:name w:val="Doan an"/>'
        "<w:rPr><w:vanish/></w:rPr></w:style>"
    )
    lines = lines_of(
        docx_of(
            run("Một ") + run(f"{HIDDEN} ", '<w:rStyle w:val="ChuAn"/>') + run("hai."),
            run("Ba ") + run(f"{HIDDEN} ", '<w:rStyle w:val="ChuAnKe"/>') + run("bốn."),
            '<w:pPr><w:pStyle w:val="DoanAn"/></w:pPr>' + run(HIDDEN),
            '<w:pPr><w:pStyle w:val="DoanAn"/></w:pPr>'
            + run("Hiện dù đoạn ẩn.", '<w:vanish w:val="false"/>'),
            styles=styles,
        )
    )
    assert lines == ["Một hai.", "Ba bốn.", "Hiện dù đoạn ẩn."]


def test_docx_tracked_changes_read_as_accepted():
    lines = lines_of(
        docx_of(
            # the review's paragraph: a deletion and an insertion, nothing else (was lost)
            f'<w:del w:id="1" w:author="A">{deleted(HIDDEN)}</w:del>'
            f'<w:ins w:id="2" w:author="A">{run("Nội dung mới chèn vào.")}</w:ins>',
            run("Trước ")
            + f'<w:del w:id="3" w:author="A">{deleted(f"{HIDDEN} ")}</w:del>'
            + f'<w:ins w:id="4" w:author="A">{run("chữ mới ")}</w:ins>'
            + run("sau."),
            f'<w:moveFrom w:id="5" w:author="A">{run(HIDDEN)}</w:moveFrom>'
            f'<w:moveTo w:id="6" w:author="A">{run("Đoạn đã chuyển.")}</w:moveTo>',
            f'<w:ins w:id="7" w:author="A">{run(HIDDEN, "<w:vanish/>")}</w:ins>'
            + run("Chèn nhưng ẩn thì không đọc."),
            # a link, a content control and a smart tag are read in place
            run("Xem ")
            + f"<w:hyperlink>{run('liên kết')}</w:hyperlink>"
            + f"<w:sdt><w:sdtContent>{run(' và ô nhập')}</w:sdtContent></w:sdt>"
            + f'<w:smartTag w:element="place">{run(" Khánh Hòa")}</w:smartTag>'
            + run("."),
        )
    )
    assert lines == [
        "Nội dung mới chèn vào.",
        "Trước chữ mới sau.",
        "Đoạn đã chuyển.",
        "Chèn nhưng ẩn thì không đọc.",
        "Xem liên kết và ô nhập Khánh Hòa.",
    ]


def test_docx_table_cells_follow_the_same_rules_and_deleted_rows_go():
    def cell(inner: str) -> str:
        return f"<w:tc><w:p>{inner}</w:p></w:tc>"

    table = (
        f"<w:tbl {W}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        "<w:tr>"
        + cell(run("STT"))
        + cell(run("Nhiệm vụ"))
        + cell(run("Thời gian"))
        + "</w:tr><w:tr>"
        + cell(run("1"))
        + cell(
            run("Tuyên truyền ")
            + run(f"{HIDDEN} ", "<w:vanish/>")
            + f'<w:ins w:id="1" w:author="A">{run("cải cách")}</w:ins>'
            + f'<w:del w:id="2" w:author="A">{deleted(HIDDEN)}</w:del>'
        )
        + cell(run("Quý I"))
        + '</w:tr><w:tr><w:trPr><w:del w:id="3" w:author="A"/></w:trPr>'
        + cell(deleted("2"))
        + cell(deleted(HIDDEN))
        + cell(deleted("Quý II"))
        + "</w:tr></w:tbl>"
    )
    raw = read_docx(Path("bang.docx"), docx_of(run("Phụ lục"), table=table))
    assert raw.tables == [
        [["STT", "Nhiệm vụ", "Thời gian"], ["1", "Tuyên truyền cải cách", "Quý I"]]
    ]
    assert HIDDEN not in raw.text


def test_html_hidden_elements_are_left_out_and_the_text_around_them_kept():
    page = f"""<html><body><div class="noi-dung">
    <p>Đoạn một <span hidden>{HIDDEN}</span>còn hiện.</p>
    <p style="display:none">{HIDDEN}</p>
    <p>Đoạn hai <span style="color: red; DISPLAY : NONE !important">{HIDDEN}</span>vẫn đọc.</p>
    <div style="visibility:hidden"><p>{HIDDEN}</p></div>
    <template><p>{HIDDEN}</p></template>
    <p>Ô nhập: <textarea>{HIDDEN}</textarea>hết.</p>
    <object data="bieu-do.svg"><p>{HIDDEN}</p></object>
    <p style="display: block">Đoạn ba hiện rõ.</p>
    <p style="visibility: visible">Đoạn bốn hiện rõ.</p>
    </div></body></html>"""
    raw = read_html(Path("trang.html"), page.encode())
    assert HIDDEN not in raw.text
    assert raw.text.splitlines() == [
        "Đoạn một còn hiện.",
        "Đoạn hai vẫn đọc.",
        "Ô nhập: hết.",
        "Đoạn ba hiện rõ.",
        "Đoạn bốn hiện rõ.",
    ]


def test_html_hidden_text_does_not_choose_the_main_content():
    """A hidden block holding more text than the document is not taken for the document."""
    decoy = "".join(f"<p>{HIDDEN} đoạn giả số {i} rất dài rất dài.</p>" for i in range(50))
    page = (
        f'<html><body><div style="display:none">{decoy}</div>'
        '<div class="noi-dung"><p>Kế hoạch cải cách hành chính năm 2025.</p>'
        "<p>Nội dung thật của kế hoạch.</p></div></body></html>"
    )
    raw = read_html(Path("trang.html"), page.encode())
    assert raw.text.splitlines() == [
        "Kế hoạch cải cách hành chính năm 2025.",
        "Nội dung thật của kế hoạch.",
    ]


@pytest.mark.converters
@pytest.mark.slow
@pytest.mark.usefixtures("patient_converters")
@pytest.mark.skipif(legacy_word.soffice() is None, reason="LibreOffice is not installed")
def test_rtf_hidden_text_and_tracked_changes(tmp_path):
    """RTF ``\\v`` (direct or through a character style) arrives from LibreOffice as
    ``w:vanish``; ``\\deleted``/``\\revised`` as ``w:del``/``w:ins``."""
    path = tmp_path / "2025-an.rtf"
    path.write_text(
        r"{\rtf1\ansi{\fonttbl{\f0 Times;}}"
        r"{\stylesheet{\s0 Normal;}{\*\cs15\v Chu an;}}"
        r"{\*\revtbl{Unknown;}{Nguoi sua;}}"
        rf"\pard Hien ro {{\v {HIDDEN} }}cuoi cau.\par "
        rf"\pard Dong {{\cs15 {HIDDEN} }}ket thuc.\par "
        rf"\pard {{\v {HIDDEN}}}\par "
        rf"\pard Truoc {{\deleted\revauthdel1 {HIDDEN} }}{{\revised\revauth1 chu moi }}sau.\par "
        r"\pard Het.\par}",
        encoding="ascii",
    )
    raw = read_document(path)
    assert [line for line in raw.text.splitlines() if line.strip()] == [
        "Hien ro cuoi cau.",
        "Dong ket thuc.",
        "Truoc chu moi sau.",
        "Het.",
    ]
