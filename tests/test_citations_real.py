"""Citations checked on real documents of many issuers (../shared/corpus-real), built into a
real index: a document's own number is not a citation of itself, a law cited by name with
its year and the same law cited by number are one document (and a one-off typo in a number
does not split them), a reference typed without diacritics is accepted.
"""

from __future__ import annotations

import shutil

import pytest

from indexer.build import build_index
from indexer.errors import ReferenceNotFoundError
from indexer.parse import parse_file
from indexer.references import extract_references
from indexer.references.corpus import own_keys
from indexer.store import IndexReader
from service.mentions import citation_table, find_mentions

pytestmark = pytest.mark.real_corpus
# Five short documents (~270 paragraphs): a HĐND resolution citing its own number in its
# body, two citing "Luật Tổ chức chính quyền địa phương số 72/2025/QH15", two citing that law
# by name with its 2025 date, and one citing it "số 75/2025/QH15" (a typo for 72).
FILES = {
    "1852f73167ca9236.md": "own number cited in the body; 72/2025/QH15 with the law's name",
    "0eb3b8713cadea8f.md": "72/2025/QH15 with the law's name",
    "82483d7fa7f7a186.md": "the law by name, dated 2025",
    "e83d7b60c0b1d639.md": "the law by name, dated 2025",
    "97ae4fa01c536eb2.md": "the law's name with 75/2025/QH15",
}
LAW = "72/2025/QH15"


@pytest.fixture(scope="module")
def real_reader(tmp_path_factory, real_corpus_dir):
    root = tmp_path_factory.mktemp("citations")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(real_corpus_dir / name, corpus / name)
    build_index(corpus, root / "index", quiet=True)
    reader = IndexReader.open(root / "index")
    yield reader
    reader.close()


def test_the_documents_cite_as_described(real_corpus_dir):
    """Premise: the raw citations are what the test relies on (read here, not assumed)."""
    keys = {}
    for name in FILES:
        doc = parse_file(real_corpus_dir / name, real_corpus_dir)
        keys[name] = [r.key for p in doc.paragraphs for r in extract_references(p.text)]
    resolution = parse_file(real_corpus_dir / "1852f73167ca9236.md", real_corpus_dir)
    assert own_keys(resolution.meta.number) & set(keys["1852f73167ca9236.md"])
    assert LAW in keys["1852f73167ca9236.md"] and LAW in keys["0eb3b8713cadea8f.md"]
    assert "LUAT:to chuc chinh quyen dia phuong" in keys["82483d7fa7f7a186.md"]
    assert "75/2025/QH15" in keys["97ae4fa01c536eb2.md"]


@pytest.mark.slow
def test_own_number_is_not_a_citation(real_reader, real_corpus_dir):
    own = set()
    for name in FILES:
        own |= own_keys(parse_file(real_corpus_dir / name, real_corpus_dir).meta.number)
    assert own, "the documents have numbers"
    cited = {r["key"] for r in real_reader.reference_table()}
    assert not own & cited
    for row in real_reader.reference_table():
        for doc_id in row["doc_ids"]:
            doc = real_reader.document(doc_id)
            assert own_keys(doc.number).isdisjoint({row["key"]})


@pytest.mark.slow
def test_law_by_name_and_year_is_the_numbered_law(real_reader):
    result = find_mentions(real_reader, LAW)
    assert result.keys == [LAW]
    docs = {m.doc_id for m in result.mentions}
    assert {"1852f73167ca9236", "0eb3b8713cadea8f", "82483d7fa7f7a186", "e83d7b60c0b1d639"} <= docs
    row = next(r for r in citation_table(real_reader) if r.key == LAW)
    assert row.title == "Luật Tổ chức chính quyền địa phương"
    assert row.kind == "Luật"
    # the one-off "75/2025/QH15" stays its own document, not merged and not winning
    assert "75/2025/QH15" in {r["key"] for r in real_reader.reference_table()}


@pytest.mark.parametrize(
    "ref",
    [
        "Luật Tổ chức chính quyền địa phương",
        "luat to chuc chinh quyen dia phuong",
        "Luật Tổ chức chính quyền địa phương số 72/2025/QH15",
        "luat to chuc chinh quyen dia phuong 72/2025/qh15",
    ],
)
@pytest.mark.slow
def test_law_asked_by_name_number_or_both(real_reader, ref):
    result = find_mentions(real_reader, ref)
    assert LAW in result.keys
    assert {"82483d7fa7f7a186", "1852f73167ca9236"} <= {m.doc_id for m in result.mentions}


@pytest.mark.slow
def test_law_by_name_of_another_year_stays_apart(real_reader):
    assert LAW in find_mentions(real_reader, "Luật Tổ chức chính quyền địa phương năm 2025").keys
    with pytest.raises(ReferenceNotFoundError):  # the 2015 law: cited by none of these five
        find_mentions(real_reader, "Luật Tổ chức chính quyền địa phương năm 2015")


@pytest.mark.slow
def test_unaccented_kind_and_number(real_reader):
    accented = find_mentions(real_reader, "Luật số 72/2025/QH15")
    plain = find_mentions(real_reader, "luat so 72/2025/qh15")
    assert plain.keys == accented.keys == [LAW]
    assert plain.total == accented.total > 0


@pytest.mark.slow
def test_cited_date_is_the_one_most_citations_give(tmp_path, real_corpus_dir):
    """Four plans date Nghị quyết 71/NQ-CP 01/4/2025 (as ec00bd6f58be7864.md does); a fifth
    has the typo 01/5/2025. The catalog reports the date most citations give; the typo
    stays on its own mention. Also: "Bộ Chính trị, Nghị quyết …" gives the issuer alone."""
    line = next(
        ln.strip("* ")
        for ln in (real_corpus_dir / "ec00bd6f58be7864.md").read_text(encoding="utf-8").splitlines()
        if "71/NQ-CP" in ln
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):  # four plans (distinct files: identical ones are skipped as copies)
        (corpus / f"plan-{i}.txt").write_text(f"KẾ HOẠCH\n\n{line}.\n" + "\n" * i, encoding="utf-8")
    typo = line.replace("tháng 4", "tháng 5")
    assert typo != line
    (corpus / "plan-typo.txt").write_text(
        f"KẾ HOẠCH\n\n{typo}; Kết luận của Bộ Chính trị, Nghị quyết số 57-NQ/TW của Bộ "
        "Chính trị.\n",
        encoding="utf-8",
    )
    build_index(corpus, tmp_path / "index", quiet=True)
    with IndexReader.open(tmp_path / "index") as reader:
        rows = {r.key: r for r in citation_table(reader)}
        assert rows["71/NQ-CP"].date == "2025-04-01"
        assert rows["71/NQ-CP"].total == 5
        assert "2025-05-01" in {m.date for m in find_mentions(reader, "71/NQ-CP").mentions}
        assert rows["57-NQ/TW"].issuer == "Bộ Chính trị"
