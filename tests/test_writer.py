"""IndexWriter on its own: documents of the real plans written as generations, and the corpus
vocabulary (abbreviations, diacritics) relearnt only once enough of the index changed."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.model import Document, DocumentMeta, Paragraph
from indexer.store import IndexReader, IndexWriter
from indexer.store import manifest as mf
from indexer.store.writer import VOCABULARY_STALE

pytestmark = pytest.mark.slow  # every test needs the session index or the model

MODEL = {"name": "test-vectors", "backend": "none", "dim": 8, "normalized": True}


def _documents(plan_texts: list[str], n: int, per_doc: int) -> list[Document]:
    """``n`` one-unit documents of ``per_doc`` real paragraphs each, taken in order."""
    docs = []
    for j in range(n):
        texts = plan_texts[j * per_doc : (j + 1) * per_doc]
        doc_id = f"doc-{j:03d}"
        paragraphs = [
            Paragraph(f"{doc_id}:{i:04d}", doc_id, i, ["I. NỘI DUNG"], "text", t)
            for i, t in enumerate(texts)
        ]
        meta = DocumentMeta(unit=f"Đơn vị {j}", year=2026, kind="Kế hoạch", title="Kế hoạch")
        docs.append(Document(doc_id, f"{doc_id}.txt", f"sha-{j}", meta, paragraphs))
    return docs


def _write(index, docs, remove=()):
    rng = np.random.default_rng(0)
    with IndexWriter(index) as writer, writer.generation() as gen:
        for doc_id in remove:
            gen.remove(doc_id)
        for doc in docs:
            vecs = rng.normal(size=(len(doc.paragraphs), MODEL["dim"])).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            gen.add(doc, [p.text.lower() for p in doc.paragraphs], vecs)
        gen.commit(MODEL, {"corpus": "test"})
    return gen.name


@pytest.fixture(scope="module")
def plan_texts(reader):
    texts = [p.text for d in reader.documents() for p in reader.paragraphs(d.doc_id)]
    assert len(texts) >= 180
    return texts


def test_vocabulary_is_kept_until_enough_of_the_index_changed(plan_texts, tmp_path):
    index = tmp_path / "index"
    docs = _documents(plan_texts, 45, 4)  # 44 written first (176 paragraphs), then one more
    first = _write(index, docs[:44])
    m1 = mf.read_manifest(index / first)
    assert m1["vocabulary"] == {"paragraphs": 176, "changed": 0}
    assert m1["counts"]["paragraphs"] == 176 and m1["counts"]["vectors"] == 176

    second = _write(index, docs[44:])  # 4 paragraphs: 2 % < VOCABULARY_STALE
    assert VOCABULARY_STALE * 176 > 4
    m2 = mf.read_manifest(index / second)
    assert m2["vocabulary"] == {"paragraphs": 176, "changed": 4}
    assert m2["abbreviations"] == m1["abbreviations"]
    table = (index / second / mf.DIACRITICS).read_bytes()
    assert table == (index / first / mf.DIACRITICS).read_bytes() and len(table) > 2

    third = _write(index, [], remove=[d.doc_id for d in docs[:3]])  # 4 + 12 > 5 % of 176
    m3 = mf.read_manifest(index / third)
    assert m3["vocabulary"] == {"paragraphs": 168, "changed": 0}  # learnt again, from 168
    with IndexReader.open(index) as r:
        assert len(r.documents()) == 42 and r.diacritics  # a live, searchable generation
        assert len(r.dense_search(np.ones(MODEL["dim"], np.float32) / 8**0.5, 5)) == 5


def test_an_abandoned_generation_leaves_the_index_as_it_was(plan_texts, tmp_path):
    index = tmp_path / "index"
    docs = _documents(plan_texts, 3, 4)
    live = _write(index, docs[:2])
    writer = IndexWriter(index)
    with pytest.raises(RuntimeError, match="stop"), writer, writer.generation() as gen:
        gen.remove(docs[0].doc_id)
        raise RuntimeError("stop")
    assert mf.generations(index) == [live] and mf.current_generation(index) == live
    with IndexReader.open(index) as r:
        assert [d.doc_id for d in r.documents()] == [docs[0].doc_id, docs[1].doc_id]
