"""Who leads and who cooperates, read from assignment cells of real plans.

Every cell below is quoted from a document of ``corpus/`` or ``../shared/corpus-real/`` (as
labelled in eval/tasks_gold.json); the expected lead and partners are what the cell says to
a reader.
"""

from __future__ import annotations

import pytest

from indexer.structure.assignment import items, lead_of, partners_in

# 2025-ban-quan-ly-kkt-kcn-khanh-hoa, row 1 (Phân công và cách thức thực hiện)
KKT_1 = (
    "- Văn phòng chủ trì, đăng tải các văn bản CCHC của cấp trên và của Ban Quản lý trên "
    "Trang thông tin điện tử ngay sau khi nhận được văn bản. - Các phòng, đơn vị trực thuộc "
    "phối hợp thực hiện."
)
# the same plan, row 4: the partners come first, then the one who posts
KKT_4 = (
    "- Tất cả các phòng, đơn vị trực thuộc phối hợp thực hiện; - Văn phòng đăng bài trên "
    "Trang thông tin điện tử của Ban Quản lý."
)
# row 5: two departments provide the information, Văn phòng posts it
KKT_5 = (
    "- Phòng Kế hoạch – Đầu tư và Xúc tiến; Phòng Quy hoạch – Xây dựng và Môi trường cung "
    "cấp thông tin. - Văn phòng đăng bài trên Trang thông tin điện tử của Ban Quản lý."
)
# row 6: "phối hợp với <partners> <verb>" inside the lead's item
KKT_6 = (
    "- Phòng Doanh nghiệp – Giám sát đầu tư chủ trì, phối hợp với các phòng, đơn vị liên quan "
    "nghiên cứu tổ chức các cuộc đối thoại, trao đổi, gặp gỡ và các hoạt động tuyên truyền "
    "phù hợp. - Văn phòng triển khai cập nhật, giới thiệu Bộ “Cẩm nang xúc tiến đầu tư” theo "
    "hướng dẫn của cơ quan chủ trì."
)


@pytest.mark.parametrize(
    ("cell", "lead", "partners"),
    [
        (KKT_1, "Văn phòng", "Các phòng, đơn vị trực thuộc phối hợp thực hiện."),
        (KKT_4, "Văn phòng", "Tất cả các phòng, đơn vị trực thuộc phối hợp thực hiện"),
        (
            KKT_5,
            "Phòng Kế hoạch – Đầu tư và Xúc tiến; Phòng Quy hoạch – Xây dựng và Môi trường",
            "",
        ),
        (KKT_6, "Phòng Doanh nghiệp – Giám sát đầu tư", "các phòng, đơn vị liên quan"),
        # 2025 KKT rows 9–11 (one sentence: the partners are the object of "phối hợp")
        (
            "Văn phòng chủ trì, phối hợp các phòng, đơn vị trực thuộc thực hiện.",
            "Văn phòng",
            "các phòng, đơn vị trực thuộc",
        ),
        # 2025 KKT row 22
        (
            "Văn phòng phối hợp Chi đoàn Ban Quản lý triển khai.",
            "Văn phòng",
            "Chi đoàn Ban Quản lý",
        ),
        # 2025 KKT row 12: only cooperating bodies are named: they do it
        (
            "Tất cả các phòng, đơn vị trực thuộc phối hợp thực hiện.",
            "Tất cả các phòng, đơn vị trực thuộc",
            "Tất cả các phòng, đơn vị trực thuộc phối hợp thực hiện.",
        ),
        # 2025 KKT row 16: departments "triển khai", nobody cooperates
        (
            "- Văn phòng chủ trì, triển khai thực hiện theo hướng dẫn của các cơ quan chủ trì. "
            "- Các phòng, đơn vị trực thuộc triển khai đến công chức, viên chức, người lao động "
            "thuộc phạm vi quản lý.",
            "Văn phòng",
            "",
        ),
        # 2026-truong-cao-dang-y-te-khanh-hoa, row 1 (Phân công thực hiện)
        (
            "- Phòng Tổ chức – hành chính chủ trì. - Các đơn vị, đoàn thể phối hợp.",
            "Phòng Tổ chức – hành chính",
            "Các đơn vị, đoàn thể phối hợp.",
        ),
        # 2026 row 20 and row 22: two bodies do it jointly (no partners)
        (
            "Đoàn Thanh niên và Công đoàn cơ sở trường.",
            "Đoàn Thanh niên và Công đoàn cơ sở trường",
            "",
        ),
        (
            "Phòng Tổ chức – Hành chính và Phòng Đào tạo phối hợp.",
            "Phòng Tổ chức – Hành chính và Phòng Đào tạo",
            "",
        ),
        # Quyết định 2597/QĐ-TTg (ec00bd6f58be7864), Cơ quan chủ trì: two leads in one cell
        ("Bộ Xây dựng, các địa phương", "Bộ Xây dựng, các địa phương", ""),
        # da8411114c03e36b, Cơ quan thực hiện
        ("Bộ Xây dựng, Bộ Quốc phòng, Bộ Công an", "Bộ Xây dựng, Bộ Quốc phòng, Bộ Công an", ""),
        # 5e4a9784909432f8: a parenthesis names the department inside the ministry
        ("Bộ Nội vụ (Vụ Tổ chức - Biên chế)", "Bộ Nội vụ", ""),
        # 82483d7fa7f7a186, Đơn vị/người thực hiện
        (
            "Cán bộ Bộ phận TN&TKQ Sở Dân tộc & Tôn giáo",
            "Cán bộ Bộ phận TN&TKQ Sở Dân tộc & Tôn giáo",
            "",
        ),
    ],
)
def test_lead_and_partners_of_real_cells(cell: str, lead: str, partners: str) -> None:
    assert lead_of(cell) == lead
    assert partners_in(cell) == partners


def test_labelled_doer_is_read_after_its_colon() -> None:
    # 1b479d81b4a8f42e and 8a68cd97082b71f2 (Cà Mau): the implementing body is labelled
    assert (
        lead_of(
            "+ Cơ quan trực tiếp thực hiện TTHC: Sở Tư pháp + Cơ quan có thẩm quyền quyết định: "
            "UBND tỉnh"
        )
        == "Sở Tư pháp"
    )
    cell = (
        "- Địa điểm tiếp nhận và trả kết quả trực tiếp: Trung tâm Phục vụ hành chính công tỉnh "
        "Cà Mau. - Cơ quan trực tiếp thực hiện: Sở Nông nghiệp và Môi trường. - Cơ quan có "
        "thẩm quyền quyết định: Chủ tịch UBND tỉnh."
    )
    assert lead_of(cell) == "Sở Nông nghiệp và Môi trường"


def test_items_split_on_bullets_after_a_sentence_end() -> None:
    assert items(KKT_1) == [
        "Văn phòng chủ trì, đăng tải các văn bản CCHC của cấp trên và của Ban Quản lý trên "
        "Trang thông tin điện tử ngay sau khi nhận được văn bản.",
        "Các phòng, đơn vị trực thuộc phối hợp thực hiện.",
    ]
    # "Kế hoạch – Đầu tư" is an en dash inside a name, not a bullet
    assert len(items(KKT_5)) == 2


def test_empty_cell() -> None:
    assert lead_of("") == "" and partners_in("") == ""
