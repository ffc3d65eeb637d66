"""Legal references: exact extraction over the real plans (gold built by reading them),
every writing variant, what must not match, canonical keys and query resolution."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from indexer.parse import parse_file
from indexer.references import extract_references, normalize_symbol
from indexer.references.resolve import resolve_query

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "tests/gold/references.json").read_text(encoding="utf-8"))["plans"]
PLANS = sorted(GOLD)


def raw_text(doc_id: str) -> str:
    return (ROOT / GOLD[doc_id]["file"]).read_text(encoding="utf-8")


def cleaned_text(doc_id: str) -> str:
    """The plan as cleaned text: NFC, every run of whitespace (line breaks too) one space."""
    return " ".join(unicodedata.normalize("NFC", raw_text(doc_id)).split())


def gold_counts(doc_id: str) -> Counter:
    return Counter({r["key"]: r["mentions"] for r in GOLD[doc_id]["references"]})


def precision_recall(found: Counter, gold: Counter) -> tuple[float, float]:
    hit = sum((found & gold).values())
    return hit / max(sum(found.values()), 1), hit / max(sum(gold.values()), 1)


def one(text: str):
    refs = extract_references(text)
    assert len(refs) == 1, refs
    return refs[0]


# --- the real plans against the gold ------------------------------------------------------


@pytest.mark.parametrize("doc_id", PLANS)
@pytest.mark.parametrize("form", ["raw", "cleaned"])
def test_plan_precision_and_recall_are_exact(doc_id, form):
    text = raw_text(doc_id) if form == "raw" else cleaned_text(doc_id)
    found = Counter(r.key for r in extract_references(text))
    gold = gold_counts(doc_id)
    assert found == gold, {"extra": found - gold, "missing": gold - found}
    assert precision_recall(found, gold) == (1.0, 1.0)


@pytest.mark.parametrize("doc_id", PLANS)
def test_plan_mentions_sit_on_the_gold_lines_with_gold_fields(doc_id):
    text = raw_text(doc_id)
    refs = extract_references(text)
    by_key: dict[str, list] = {}
    for r in refs:
        assert text[r.start : r.end] == r.raw
        by_key.setdefault(r.key, []).append(r)
    for g in GOLD[doc_id]["references"]:
        mentions = by_key[g["key"]]
        assert [text.count("\n", 0, r.start) + 1 for r in mentions] == g["lines"], g["key"]
        assert {r.kind for r in mentions} == {g["kind"]}
        assert {r.number for r in mentions} == {g["number"]}
        assert {r.date for r in mentions} - {None} == ({g["date"]} if g["date"] else set())
        assert {r.issuer for r in mentions} - {None} == ({g["issuer"]} if g["issuer"] else set())
        assert {r.title for r in mentions} == {g["title"]}


def test_brief_facts_hold_in_the_plans():
    for doc_id in PLANS:
        keys = Counter(r.key for r in extract_references(raw_text(doc_id)))
        assert keys["09-NQ/TW"] == 3
    split = [
        r
        for r in extract_references(raw_text("2025-ban-quan-ly-kkt-kcn-khanh-hoa"))
        if r.key == "72-QĐ/TU"
    ]
    assert len(split) == 1 and split[0].raw.startswith("Quyết định số 72-\n\nQĐ/TU")


def test_parsed_paragraphs_give_the_gold():
    """What the index stores: references found paragraph by paragraph after parsing."""
    for doc_id in PLANS:
        doc = parse_file(ROOT / GOLD[doc_id]["file"], ROOT / "corpus")
        refs = [r for p in doc.paragraphs for r in extract_references(p.text)]
        found = Counter(r.key for r in refs)
        assert found == gold_counts(doc_id), doc_id
        assert precision_recall(found, gold_counts(doc_id)) == (1.0, 1.0)
        for g in GOLD[doc_id]["references"]:
            mine = [r for r in refs if r.key == g["key"]]
            assert {r.date for r in mine} - {None} == ({g["date"]} if g["date"] else set())
            assert {r.issuer for r in mine} - {None} == ({g["issuer"]} if g["issuer"] else set())


# --- writing variants ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nghị quyết số 09-NQ/TW",
        "NQ 09-NQ/TW",
        "nghị quyết 09-NQ/TW",
        "theo 09/NQ-TW",
        "Nghị quyết số 9-NQ/TW",
        "Nghị\n\nquyết số 09-NQ/TW",
        "Nghị quyết số\n\n09-NQ/TW",
        "Nghị quyết số 09-\n\nNQ/TW",
        "Nghị quyết số: 09-NQ/TW",
        "thực hiện 09-NQ/TW của Bộ Chính trị",
    ],
)
def test_writings_of_one_resolution_share_a_key(text):
    assert one(text).key == "09-NQ/TW"


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [
        ("Nghị quyết số 55/2022/QH15 ngày 16/6/2022", "55/2022/QH15", "Nghị quyết"),
        ("Nghị định số 118/2025/NĐ-CP về thực hiện", "118/2025/NĐ-CP", "Nghị định"),
        ("Nghị quyết số 1667/NQ-UBTVQH15 ngày", "1667/NQ-UBTVQH15", "Nghị quyết"),
        ("tại Văn bản số 864/UBND-PVHCC ngày", "864/UBND-PVHCC", "Văn bản"),
        ("Quyết định số 72-QĐ/TU ngày 16/7/2025", "72-QĐ/TU", "Quyết định"),
        ("Văn \n\nbản số 60/UBND-TH ngày", "60/UBND-TH", "Văn bản"),
        ("Căn cứ Quyết định số 74/QĐ-CĐYT ngày", "74/QĐ-CĐYT", "Quyết định"),
        ("Chỉ thị số 35-CT/TU ngày 14/5/2025", "35-CT/TU", "Chỉ thị"),
        ("Kế hoạch số 740/KH-UBND\n\nngày 21/7/2025", "740/KH-UBND", "Kế hoạch"),
        ("Công văn số 864/UBND-PVHCC", "864/UBND-PVHCC", "Công văn"),
        ("Nghị định 118/2025/nđ-CP", "118/2025/NĐ-CP", "Nghị định"),
        ("nghị quyết 09-nq/tw", "09-NQ/TW", "Nghị quyết"),
        ("Văn bản số 45/UBND", "45/UBND", "Văn bản"),
        ("QĐ 72-QD/TU", "72-QĐ/TU", "Quyết định"),
        ("Thông tư số 01/2023/TT-BNV", "01/2023/TT-BNV", "Thông tư"),
        ("Kết luận số 91-KL/TW", "91-KL/TW", "Kết luận"),
        ("Chương trình hành động số 15-CTr/TU", "15-CTR/TU", "Chương trình"),
        ("Luật số 10/2022/QH15", "10/2022/QH15", "Luật"),
        ("thực hiện 118/2025/NĐ-CP về một cửa", "118/2025/NĐ-CP", "Nghị định"),
        ("chỉ đạo tại 864/UBND-PVHCC", "864/UBND-PVHCC", "Văn bản"),
    ],
)
def test_number_symbol_forms(text, key, kind):
    ref = one(text)
    assert (ref.key, ref.kind) == (key, kind)
    # the number is shown as the key, except a code written in mixed case keeps its case
    assert ref.number == ("15-CTr/TU" if key == "15-CTR/TU" else key)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ", "2021-07-15"),
        ("Quyết định số 2821/QĐ-UBND ngày 31 tháng 12 năm 2025 của", "2025-12-31"),
        ("Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị", "2024-12-22"),
        ("Nghị quyết số 09-NQ/TW ngày\n\n28/01/2022 của Bộ Chính trị", "2022-01-28"),
        ("Nghị quyết số 09-NQ/TW của Bộ Chính trị ngày 28/01/2022", "2022-01-28"),
        ("Văn bản số 60/UBND-TH ngày 04/7/2025 về việc", "2025-07-04"),
        ("Nghị quyết số 09-NQ/TW ngày 31/02/2022", None),  # not a calendar date
    ],
)
def test_dates_in_both_forms_become_iso(text, iso):
    assert one(text).date == iso


@pytest.mark.parametrize(
    ("text", "issuer"),
    [
        ("Nghị quyết số 09-NQ/TW ngày 28/01/2022 của Bộ Chính trị về xây dựng", "Bộ Chính trị"),
        ("Nghị quyết số 42/NQ-CP ngày 21/3/2022 của Chính phủ ban hành Chương", "Chính phủ"),
        ("Quyết định số 311/QĐ-UBND ngày 15/7/2025 của UBND tỉnh Khánh Hòa. Tiếp", None),
        ("Chỉ thị số 35-CT/TU ngày 14/5/2025 của Ban Thường vụ\n\nTỉnh ủy về", None),
        ("Nghị quyết số 1667/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội về", None),
        ("Nghị quyết số 09-NQ/TW của Bộ \n\nChính trị, xây dựng Khánh Hòa", "Bộ Chính trị"),
        ("Quyết định số 74/QĐ-CĐYT ngày 12/02/2026 của Trường Cao \n\nđẳng  Y tế Khánh Hòa.", None),
        ("Nghị định số 59/2023/NĐ-CP ngày 14/8/2023 của Chính phủ quy định chi tiết", None),
        ("Văn bản số 60/UBND-TH ngày 04/7/2025 về việc khắc phục", None),
        ("Nghị quyết số 09-NQ/TW của nhà trường", None),
    ],
)
def test_issuers(text, issuer):
    expected = {
        "Quyết định số 311": "UBND tỉnh Khánh Hòa",
        "Chỉ thị số 35": "Ban Thường vụ Tỉnh ủy",
        "Nghị quyết số 1667": "Ủy ban Thường vụ Quốc hội",
        "Quyết định số 74": "Trường Cao đẳng Y tế Khánh Hòa",
        "Nghị định số 59": "Chính phủ",
    }
    want = next((v for k, v in expected.items() if text.startswith(k)), issuer)
    assert one(text).issuer == want


def test_ministry_names_with_comma_and_va():
    ref = one("Thông tư số 01/2023/TT-BVHTTDL của Bộ Văn hóa, Thể thao và Du lịch về việc")
    assert ref.issuer == "Bộ Văn hóa, Thể thao và Du lịch"


def test_span_covers_the_whole_citation():
    text = "thực hiện Nghị quyết số 42/NQ-CP ngày 21/3/2022 của Chính phủ ban hành Chương trình"
    ref = one(text)
    assert ref.raw == "Nghị quyết số 42/NQ-CP ngày 21/3/2022 của Chính phủ"
    assert text[ref.start : ref.end] == ref.raw


def test_spans_map_back_when_text_is_not_nfc():
    text = unicodedata.normalize(
        "NFD", "Theo Quyết định số 683/QĐ-UBND ngày 12/8/2025 của UBND tỉnh"
    )
    ref = one(text)
    assert (ref.key, ref.date, ref.issuer) == ("683/QĐ-UBND", "2025-08-12", "UBND tỉnh")
    assert ref.raw == text[ref.start : ref.end] and ref.raw.startswith("Quy")
    assert text[ref.end :] == ""


# --- laws cited by name --------------------------------------------------------------------


def test_laws_by_name_and_date():
    text = (
        "Triển khai thực hiện tốt Luật Tổ chức chính quyền địa phương ngày\n\n16/6/2025, "
        "Luật Thực hiện dân chủ ở cơ sở ngày 10/11/2022 và Nghị định số\n\n59/2023/NĐ-CP "
        "ngày 14/8/2023 của Chính phủ quy định chi tiết một số điều của\n\n"
        "Luật Thực hiện dân chủ ở cơ sở."
    )
    refs = extract_references(text)
    assert [(r.key, r.date) for r in refs] == [
        ("LUAT:to chuc chinh quyen dia phuong", "2025-06-16"),
        ("LUAT:thuc hien dan chu o co so", "2022-11-10"),
        ("59/2023/NĐ-CP", "2023-08-14"),
        ("LUAT:thuc hien dan chu o co so", None),
    ]
    assert refs[0].title == "Luật Tổ chức chính quyền địa phương"
    assert refs[0].number is None and refs[0].kind == "Luật"
    assert refs[3].raw == "Luật Thực hiện dân chủ ở cơ sở"


def test_law_with_comma_in_its_name_needs_its_date():
    ref = one("theo Luật Phòng, chống tham nhũng ngày 20/11/2018 của Quốc hội.")
    assert (ref.title, ref.date, ref.issuer) == (
        "Luật Phòng, chống tham nhũng",
        "2018-11-20",
        "Quốc hội",
    )


def test_law_by_name_with_its_number_is_keyed_by_the_number():
    ref = one("Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10/11/2022")
    assert (ref.key, ref.title, ref.date) == (
        "10/2022/QH15",
        "Luật Thực hiện dân chủ ở cơ sở",
        "2022-11-10",
    )


def test_law_with_a_year():
    ref = one("theo Luật Đất đai năm 2024.")
    assert (ref.key, ref.date, ref.raw) == ("LUAT:dat dai", None, "Luật Đất đai năm 2024")


# --- short forms -------------------------------------------------------------------------


def test_bare_ordinal_is_a_mention_only_of_a_document_cited_in_full_in_the_same_text():
    text = "Nghị quyết số 09-NQ/TW ngày 28/01/2022 của Bộ Chính trị. Nghị quyết 09 nêu rõ…"
    assert [r.key for r in extract_references(text)] == ["09-NQ/TW", "09-NQ/TW"]
    assert extract_references("Nghị quyết 09 nêu rõ") == []


# --- what must not match --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Điện thoại: 0258.3822123; Fax: 0258 3822 456",
        "ngày 28/01/2022",
        "Trước ngày \n\n15/02/2026",
        "giai đoạn 2021-2030 và giai đoạn 2021 - 2025, 2021- 2025",
        "nhiệm kỳ 2020-2025; Quý III-\n\nIV/2025; Quý I/2026 - Văn phòng",
        "mục tiêu Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Khánh Hòa lần thứ XVIII",
        "thực hiện các Nghị quyết, Chương trình, Kế hoạch, văn bản về cải cách hành chính",
        "theo Nghị\n\nquyết của Hội đồng nhân dân tỉnh",
        "(Ban hành kèm theo Kế hoạch số        /KH-KKTKCN ngày     /8/2025 của Ban Quản lý)",
        "(Kèm theo Kế hoạch số         /KH-CĐYT ngày        /02/2026 của Trường)",
        "https://thuvienphapluat.vn/van-ban/Luat-Thuc-hien-dan-chu-o-co-so-nam-2022-546085.aspx",
        "https://example.gov.vn/vb/Nghi-dinh-118/2025/ND-CP.pdf",
        "giáo dục pháp luật; Ngày Pháp luật; quy định pháp luật về tổ chức",
        "6 - Phối hợp tham mưu; 18 - Nâng cao; 9 - Đẩy mạnh",
        "Kế hoạch CCHC năm 2026; Chương trình tổng thể giai đoạn 2021-2030",
        "tối thiểu định kỳ gửi 01 tin, bài/tháng",
        "phương châm 06 rõ; 100% viên chức; đạt trên 86%",
        "Quyết định số /QĐ-UBND ngày /8/2025",
        "Nghị quyết số 2025/năm",
    ],
)
def test_not_references(text):
    assert extract_references(text) == []


# --- canonical keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("09-NQ/TW", "09-NQ/TW"),
        ("09/NQ-TW", "09-NQ/TW"),
        ("9 - NQ / TW", "09-NQ/TW"),
        ("72-\n\nQĐ/TU", "72-QĐ/TU"),
        ("72-qđ/tu", "72-QĐ/TU"),
        ("118/2025/nd-cp", "118/2025/NĐ-CP"),
        ("864/UBND–PVHCC", "864/UBND-PVHCC"),
        ("55/2022/QH15", "55/2022/QH15"),
        ("76/NQ-CP", "76/NQ-CP"),
    ],
)
def test_normalize_symbol(written, key):
    assert normalize_symbol(written) == key


# --- resolving queries --------------------------------------------------------------------


@pytest.fixture(scope="module")
def known():
    rows = []
    for doc_id in PLANS:
        rows += [(r.key, r.kind, r.number, r.issuer) for r in extract_references(raw_text(doc_id))]
    # A second "Nghị quyết 09" (same sentence shape as 01-NQ/TU in the plans) makes the
    # bare ordinal ambiguous.
    extra = "Nghị quyết số 09-NQ/TU ngày 14/7/2025 của Tỉnh ủy Khánh Hòa"
    rows += [(r.key, r.kind, r.number, r.issuer) for r in extract_references(extra)]
    return rows


@pytest.mark.parametrize(
    "query",
    [
        "09-NQ/TW",
        "Nghị quyết số 09-NQ/TW",
        "NQ 09-NQ/TW",
        "nghị quyết 09-NQ/TW",
        "nghị quyết 09-nq/tw",
        "09/NQ-TW",
        "  09-NQ/TW  ",
        "Nghị quyết 09 của Bộ Chính trị",
        "NQ số 9 của BCT",
    ],
)
def test_resolve_writings_of_09(query, known):
    assert resolve_query(query, known) == ["09-NQ/TW"]


def test_resolve_ambiguous_ordinal_gives_every_candidate(known):
    assert resolve_query("Nghị quyết 09", known) == ["09-NQ/TU", "09-NQ/TW"]
    assert resolve_query("Nghị quyết 09 của Tỉnh ủy", known) == ["09-NQ/TU"]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("72-QĐ/TU", ["72-QĐ/TU"]),
        ("72-QD/TU", ["72-QĐ/TU"]),
        ("Quyết định 72", ["72-QĐ/TU"]),
        ("Quyết định 74 của Trường Cao đẳng Y tế", ["74/QĐ-CĐYT"]),
        ("Quyết định 311 của Ủy ban nhân dân tỉnh", ["311/QĐ-UBND"]),
        ("Công văn 864", ["864/UBND-PVHCC"]),
        ("Văn bản số 60", ["60/UBND-TH"]),
        ("118/2025/NĐ-CP", ["118/2025/NĐ-CP"]),
        ("Luật Thực hiện dân chủ ở cơ sở", ["LUAT:thuc hien dan chu o co so"]),
        ("luat thuc hien dan chu o co so", ["LUAT:thuc hien dan chu o co so"]),
        ("LUAT:thuc hien dan chu o co so", ["LUAT:thuc hien dan chu o co so"]),
        ("Luật Tổ chức chính quyền", ["LUAT:to chuc chinh quyen dia phuong"]),
        # typed without diacritics, as staff often do
        ("nghi quyet 09 cua bo chinh tri", ["09-NQ/TW"]),
        ("quyet dinh so 72", ["72-QĐ/TU"]),
        ("nghi dinh 118/2025/nd-cp", ["118/2025/NĐ-CP"]),
        ("cong van 864", ["864/UBND-PVHCC"]),
    ],
)
def test_resolve_other_documents(query, keys, known):
    assert resolve_query(query, known) == keys


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "99-NQ/TW",
        "09",
        "Nghị quyết",
        "cải cách hành chính",
        "Nghị quyết 09 của UBND tỉnh",
        "Nghị quyết 09 abc xyz",
        "Luật Đất đai",
    ],
)
def test_resolve_unknown_or_malformed_is_empty(query, known):
    assert resolve_query(query, known) == []


def test_parse_query_tells_malformed_from_unknown():
    from indexer.references import RefQuery, parse_query

    assert parse_query("99-NQ/TW") == RefQuery(symbol="99-NQ/TW")  # well formed, maybe unknown
    assert parse_query("Nghị quyết 09 của Bộ Chính trị") == RefQuery(
        kind="Nghị quyết", ordinal=9, issuer="Bộ Chính trị"
    )
    assert parse_query("Luật Đất đai") == RefQuery(law="dat dai")
    for malformed in ("", "09", "Nghị quyết", "cải cách hành chính", "Nghị quyết 09 abc xyz"):
        assert parse_query(malformed) is None, malformed


def test_display_number_keeps_the_symbols_case():
    ref = one("theo Chỉ thị số 07/CT-TTg ngày 20/02/2025 của Thủ tướng Chính phủ")
    assert (ref.key, ref.number) == ("07/CT-TTG", "07/CT-TTg")
    assert one("Nghị định 118/2025/nđ-cp").number == "118/2025/NĐ-CP"


def test_issuer_stops_where_the_next_citation_starts():
    refs = extract_references(
        "Nghị quyết số 18-NQ/TW ngày 25/10/2017 của Bộ Chính trị, Nghị quyết số 19-NQ/TW"
    )
    assert [(r.key, r.issuer) for r in refs] == [("18-NQ/TW", "Bộ Chính trị"), ("19-NQ/TW", None)]
    assert one("Quyết định số 10/QĐ-BVHTTDL của Bộ Văn hóa, Thể thao và Du lịch về").issuer == (
        "Bộ Văn hóa, Thể thao và Du lịch"
    )


def test_law_name_then_number_is_one_citation():
    (ref,) = extract_references("Luật Tổ chức chính quyền địa phương 72/2025/QH15")
    assert (ref.key, ref.title) == ("72/2025/QH15", "Luật Tổ chức chính quyền địa phương")
