"""Word 97–2003 (.doc) and RTF plans, read through LibreOffice (indexer/readers/legacy_word.py).

The fixtures are made here, at test time, from the DOCX fixture of the real 2026 plan (made
from corpus/ by tests/fixtures/make_fixtures.py) with the same LibreOffice: DOCX → RTF, and
DOCX → ODT → DOC (LibreOffice 7.4 drops a python-docx table when it writes .doc straight from
that DOCX; through ODT the table stays, as in a .doc saved by Word). Each must read to the
same paragraphs, header and appendix table as its DOCX twin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import readers
from indexer.build import build_index
from indexer.errors import UnreadableFileError
from indexer.parse import SUPPORTED_SUFFIXES, parse_file
from indexer.readers import legacy_word
from indexer.store import IndexReader
from tests.commands import libreoffice_convert

FIXTURE = Path(__file__).parent / "fixtures" / "2026-truong-cao-dang-y-te-khanh-hoa.docx"
pytestmark = [
    pytest.mark.converters,
    pytest.mark.slow,  # LibreOffice converts: seconds each
    pytest.mark.usefixtures("patient_converters"),
    pytest.mark.skipif(
        legacy_word.soffice() is None, reason="LibreOffice is not installed (make converters)"
    ),
]


@pytest.fixture(scope="module")
def twins(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("legacy")
    docx = work / "docx" / FIXTURE.name
    docx.parent.mkdir()
    shutil.copy2(FIXTURE, docx)
    rtf = libreoffice_convert(docx, "rtf", work / "rtf")
    odt = libreoffice_convert(docx, "odt", work / "odt")
    doc = libreoffice_convert(odt, "doc", work / "doc")
    return {"docx": docx, "rtf": rtf, "doc": doc}


@pytest.fixture(scope="module")
def parsed(twins):
    return {fmt: parse_file(path, path.parent) for fmt, path in twins.items()}


def test_the_formats_are_supported():
    assert {".doc", ".rtf"} <= SUPPORTED_SUFFIXES


@pytest.mark.parametrize("fmt", ["doc", "rtf"])
def test_a_legacy_file_reads_to_the_paragraphs_of_its_docx_twin(parsed, fmt):
    want, got = parsed["docx"], parsed[fmt]
    assert len(want.paragraphs) > 50
    assert [p.text for p in got.paragraphs] == [p.text for p in want.paragraphs]
    assert [p.kind for p in got.paragraphs] == [p.kind for p in want.paragraphs]
    assert [p.section for p in got.paragraphs] == [p.section for p in want.paragraphs]


@pytest.mark.parametrize("fmt", ["doc", "rtf"])
def test_the_header_and_the_appendix_table_survive(parsed, twins, fmt):
    want, got = parsed["docx"].meta, parsed[fmt].meta
    for field in ("unit", "year", "number", "date", "kind", "title", "signer"):
        assert getattr(got, field) == getattr(want, field), field
    assert got.unit == "Trường Cao đẳng Y tế Khánh Hòa" and got.year == 2026
    raw = readers.read_document(twins[fmt])
    assert raw.source_format == fmt
    assert len(raw.tables) == 1 and len(raw.tables[0]) == len(
        readers.read_document(twins["docx"]).tables[0]
    )


def test_bad_legacy_files_are_one_clear_line(tmp_path):
    not_doc = tmp_path / "ke-hoach.doc"
    not_doc.write_bytes(b"PK\x03\x04 this is a zip, not a .doc")
    with pytest.raises(UnreadableFileError, match="not a Word 97–2003 document"):
        readers.read_document(not_doc)
    broken = tmp_path / "hong.doc"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 64)
    with pytest.raises(UnreadableFileError) as info:
        readers.read_document(broken)
    assert "\n" not in str(info.value) and "hong.doc" in str(info.value)
    not_rtf = tmp_path / "x.rtf"
    not_rtf.write_text("plain text", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="not an RTF document"):
        readers.read_document(not_rtf)


def test_without_libreoffice_the_file_is_skipped_with_what_to_install(twins, monkeypatch):
    monkeypatch.setattr(legacy_word, "SOFFICE_NAMES", ("no-such-office-suite",))
    with pytest.raises(UnreadableFileError, match="needs LibreOffice.*libreoffice-writer-nogui"):
        readers.read_document(twins["doc"])


def test_a_build_indexes_doc_and_rtf_and_skips_a_broken_one(twins, tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy2(twins["doc"], corpus / "2026-truong.doc")
    shutil.copy2(twins["rtf"], corpus / "2026-truong-ban-sao.rtf")
    (corpus / "hong.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    lines: list[str] = []
    result = build_index(
        corpus, tmp_path / "index", embedder=embedder, quiet=True, warn=lines.append
    )
    assert result.added == 2 and result.documents == 2
    assert result.skipped_files == ["hong.doc"]
    assert len(result.skipped) == 1 and "hong.doc" in result.skipped[0]
    assert result.reading == {"text": 0, "ocr": 0, "converted": 2, "ocr_pages": 0}
    assert sorted((r["path"], r["method"]) for r in result.read_specially) == [
        ("2026-truong-ban-sao.rtf", "converted"),
        ("2026-truong.doc", "converted"),
    ]
    assert "2026-truong.doc: converted from .doc by LibreOffice" in result.summary()
    with IndexReader.open(tmp_path / "index") as reader:
        formats = {d.path: d.reading.source_format for d in reader.documents()}
    assert formats == {"2026-truong.doc": "doc", "2026-truong-ban-sao.rtf": "rtf"}


def test_a_doc_typed_in_the_tcvn3_font_is_repaired(twins, tmp_path):
    """An old .doc typed with .VnTime: its bytes are TCVN3, shown as Windows-1252 letters by
    anything that reads it as Unicode ("KÕ ho¹ch"). Made here from the real plan's paragraphs."""
    import docx

    from indexer.readers import legacy_tables as lt
    from tests.test_encoding import assert_tcvn3_equal

    original = [p.text for p in docx.Document(str(twins["docx"])).paragraphs if p.text.strip()]
    legacy = docx.Document()
    for text in original:
        legacy.add_paragraph("".join(lt.cp1252_char(b) for b in lt.encode_tcvn3(text)))
    path = tmp_path / "vntime.docx"
    legacy.save(str(path))
    doc = libreoffice_convert(
        libreoffice_convert(path, "odt", tmp_path / "odt"), "doc", tmp_path / "doc"
    )
    raw = readers.read_document(doc)
    got = [line for line in raw.text.splitlines() if line.strip()]
    assert len(got) == len(original)
    for line, want in zip(got, original, strict=True):
        assert_tcvn3_equal(line, want)
    assert parse_file(doc, doc.parent).meta.unit == "Trường Cao đẳng Y tế Khánh Hòa"
