"""Answers to who / when / how-much questions read from the plans (issue 30, item 2).

The questions and their answers are those of ``eval/questions_answers.json`` that the two
plans of ``corpus/`` answer (labelled by reading the plans), and one they do not answer; the
sentences of the unit tests are quoted from the plans and documents of the labelled set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from indexer.model import TaskRow
from service.live.holder import IndexHolder
from service.search.facts import (
    MIN_OVERLAP,
    Fact,
    _overlap,
    _quality,
    _units,
    _without_references,
    _words,
    answer,
)
from service.search.model import SearchFilters, SearchHit
from service.search.searcher import _first
from service.search.spans import amount_vnd, deadline, question_kind, recurring, span_of
from service.settings import Settings

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
# 09daab284f92e2dd (Bắc Ninh): who follows the plan up
BAC_NINH_FOLLOW_UP = (
    "6. Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan, đơn vị, địa phương triển khai thực hiện "
    "Kế hoạch này;"
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Cần Thơ giao cơ quan nào thành lập đoàn kiểm tra, đánh giá kết quả phong trào thi đua "
         "chi trả trợ giúp xã hội không dùng tiền mặt?", "who"),
        ("UBND tỉnh Bắc Ninh giao cơ quan nào chủ trì bố trí kinh phí thực hiện Kế hoạch nâng "
         "cao năng lực cán bộ, công chức xây dựng chính sách, pháp luật giai đoạn 2026-2030?",
         "who"),  # "kinh phí" is the topic; "cơ quan nào" is the question
        ("Hạn gửi hồ sơ đề nghị Bằng khen trong phong trào thi đua bầu cử của tỉnh Đắk Lắk là "
         "khi nào?", "when"),
        ("Mức chuẩn trợ giúp xã hội của thành phố Hà Nội là bao nhiêu?", "money"),
        ("Ban Chỉ đạo nhà nước về du lịch họp định kỳ mấy tháng một lần", "frequency"),
        ("Hà Tĩnh phấn đấu đến năm 2035 bao nhiêu phần trăm phường xây dựng và triển khai mô "
         "hình giáo dục mầm non phù hợp?", "target"),
        ("Nghệ An: khi triển khai Đợt thi đua chào mừng Đại hội XIV của Đảng có vướng mắc thì "
         "gửi phản ánh về đâu?", "who"),
        ("Trường Cao đẳng Y tế Khánh Hòa giao ai thực hiện Cuộc thi “Mô hình, sáng kiến cải "
         "cách hành chính của công chức, viên chức trẻ” lần thứ 7 năm 2026?", "who"),
        # questions of eval/questions_heldout.json, with words between the question's parts
        ("Theo Quy chế hoạt động của Ban Chỉ đạo Nhà nước về Du lịch, bộ nào có trách nhiệm "
         "theo dõi, kiểm tra, đôn đốc việc thực hiện Quy chế?", "who"),
        ("Theo quy định quản lý chất thải rắn sinh hoạt tỉnh Hà Tĩnh, UBND cấp xã gửi báo cáo "
         "đánh giá kết quả thực hiện trong năm về đâu?", "who"),
        ("Theo Nghị định 16/2025/NĐ-CP, phụ cấp hằng tháng của Thôn đội trưởng do HĐND cấp tỉnh "
         "quyết định nhưng không được thấp hơn bao nhiêu?", "money"),  # not how often
        ("Theo quy chế thư điện tử công vụ tỉnh Ninh Bình, dung lượng cấp cho mỗi hộp thư điện "
         "tử tối thiểu là bao nhiêu?", "target"),
        ("Văn thư các sở, ngành, xã, phường ở Ninh Bình phải kiểm tra hộp thư điện tử công vụ "
         "của cơ quan ít nhất mấy lần mỗi ngày?", "frequency"),
        ("ứng dụng trí tuệ nhân tạo", None),
        ("kế hoạch tuyên truyền cải cách hành chính năm 2026", None),
    ],
)  # fmt: skip
def test_what_a_question_asks(question, kind):
    assert question_kind(question) == kind


def test_amounts_in_dong():
    assert amount_vnd("3.515 tỷ đồng") == 3_515_000_000_000
    assert amount_vnd("650.000 đồng/tháng") == 650_000
    assert amount_vnd("10.367,700 tỷ đồng") == 10_367_700_000_000  # the comma is the decimal
    assert amount_vnd("300 triệu đồng") == 300_000_000
    assert amount_vnd("0,8 lần quỹ lương cơ bản") is None  # no amount in đồng


def test_a_cited_documents_date_is_not_a_deadline():
    # the 2026 plan's basis: its date is the decision's, not a time to do anything by
    basis = (
        "Căn cứ Quyết định số 74/QĐ-CĐYT ngày 12/02/2026 của Trường Cao đẳng Y tế Khánh Hòa về "
        "việc ban hành kế hoạch cải cách hành chính năm 2026"
    )
    assert deadline(basis) is None  # the date, and the year of the decision's title, are its own
    assert deadline("Tiến độ: Trước ngày 15/02/2026") == "Trước ngày 15/02/2026"
    # 1fa949f85858c62f: the decision's own entry into force is not a cited document's date
    in_force = "Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 12 năm 2025."
    assert deadline(in_force) == "kể từ ngày 01 tháng 12 năm 2025"
    # 99c7d8fff9e4572e (Nghệ An): a law's name holds a comma before its date
    law = "Luật Thi đua, khen thưởng ngày 15/6/2022 và các văn bản hướng dẫn thi hành"
    assert deadline(law) is None
    # a comma after a cited document ends its name: the deadline after it is the plan's
    due = "Theo Kế hoạch số 10/KH-UBND, trước ngày 15/11/2025 các sở gửi báo cáo"
    assert deadline(due) == "trước ngày 15/11/2025"


def test_how_often_prefers_a_span_with_its_day():
    # 09daab284f92e2dd (Bắc Ninh): the vague "Định kỳ báo cáo …" is not the answer
    bac_ninh = (
        "Định kỳ báo cáo UBND tỉnh (qua Sở Tư pháp) kết quả thực hiện Kế hoạch hằng năm (trước "
        "ngày 15 tháng 11) hoặc theo đề nghị để tổng hợp, báo cáo theo quy định."
    )
    assert recurring(bac_ninh) == "hằng năm (trước ngày 15 tháng 11)"
    # f1e0981425ec38be (Sơn La): the monthly report with its day, not "Định kỳ hàng tháng" alone
    son_la = (
        "Định kỳ hàng tháng (trước ngày 16 hàng tháng), 6 tháng (trước ngày 16/6), tổng kết năm "
        "(trước ngày 20/11 hàng năm) hoặc khi có yêu cầu báo cáo tình hình thực hiện Kế hoạch"
    )
    assert recurring(son_la) == "Định kỳ hàng tháng (trước ngày 16 hàng tháng)"
    # 62f25a030c183151 (Đắk Lắk): "vào lúc nào" is answered by a time that comes back
    dak_lak = "tổng hợp nhu cầu từ cơ sở, báo cáo UBND tỉnh trước 19h00’ hằng ngày"
    assert span_of("when", dak_lak, "báo cáo UBND tỉnh vào lúc nào") == "trước 19h00’ hằng ngày"


def test_a_target_is_read_where_the_plan_aims_not_where_it_reports():
    # 98be6e047028fade (Phú Thọ): the result so far and the target, both in one document
    result = (
        "Giải ngân vốn đầu tư công tính đến hết ngày 31 tháng 10 năm 2025 đạt 72,4% kế hoạch "
        "Thủ tướng Chính phủ giao (số liệu theo báo cáo của Bộ Tài chính), cao hơn so với bình "
        "quân chung của cả nước (54,4%)."
    )
    aim = (
        "đẩy mạnh giải ngân vốn đầu tư công (phấn đấu giải ngân đạt 100% kế hoạch vốn đầu tư "
        "công năm 2025)."
    )

    def fact(text, source):
        return Fact("target", text, "d", "d:0000", None, None, source, "sentence")

    assert _quality("target", fact("đạt 100%", aim)) > _quality("target", fact("đạt 72,4%", result))
    # "thường xuyên" answers "khi nào" least: a dated span of the same clause score wins
    assert _quality("when", fact("Từ tháng 10/2025", "")) > _quality(
        "when", fact("thường xuyên", "")
    )


@dataclass
class _Row:  # a paragraph as the catalog gives it (the fields ``answer`` reads)
    id: str
    doc_id: str
    kind: str
    text: str
    unit: str | None = None
    year: int | None = None
    section: tuple[str, ...] = ()


def _read(question: str, texts: list[str], kind: str) -> list[tuple[str, str]]:
    """``answer`` over the paragraphs of one document, read whole (no search hit)."""
    rows = [_Row(f"d:{i:04d}", "d", "text", t) for i, t in enumerate(texts)]
    hit = SearchHit(0, rows[0].id, "d", None, None, None, "", "text", texts[0], 1.0, "")
    found = answer(question, [hit], lambda _doc: rows, kind=kind)
    return [(f.text, f.paragraph_id) for f in found.facts] if found else []


def test_a_clause_is_read_under_its_documents_title():
    # 2957e4f4f0e41373 (Đắk Lắk): the question names the plan by its title (the election's
    # emulation drive) and the clause by the rest (the dossier sent where)
    title = (
        "PHÁT ĐỘNG PHONG TRÀO THI ĐUA THỰC HIỆN THÀNH CÔNG CUỘC BẦU CỬ ĐẠI BIỂU QUỐC HỘI KHÓA "
        "XVI VÀ ĐẠI BIỂU HĐND CÁC CẤP NHIỆM KỲ 2026 - 2031"
    )
    texts = [
        f"KẾ HOẠCH {title}",
        "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh: "
        "Vận động đoàn viên, hội viên tích cực hưởng ứng phong trào thi đua.",
        "2. Thời gian trình khen thưởng: Hồ sơ trình, đề nghị Thủ tướng Chính phủ, Chủ tịch "
        "UBND tỉnh xem xét tặng Bằng khen cho các tập thể, cá nhân gửi về Sở Nội vụ (qua Phòng "
        "Xây dựng chính quyền) trước ngày 31/3/2026 để tổng hợp, thẩm định.",
    ]
    rows = [_Row(f"d:{i:04d}", "d", "text", t) for i, t in enumerate(texts)]
    hit = SearchHit(0, rows[0].id, "d", None, None, None, "", "text", texts[0], 1.0, "")
    q = (
        "Hồ sơ đề nghị khen thưởng trong phong trào thi đua bầu cử đại biểu Quốc hội khóa XVI "
        "và HĐND các cấp nhiệm kỳ 2026-2031 gửi về cơ quan nào?"
    )

    def who(title_of):
        found = answer(q, [hit], lambda _doc: rows, kind="who", title_of=title_of)
        return [f.text for f in found.facts] if found else []

    assert who(lambda _doc: title) == ["Sở Nội vụ (qua Phòng Xây dựng chính quyền)"]
    assert who(None) != ["Sở Nội vụ (qua Phòng Xây dựng chính quyền)"]


def test_across_plans_the_best_stated_answer_comes_first():
    # a328fbb46798c2b5 (Công điện 217/CĐ-TTg) states who follows the dispatch up; the first
    # hit (09daab284f92e2dd, Bắc Ninh) says the same of its own plan, with fewer of the words
    stated = [
        _Row(
            "cd:0000",
            "cd",
            "text",
            "9. Văn phòng Chính phủ theo dõi, đôn đốc thực "
            "hiện nghiêm túc Công điện theo chức năng, nhiệm vụ được giao.",
        ),
        _Row("cd:0001", "cd", "text", "2. Bộ Nông nghiệp và Môi trường:"),
    ]
    other = [
        _Row(
            "bn:0000",
            "bn",
            "text",
            BAC_NINH_FOLLOW_UP,
        ),
        _Row("bn:0001", "bn", "text", "II. MỤC TIÊU CHỦ YẾU"),
    ]
    rows = {"cd": stated, "bn": other}
    hits = [
        SearchHit(0, "bn:0000", "bn", None, None, None, "", "text", other[0].text, 1.0, ""),
        SearchHit(1, "cd:0000", "cd", None, None, None, "", "text", stated[0].text, 0.9, ""),
    ]  # fmt: skip
    q = "cơ quan nào theo dõi, đôn đốc thực hiện nghiêm túc Công điện?"
    found = answer(q, hits, lambda doc: rows[doc], kind="who")
    assert found is not None
    assert [(f.text, f.doc_id) for f in found.facts] == [
        ("Văn phòng Chính phủ", "cd"),
        ("Sở Tư pháp", "bn"),
    ]


def test_a_labelled_field_answers_for_the_work_before_it():
    # 4e39af96b6891368 (Quảng Ngãi, tổng kiểm kê tài sản công), paragraphs 0072–0075 and 0046
    texts = [
        "Thành lập Tổ kiểm kê do Thủ trưởng đối tượng thực hiện kiểm kê quyết định cụ thể căn "
        "cứ vào tính chất, đặc điểm, quy mô và thực tế quản lý tài sản.",
        "Thời hạn hoàn thành: Trước ngày 30/11/2025.",
        "Chuẩn bị các điều kiện cần thiết về hồ sơ, thông tin tài sản, việc theo dõi, hạch toán "
        "tài sản tại cơ quan, tổ chức, đơn vị, doanh nghiệp theo quy định.",
        "Thời hạn hoàn thành: Trước ngày 31/12/2025.",
        "Tổng hợp kết quả kiểm kê, báo cáo kết quả kiểm kê gửi Bộ Tài chính. Thời gian hoàn "
        "thành: Trước ngày 31/5/2026.",
    ]
    q = "thời hạn thành lập Tổ kiểm kê tại các đối tượng thực hiện kiểm kê là khi nào"
    assert _read(q, texts, "when")[0] == ("Trước ngày 30/11/2025", "d:0001")
    q = "gửi báo cáo kết quả kiểm kê cho Bộ Tài chính trước ngày nào"
    assert _read(q, texts, "when")[0] == ("Trước ngày 31/5/2026", "d:0004")


@pytest.mark.parametrize(
    ("sentence", "body"),
    [
        # 09daab284f92e2dd (Bắc Ninh): the verb that gives the work opens the sentence
        (BAC_NINH_FOLLOW_UP, "Sở Tư pháp"),
        # 5d99697f14bcf68a (Cần Thơ): the body opens its clause and does the work
        ("Sở Nông nghiệp và Môi trường tổng hợp chung các mẫu biểu theo quy định tại Thông tư "
         "số 10/2022/TT-BLĐTBXH;", "Sở Nông nghiệp và Môi trường"),
        # 4e39af96b6891368 (Quảng Ngãi): a body and its role after a dash
        ("1.2. Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo", "Sở Tài chính"),
        # 99c7d8fff9e4572e (Nghệ An): sent to a body, with the part of it in brackets
        ("Trong quá trình triển khai thực hiện, nếu có vướng mắc, đề nghị gửi phản ánh về Sở "
         "Nội vụ (Phòng Thi đua - Khen thưởng) để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem "
         "xét, quyết định./.", "Sở Nội vụ (Phòng Thi đua - Khen thưởng)"),
        # 62f25a030c183151 (Đắk Lắk): through a contact point, two bodies
        ("14. Doanh nghiệp, cộng đồng, tổ chức, cá nhân: Quan tâm, đăng ký hỗ trợ nhu yếu phẩm "
         "cho nhân dân bị ảnh hưởng mưa lũ trên địa bàn tỉnh thông qua đầu mối Ủy ban MTTQ Việt "
         "Nam tỉnh hoặc Sở Công Thương để bảo đảm phân bổ tập trung, đúng địa bàn",
         "Ủy ban MTTQ Việt Nam tỉnh hoặc Sở Công Thương"),
        # 1fa949f85858c62f (Đồng Tháp): a notice sent to a body
        ("a) Trước thời điểm dừng bán hàng, doanh nghiệp gửi thông báo bằng văn bản đến Sở Công "
         "Thương về việc dừng bán hàng tại cửa hàng bán lẻ xăng dầu", "Sở Công Thương"),
        # ceb89a53c7b93f00 (Nghệ An): reported through a body
        ("Trong quá trình thực hiện nếu phát sinh vướng mắc, báo cáo kịp thời UBND tỉnh (qua "
         "Ban Quản lý Khu kinh tế Đông Nam) để xử lý theo thẩm quyền./.",
         "Ban Quản lý Khu kinh tế Đông Nam"),
        # 322358d6040a153b (Ban Chỉ đạo Nhà nước về Du lịch): an article's title names the
        # body, whose name holds a comma
        ("Điều 20. Bộ Văn hóa, Thể thao và Du lịch chịu trách nhiệm theo dõi, kiểm tra, đôn "
         "đốc thực hiện Quy chế này.", "Bộ Văn hóa, Thể thao và Du lịch"),
        # 5b1b037dfe0263af (Nghệ An): the body after the clause that sets the time
        ("Sau khi nhận đủ hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh, Sở Tư pháp có "
         "trách nhiệm thẩm định hồ sơ.", "Sở Tư pháp"),
    ],
)  # fmt: skip
def test_who_is_read_where_the_sentence_names_it(sentence, body):
    units = [u for u, _ in _units(sentence, "", "who")]
    assert body in {span_of("who", u, "cơ quan nào") for u in units}


def test_a_list_item_is_read_under_its_heading():
    # b50a2c837e9adc09 (Hà Nội, hỗ trợ nghệ thuật biểu diễn), appendix II, points 2 and 3: the
    # items name the amount and who; what it is for is in the point above them
    point3 = (
        "3. Ngoài định mức được hưởng theo các nhóm đối tượng nêu trên, Nghệ sỹ nhân dân, Nghệ sỹ…"
    )
    rows = [
        _Row("d:0050", "d", "item", "a) Mức 400.000 đồng/người/buổi áp dụng đối với Nghệ sỹ "
             "nhân dân.", section=("PHỤ LỤC", "II. MỨC HỖ TRỢ", point3)),
        _Row("d:0051", "d", "item", "b) Mức 320.000 đồng/người/buổi áp dụng đối với Nghệ sỹ "
             "ưu tú.", section=("PHỤ LỤC", "II. MỨC HỖ TRỢ", point3)),
    ]  # fmt: skip
    hit = SearchHit(0, "d:0050", "d", None, None, None, "", "item", rows[0].text, 1.0, "")
    q = "Nghệ sỹ ưu tú được hỗ trợ thêm bao nhiêu tiền mỗi buổi ngoài định mức được hưởng"

    def facts():
        found = answer(q, [hit], lambda _doc: rows, kind="money")
        return [(f.text, f.paragraph_id) for f in found.facts] if found else None

    assert facts() == [("320.000 đồng/người/buổi", "d:0051")]
    for row in rows:
        row.section = ()
    assert facts() == []  # the item alone holds too few of the question's words


def test_who_works_with_the_lead_is_the_rows_partners():
    # ec00bd6f58be7864 (Quyết định 2597/QĐ-TTg), a row of its task table: the paragraph as
    # indexed and the row as the catalog stores it
    task = (
        "Kết nối, chia sẻ dữ liệu kết cấu hạ tầng với các hệ thống, cơ sở dữ liệu đất đai, quy "
        "hoạch, cấp phép xây dựng, giao thông thông minh... để hỗ trợ ra quyết định và đồng bộ "
        "dữ liệu"
    )
    stored = TaskRow(
        5, task, "Kết nối, chia sẻ dữ liệu kết cấu hạ tầng với các hệ thống liên quan", "2026",
        "Bộ Xây dựng", partners="Bộ Nông nghiệp và Môi trường, các địa phương",
        lead="Bộ Xây dựng", paragraph_id="d:0113",
    )  # fmt: skip
    text = (
        f"{task} — Sản phẩm: {stored.products} — Tiến độ: 2026 — Thực hiện: Bộ Xây dựng — "
        f"Phối hợp: {stored.partners}"
    )
    row = _Row("d:0113", "d", "task", text)
    hit = SearchHit(0, row.id, "d", None, None, None, "", "task", text, 1.0, "")

    def who(q, rows=(stored,)):
        found = answer(q, [hit], lambda _doc: [row], kind="who", tasks_of=lambda _doc: rows)
        return [(f.text, f.where) for f in found.facts] if found else None

    asked = "kết nối, chia sẻ dữ liệu kết cấu hạ tầng với cơ sở dữ liệu đất đai, cấp phép xây dựng"
    assert who(f"cơ quan nào chủ trì {asked}") == [("Bộ Xây dựng", "task row")]
    assert who(f"cơ quan nào phối hợp với Bộ Xây dựng {asked}") == [
        ("Bộ Nông nghiệp và Môi trường, các địa phương", "task row")
    ]
    assert who(f"cơ quan nào chủ trì {asked}", rows=()) != [("Bộ Xây dựng", "task row")]


def test_an_answer_comes_only_from_the_place_the_question_names():
    # 09daab284f92e2dd (Bắc Ninh) states who follows the plan; a document of another place
    # that says the same of itself is no answer to a question about a third place
    here = [
        _Row(
            "bn:0000",
            "bn",
            "text",
            BAC_NINH_FOLLOW_UP,
        )
    ]
    there = [
        _Row(
            "x:0000",
            "x",
            "text",
            "Giao Sở Nội vụ theo dõi, đôn đốc các cơ quan, đơn "
            "vị, địa phương triển khai thực hiện Kế hoạch này;",
        )
    ]
    rows = {"bn": here, "x": there}
    hit = SearchHit(0, "x:0000", "x", None, None, None, "", "text", there[0].text, 1.0, "")
    q = "giao cơ quan nào theo dõi, đôn đốc thực hiện kế hoạch"

    def facts(places):
        found = answer(q, [hit], lambda doc: rows[doc], kind="who", places=places)
        return [(f.text, f.doc_id) for f in found.facts] if found else None

    assert facts(None) == [("Sở Nội vụ", "x")]  # no place named: the best hit's plan
    assert facts(frozenset({"bn"})) == [("Sở Tư pháp", "bn")]  # the named place's plan, read
    assert facts(frozenset()) == []  # a place with no plan in the index: not found


def test_a_cited_documents_number_does_not_pick_the_clause():
    # 99ab397713e2ce12 (Hà Nội, Nghị quyết 77/2025/NQ-HĐND), appendix II, point 1: it does not
    # repeat the resolution's number; the question names it only to pick the document
    point = (
        "1. Mức 1, không quá 40.000.000 đồng/tháng áp dụng đối với chuyên gia tư vấn thuộc một "
        "trong các trường hợp sau đây:"
    )
    q = (
        "Mức chi tối đa theo tháng cho chuyên gia tư vấn chuyển đổi số Mức 1 theo Nghị quyết "
        "77/2025/NQ-HĐND là bao nhiêu?"
    )
    kept = _without_references(q)
    assert "77/2025" not in kept and "chuyên gia tư vấn" in kept
    assert _overlap(_words(q), point) < MIN_OVERLAP <= _overlap(_words(kept), point)


def test_the_issuer_of_the_plan_is_no_body_given_work():
    # f069c23c942c1ec6 (Đồng Nai): "ban hành" ends the issuer's name; no verb of work follows
    opening = (
        "Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai thực hiện Chương trình mục tiêu "
        "quốc gia phòng, chống ma túy đến năm 2030"
    )
    assert span_of("who", opening, "cơ quan nào") is None


@pytest.mark.parametrize(
    "clause",
    [
        # db769f685bf6bb23 (Thái Nguyên): "Ban hành" issues, it is no "Ban …"
        "Ban hành kèm theo Quyết định này Quy chế phối hợp trong công tác quản lý nhà nước về "
        "tín ngưỡng, tôn giáo trên địa bàn tỉnh Thái Nguyên.",
        "Tổ chức Hội nghị sơ kết công tác cải cách hành chính 6 tháng đầu năm.",
        "Trường hợp thay đổi thời gian sẽ có thông báo tới các cơ quan, đơn vị.",
        "Hội nghị tổng kết thực hiện công tác phòng, chống tham nhũng.",
    ],
)
def test_a_word_that_starts_like_a_body_but_is_none_is_no_answer(clause):
    assert span_of("who", clause, "cơ quan nào") is None


def test_how_long_is_read_as_a_duration():
    # 5b1b037dfe0263af (Nghệ An): a procedure's time limit
    clause = (
        "a) Trường hợp đủ điều kiện thì quyết định hỗ trợ kinh phí cho doanh nghiệp và giải "
        "quyết kinh phí trong 07 ngày làm việc."
    )
    assert question_kind("giải quyết kinh phí trong thời hạn bao lâu?") == "when"
    assert question_kind("giải quyết hồ sơ trong mấy ngày làm việc?") == "when"
    assert span_of("when", clause, "giải quyết kinh phí trong thời hạn bao lâu?") == (
        "trong 07 ngày làm việc"
    )
    assert span_of("when", clause, "giải quyết kinh phí khi nào?") is None  # no date in it


def test_who_works_with_the_body_is_read_after_phoi_hop_voi():
    # abca9704d4c889cd (Đà Nẵng): the question asks the partner, not the body given the work
    clause = (
        "giao Ủy ban nhân dân thành phố Đà Nẵng phối hợp với Bộ Nội vụ tổng hợp, đánh giá việc "
        "phân cấp, phân quyền trong các ngành, lĩnh vực"
    )
    partner = "Đà Nẵng phối hợp với bộ nào để tổng hợp, đánh giá việc phân cấp, phân quyền?"
    assert span_of("who", clause, partner) == "Bộ Nội vụ"
    assert span_of("who", clause, "cơ quan nào tổng hợp, đánh giá việc phân cấp?") == (
        "Ủy ban nhân dân thành phố Đà Nẵng"
    )


def test_a_dash_inside_a_bodys_name_does_not_split_the_clause():
    # af2a4fc9b3a7aeeb (Hà Nội): the council's name holds a dash; the figure is in its clause
    text = (
        "5. Đối với cá nhân được đề nghị khen thưởng danh hiệu “Công dân Thủ đô ưu tú”, phải có "
        "tỷ lệ phiếu đồng ý của Hội đồng Thi đua - Khen thưởng thành phố Hà Nội từ 90% trở lên "
        "tính trên tổng số thành viên của Hội đồng."
    )
    units = [u for u, _ in _units(text, "", "target")]
    assert any("Hội đồng Thi đua - Khen thưởng thành phố Hà Nội từ 90%" in u for u in units)
    # a body and its role after a dash stay two clauses ("Sở Tài chính - Cơ quan thường trực")
    units = [
        u for u, _ in _units("1.2. Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo", "", "when")
    ]
    assert "Cơ quan thường trực Ban Chỉ đạo" in units


def test_how_many_of_a_thing_is_a_figure_that_counts_it():
    # ceb89a53c7b93f00 (Nghệ An): "bao nhiêu trạm" is a count of stations, not a share
    q = "Nghệ An đầu tư mới bao nhiêu trạm 5G tại các khu công nghiệp giai đoạn 2026-2030?"
    count = "Đầu tư mới trạm 5G: 35 trạm (Trong đó: MobiFone: 09 trạm, Viettel: 26 trạm);"
    share = "2030, Đảm bảo xây dựng trạm BTS 5G đạt 100% và triển khai một số ứng dụng IoT"
    assert span_of("target", count, q) == "35 trạm"
    assert span_of("target", share, q) is None
    # asked a rate, the percentage
    rate = "Đồng Nai yêu cầu đạt tỷ lệ bao nhiêu thủ tục hành chính được đánh giá?"
    assert span_of("target", "bảo đảm đạt tỷ lệ 100% thủ tục hành chính", rate) == "100%"


def test_how_often_asked_as_an_interval_prefers_that_form():
    # 322358d6040a153b (Ban Chỉ đạo Nhà nước về Du lịch): "bao lâu một lần" is "06 tháng một lần"
    q = "Ban Chỉ đạo họp định kỳ bao lâu một lần?"

    def fact(text):
        return Fact("frequency", text, "d", "d:0000", None, None, text, "sentence")

    assert _quality("frequency", fact("06 tháng một lần"), q) > _quality(
        "frequency", fact("Định kỳ trước ngày 31 tháng 12 hằng năm"), q
    )


def test_a_date_of_the_following_year_keeps_its_year():
    # ac0f18a2d1b4fb56 (Hà Tĩnh)
    clause = "báo cáo Ủy ban nhân dân tỉnh trước ngày 31 tháng 01 của năm tiếp theo."
    assert deadline(clause) == "trước ngày 31 tháng 01 của năm tiếp theo"


def test_two_bodies_are_not_one_name():
    assert span_of("who", "Giao Sở Y tế, Sở Tài chính thực hiện.", "cơ quan nào") == "Sở Y tế"


# -- on the index of the two plans -----------------------------------------------------------
@pytest.fixture(scope="module")
def searcher(index_dir):
    holder = IndexHolder(Settings(index_dir=index_dir)).open()
    yield holder.snapshot.searcher
    holder.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "doc", "text", "normalized"),
    [
        ("Trường Cao đẳng Y tế Khánh Hòa phải ban hành Kế hoạch tuyên truyền CCHC năm 2026 "
         "trước ngày nào?", YTE, "Trước ngày 15/02/2026", {"end": "2026-02-15"}),
        ("Trường Cao đẳng Y tế Khánh Hòa tổ chức đối thoại với học sinh, sinh viên vào thời "
         "gian nào trong năm 2026?", YTE, "Trong Quý II năm 2026",
         {"start": "2026-04-01", "end": "2026-06-30"}),
        ("Trường Cao đẳng Y tế Khánh Hòa đặt mục tiêu mức độ hài lòng của người học năm 2026 "
         "đạt bao nhiêu?", YTE, "trên 86%", {}),
    ],
)  # fmt: skip
def test_the_answer_is_read_with_its_paragraph(searcher, question, doc, text, normalized):
    result = searcher.search(question, 10)
    assert result.answer is not None and result.answer.found
    fact = result.answer.facts[0]
    assert (fact.doc_id, fact.text) == (doc, text)
    assert {k: fact.normalized[k] for k in normalized} == normalized
    assert text in fact.source  # the sentence or cell it was read from
    assert any(
        p.id == fact.paragraph_id and text in p.text for p in searcher.reader.paragraphs(doc)
    )


@pytest.mark.slow
@pytest.mark.parametrize("k", [10, 1])
def test_the_answers_paragraph_is_the_first_hit(searcher, k):
    # search ranks the deadline's line sixth among ten; with one hit asked it is not among
    # them at all and is read from the catalog, rated like any hit
    question = (
        "Trường Cao đẳng Y tế Khánh Hòa phải ban hành Kế hoạch tuyên truyền CCHC năm 2026 "
        "trước ngày nào?"
    )
    result = searcher.search(question, k)
    fact = result.answer.facts[0]
    assert result.hits[0].paragraph_id == fact.paragraph_id
    assert result.hits[0].level in ("high", "medium", "low") and result.hits[0].relevance
    assert len(result.hits) == result.total <= k
    assert len({h.paragraph_id for h in result.hits}) == len(result.hits)
    plain = searcher.search("kế hoạch tuyên truyền CCHC năm 2026", k)  # no question: as ranked
    assert plain.answer is None


@pytest.mark.slow
def test_the_answers_paragraph_stays_within_the_filters(searcher):
    # the deadline is a row of the appendix; a search narrowed to section I never shows it
    question = (
        "Trường Cao đẳng Y tế Khánh Hòa phải ban hành Kế hoạch tuyên truyền CCHC năm 2026 "
        "trước ngày nào?"
    )
    result = searcher.search(question, 10, filters=SearchFilters(section="I. MỤC TIÊU"))
    assert result.hits and all("I. MỤC TIÊU" in h.section for h in result.hits)


def test_the_answers_hit_leads_and_keeps_k():
    def hit(pid, doc):
        return SearchHit(0, pid, doc, None, None, None, "", "text", pid, 1.0, "")

    hits = [hit("a:1", "a"), hit("b:1", "b"), hit("a:2", "a")]
    source = hit("c:9", "c")
    assert [h.paragraph_id for h in _first(source, hits, 3, False)] == ["c:9", "a:1", "b:1"]
    assert [h.paragraph_id for h in _first(hits[2], hits, 3, False)] == ["a:2", "a:1", "b:1"]
    # one hit per document: the source replaces its document's hit
    assert [h.paragraph_id for h in _first(hits[2], hits[:2], 3, True)] == ["a:2", "b:1"]
    assert _first(None, hits, 3, False) == hits


@pytest.mark.slow
def test_an_amount_the_plan_does_not_state_is_not_guessed(searcher):
    # the 2026 plan only says a department advises on funding: no amount anywhere
    q = "Kinh phí tuyên truyền cải cách hành chính năm 2026 của Trường Cao đẳng Y tế Khánh Hòa là bao nhiêu tiền?"  # noqa: E501
    result = searcher.search(q, 10)
    assert result.answer is not None and result.answer.kind == "money"
    assert result.answer.facts == [] and result.hits  # said so, with the closest paragraphs


@pytest.mark.slow
def test_a_question_about_a_place_without_plans_is_not_answered_from_others(searcher):
    # the 2025 plan: "Văn phòng chủ trì, phối hợp … thực hiện" its propaganda tasks
    asked = "cơ quan nào chủ trì tuyên truyền cải cách hành chính năm 2025?"
    answered = searcher.search(asked, 10).answer
    assert answered is not None and answered.found  # Khánh Hòa's plans answer it
    elsewhere = searcher.search("Đồng Tháp giao " + asked, 10)
    read = {(c.field, c.value, c.applied) for c in elsewhere.understood.constraints}
    assert ("province", "Đồng Tháp", "unmatched") in read
    assert elsewhere.answer is not None and elsewhere.answer.facts == []
    assert elsewhere.hits  # the closest paragraphs are still shown


@pytest.mark.slow
def test_api_and_cli_carry_the_answer(client, index_dir):
    from typer.testing import CliRunner

    from service.cli import app as cli

    q = "Trường Cao đẳng Y tế Khánh Hòa phải ban hành Kế hoạch tuyên truyền CCHC năm 2026 trước ngày nào?"  # noqa: E501
    body = client.get("/search", params={"q": q}).json()
    assert body["answer"]["kind"] == "when" and body["answer"]["found"] is True
    fact = body["answer"]["facts"][0]
    assert fact["text"] == "Trước ngày 15/02/2026" and fact["where"] == "task row"
    assert fact["doc_id"] == YTE and fact["paragraph_id"]
    topic = client.get("/search", params={"q": "ứng dụng trí tuệ nhân tạo"}).json()
    assert topic["answer"] is None  # not a who / when / how-much question
    out = CliRunner().invoke(cli, ["search", q, "--index", str(index_dir), "-k", "1"])
    assert out.exit_code == 0 and "Answer (when): Trước ngày 15/02/2026" in out.output
