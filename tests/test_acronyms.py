"""Abbreviations learnt from the indexed text (indexer.text.acronyms), checked on real plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.parse import discover, parse_file
from indexer.text.acronyms import letters, mine

REPO = Path(__file__).resolve().parents[1]


def _docs(folder: Path) -> list[list[str]]:
    return [[p.text for p in parse_file(f, folder).paragraphs] for f in discover(folder)]


def test_letters_drop_connectors():
    assert letters("KT-XH") == "KTXH" and letters("KH&CN") == "KHCN" and letters("UBND") == "UBND"


def test_definition_in_the_two_plans():
    """The 2025 plan defines "cải cách hành chính (CCHC)"; nothing else is invented."""
    pairs = {(long, abbr) for long, abbr, _n in mine(_docs(REPO / "corpus"))}
    assert ("cải cách hành chính", "CCHC") in pairs
    for long, abbr, _n in mine(_docs(REPO / "corpus")):
        assert len(long.split()) >= len(letters(abbr)) - 1


@pytest.mark.real_corpus
def test_usage_on_many_documents(real_corpus_dir):
    found = {abbr: long for long, abbr, _n in mine(_docs(real_corpus_dir))}
    # learnt from use (no definition in the text): each abbreviation and its long form
    assert found["UBND"] == "ủy ban nhân dân"
    assert found["MTTQ"] == "mặt trận tổ quốc"
    assert found["ĐBQH"] == "đại biểu quốc hội"
    assert found["HTX"] == "hợp tác xã"
    # words of a heading in capitals and codes of document symbols are not abbreviations
    assert "BAN" not in found and "KHU" not in found and "UBND-TH" not in found
    # two-letter codes are too ambiguous to learn from use alone
    assert not {"TP", "TC", "VB", "NV", "TH"} & set(found)


def test_learnt_pairs_expand_queries_both_ways():
    from service.search.abbreviations import expand_query, with_corpus

    learnt = mine(_docs(REPO / "corpus"))
    table = with_corpus(learnt + [("mặt trận tổ quốc", "MTTQ", 8)])
    assert expand_query("vai trò của MTTQ", table).endswith("mặt trận tổ quốc")
    assert expand_query("mat tran to quoc", table).endswith("MTTQ")
    assert expand_query("vai trò của MTTQ") == "vai trò của MTTQ"  # not in the built-in list
    assert expand_query("ai chịu trách nhiệm", table) == "ai chịu trách nhiệm"


def test_vocabulary_is_learnt_from_a_bounded_sample():
    from indexer.store.writer import VOCABULARY_PARAGRAPHS, _vocabulary_sample

    docs = [[f"đoạn {d}.{i}" for i in range(10)] for d in range(100)]
    assert _vocabulary_sample(iter(docs), 1000) == docs  # small corpus: everything
    big = _vocabulary_sample(iter(docs), 3 * VOCABULARY_PARAGRAPHS)
    assert big == docs[::3]  # every third document, spread over the corpus
