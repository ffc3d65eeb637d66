"""A build killed at a random point and run again does the work once (issue 28, item 1).

Thirty real documents of ``../shared/corpus-real`` (the smallest, each cut to its first 150
lines: real text, fewer paragraphs, so the three builds stay short), the real embedder. See
``bench/resume.py`` for the procedure; ``make bench`` runs it on the whole documents.
"""

from __future__ import annotations

import pytest

from bench.resume import killed_then_resumed, real_corpus
from tests.indexes import assert_same_index

pytestmark = [pytest.mark.slow, pytest.mark.real_corpus]


@pytest.mark.parametrize("seed", [20261206])
def test_a_build_killed_at_a_random_point_embeds_each_text_about_once(
    real_corpus_dir, tmp_path, seed
):
    corpus = real_corpus(real_corpus_dir, tmp_path / "corpus", documents=30, lines=150)
    figures = killed_then_resumed(corpus, tmp_path, seed)
    assert figures["documents"] == 30
    assert figures["uninterrupted_texts"] >= 320  # a batch of 16 in flight is at most 5 %
    assert figures["killed_before_finishing"], figures
    assert figures["resumed_from_staging"] > 0, figures  # the killed build's batches kept
    # every text is embedded once, plus at most the batch in flight at the kill
    assert figures["ratio"] <= 1.05, figures
    assert (
        figures["killed_build_texts"] + figures["resumed_texts"] >= figures["uninterrupted_texts"]
    )
    assert_same_index(figures["reference_index"], figures["resumed_index"])
