"""Structure on the two real plans: metadata, sections, paragraphs, appendix rows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from indexer.cleaning import has_letter_spacing
from indexer.errors import UnreadableFileError
from indexer.parse import parse_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
P2025 = CORPUS / "2025-ban-quan-ly-kkt-kcn-khanh-hoa.txt"
P2026 = CORPUS / "2026-truong-cao-dang-y-te-khanh-hoa.txt"


@pytest.fixture(scope="module")
def d25():
    return parse_file(P2025, CORPUS)


@pytest.fixture(scope="module")
def d26():
    return parse_file(P2026, CORPUS)


def test_metadata_2025(d25):
    m = d25.meta
    assert (m.unit, m.province, m.year) == (
        "Ban Quản lý Khu kinh tế và Khu công nghiệp",
        "Khánh Hòa",
        2025,
    )
    assert m.kind == "Kế hoạch"
    assert m.title == "Tuyên truyền cải cách hành chính năm 2025"
    assert m.number == "/KH-KKTKCN"  # the plan leaves the number blank
    assert m.date == "2025-08"  # "ngày     /8/2025": the day is blank
    assert m.legal_bases == [
        "Thực hiện Quyết định số 683/QĐ-UBND ngày 12/8/2025 của UBND tỉnh về việc ban hành "
        "Kế hoạch tuyên truyền cải cách hành chính tỉnh Khánh Hòa năm 2025"
    ]
    assert m.signer == "Lê Hồng Phương"
    assert m.signer_title == "KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN"
    assert d25.doc_id == "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
    assert d25.path == "2025-ban-quan-ly-kkt-kcn-khanh-hoa.txt"
    assert len(d25.sha256) == 64


def test_metadata_2026(d26):
    m = d26.meta
    assert (m.unit, m.province, m.year) == ("Trường Cao đẳng Y tế Khánh Hòa", "Khánh Hòa", 2026)
    assert m.title == "Tuyên truyền cải cách hành chính năm 2026"
    assert (m.number, m.date) == ("/KH-CĐYT", "2026-02")
    assert len(m.legal_bases) == 2
    assert m.legal_bases[0].startswith("Căn cứ Quyết định số 383/QĐ-UBND ngày 30/01/2026")
    assert m.legal_bases[1].startswith("Căn cứ Quyết định số 74/QĐ-CĐYT ngày 12/02/2026")
    assert (m.signer, m.signer_title) == ("Trần Ngọc Thành", "HIỆU TRƯỞNG")


@pytest.mark.parametrize("name", ["d25", "d26"])
def test_no_noise_paragraphs(name, request):
    doc = request.getfixturevalue(name)
    for p in doc.paragraphs:
        assert not re.fullmatch(r"\d{1,3}", p.text), p
        assert not has_letter_spacing(p.text), p
        assert "STT Nhiệm vụ" not in p.text and "Phân công và cách thức" not in p.text, p
        assert "TT Nhiệm vụ, hoạt động" not in p.text, p
        assert not p.text.startswith("http"), p
        assert "UBND TỈNH KHÁNH HÒA" not in p.text and "Nơi nhận" not in p.text, p
        assert len(p.text) > 8 and "  " not in p.text, p
    ids = [p.id for p in doc.paragraphs]
    assert ids == [f"{doc.doc_id}:{i:04d}" for i in range(len(ids))]


def test_spaced_run_and_split_number_repaired(d25):
    texts = [p.text for p in d25.paragraphs]
    hit = [t for t in texts if "Cổng Thông tin điện tử Cải cách" in t]
    assert len(hit) == 1
    assert hit[0].startswith(
        "Nâng cao hiệu quả Cổng Thông tin điện tử Cải cách hành chính tỉnh Khánh Hòa"
    )
    assert hit[0].endswith("chuyên mục cải cách hành chính của Ban Quản lý.")
    assert any("Quyết định số 72-QĐ/TU ngày 16/7/2025" in t for t in texts)
    assert any("giai đoạn 2022-2027”" in p.text for p in d25.paragraphs if p.kind == "task")
    assert any("kinh tế - xã hội" in t for t in texts)
    # the stray link pasted between two bullets is gone; links inside sentences stay
    assert not any("thuvienphapluat" in t for t in texts)
    assert any("(https://tinhuykhanhhoa.vn/)" in t for t in texts)


def test_sections_and_kinds_2025(d25):
    by_text = {p.text[:40]: p for p in d25.paragraphs}
    item = next(p for p in d25.paragraphs if p.text.startswith("Tuyên truyền về tình hình, kết"))
    assert item.kind == "item"
    assert item.section[0] == "II. NỘI DUNG TUYÊN TRUYỀN"
    assert item.section[1].startswith("3. Các mục tiêu, nhiệm vụ")
    head = by_text["1. Mục tiêu"]
    assert head.kind == "heading" and head.section == ["I. MỤC TIÊU, YÊU CẦU", "1. Mục tiêu"]
    # a numbered point with its text is one item, under the roman section
    point = next(p for p in d25.paragraphs if p.text.startswith("5. Nghiên cứu tuyên truyền"))
    assert point.kind == "item" and point.section == ["III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN"]
    assert "Zalo Official Account" in point.text  # the whole point, not one line
    closing = next(p for p in d25.paragraphs if p.text.startswith("Trong quá trình tổ chức"))
    assert closing.kind == "text" and closing.text.endswith("để xử lý kịp thời./.")


def test_two_sections_numbered_V_are_both_kept(d26):
    romans = [p.text for p in d26.paragraphs if p.kind == "heading" and len(p.section) == 1]
    assert "V. GIẢI PHÁP TRỌNG TÂM" in romans and "V. TRÁCH NHIỆM TRIỂN KHAI" in romans
    p = next(p for p in d26.paragraphs if p.text.startswith("Tham mưu bố trí kinh phí"))
    assert p.section == ["V. TRÁCH NHIỆM TRIỂN KHAI", "3. Phòng Kế hoạch – Tài chính"]
    prose = next(p for p in d26.paragraphs if p.text.startswith("Chủ động cung cấp tin"))
    assert prose.section == ["III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN",
                             "3. Tuyên truyền qua các cơ quan thông tấn báo chí"]  # fmt: skip


def test_appendix_rows_2025(d25):
    rows = d25.tasks
    assert [r.number for r in rows] == list(range(1, 25))
    r1 = rows[0]
    assert r1.task == (
        "Tuyên truyền, phổ biến, quán triệt trọng tâm Kế hoạch CCHC, Kế hoạch tuyên truyền "
        "CCHC của tỉnh và Ban Quản lý năm 2025."
    )
    assert r1.products.startswith("- Văn bản triển khai; - Hội nghị, hội thảo")
    assert r1.timeline == "Thường xuyên (sau khi văn bản được ban hành)"
    assert r1.responsible.startswith("- Văn phòng chủ trì, đăng tải các văn bản CCHC")
    r8 = rows[7]  # task runs over the page break, after the row's other cells
    assert r8.task.endswith("trên Cổng tham vấn và tra cứu quy định kinh doanh.")
    assert r8.timeline == "Trong năm 2025"
    r10 = rows[9]
    assert r10.task == "Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
    assert r10.timeline == "Quý III-IV/2025"  # "Quý III-" / "IV/2025" on two lines
    assert r10.responsible.startswith("Văn phòng chủ trì, phối hợp các phòng")
    r13 = rows[12]  # timeline and responsible share a line after the page break
    assert r13.timeline == "Thường xuyên cập nhật quy định, hướng dẫn của Trung ương, của tỉnh"
    assert r13.task.endswith("sắp xếp tổ chức bộ máy của hệ thống chính trị.")
    assert r13.responsible.endswith("- Các phòng, đơn vị trực thuộc phối hợp thực hiện.")
    r24 = rows[23]
    assert r24.timeline == "Quý I/2026"
    assert r24.responsible.startswith("- Văn phòng: + Tham mưu cử công chức")


def test_appendix_rows_2026_column_order(d26):
    rows = d26.tasks
    assert [r.number for r in rows] == list(range(1, 23))
    r1 = rows[0]
    assert r1.task == "Tổ chức tổng kết công tác CCHC năm 2025, triển khai Kế hoạch CCHC năm 2026"
    assert r1.timeline == "Dự kiến Quý I/2026"
    assert (
        r1.responsible == "- Phòng Tổ chức – hành chính chủ trì. - Các đơn vị, đoàn thể phối hợp."
    )
    r3 = rows[2]  # the task's end comes after the other cells (page break)
    assert r3.task.endswith("lồng ghép nội dung tuyên truyền phù hợp trong công tác tuyên "
                            "truyền Đại hội Đảng các cấp")  # fmt: skip
    assert r3.timeline == "Thường xuyên cập nhật theo quy định, hướng dẫn của Trung ương"
    r7 = rows[6]  # task and first product on one line
    assert (r7.task, r7.products) == (
        "Đối thoại với học sinh, sinh viên",
        "- Hội nghị đối thoại. - Hồ sơ Hội nghị.",
    )
    assert r7.timeline == "Trong Quý II năm 2026"
    r15 = rows[14]  # the row number stands alone on its line
    assert r15.task.startswith("Truyền thông về Chính quyền điện tử")
    r20 = rows[19]
    assert r20.responsible == "Đoàn Thanh niên và Công đoàn cơ sở trường."
    assert r20.timeline == "Trong năm 2026 (Theo Kế hoạch tổ chức của tỉnh)"


def test_task_paragraphs(d25, d26):
    for doc, title in (
        (d25, "NỘI DUNG, HOẠT ĐỘNG TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH NĂM 2025"),
        (d26, "NHIỆM VỤ TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH NĂM 2026"),
    ):
        tasks = [p for p in doc.paragraphs if p.kind == "task"]
        assert len(tasks) == len(doc.tasks)
        assert all(p.section == ["PHỤ LỤC", title] for p in tasks)
    t10 = [p for p in d25.paragraphs if p.kind == "task"][9]
    assert t10.text == (
        "Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính — Sản phẩm: "
        "- Tham dự hội nghị, hội thảo do Văn phòng UBND tỉnh tổ chức; - Các thông tin, tài "
        "liệu được đăng tải trên Trang thông tin điện tử của Ban Quản lý. — Tiến độ: Quý "
        "III-IV/2025 — Thực hiện: Văn phòng chủ trì, phối hợp các phòng, đơn vị trực thuộc "
        "thực hiện."
    )


def test_sidecar_overrides_fields(tmp_path):
    plan = tmp_path / P2025.name
    shutil.copy(P2025, plan)
    side = tmp_path / "2025-ban-quan-ly-kkt-kcn-khanh-hoa.meta.json"
    side.write_text(
        json.dumps({"number": "12/KH-KKTKCN", "date": "2025-08-12", "year": "2025"}),
        encoding="utf-8",
    )
    doc = parse_file(plan, tmp_path)
    assert (doc.meta.number, doc.meta.date, doc.meta.year) == ("12/KH-KKTKCN", "2025-08-12", 2025)
    assert doc.meta.unit == "Ban Quản lý Khu kinh tế và Khu công nghiệp"  # untouched
    side.write_text(json.dumps({"unit_name": "x"}), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="unknown field"):
        parse_file(plan, tmp_path)
    side.write_text("{not json", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="invalid JSON"):
        parse_file(plan, tmp_path)
