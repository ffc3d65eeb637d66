"""Snippets cost time linear in a paragraph, within a bound, and pick the window they always
picked (security review N4).

Before: ``_best_window`` rebuilt the list of matches inside the window for every match, so one
paragraph of 192k characters took seconds (48k: 0.8 s, 192k: 12.5 s) after the search's last
checkpoint. Now the window is found with two pointers over the matches, a snippet reads only
the paragraph's first ``MAX_SNIPPET_SOURCE`` characters, and the search checks for an abandoned
request before and between the hits it shapes.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from indexer.parse import parse_file
from service.request.cancel import Cancelled, cancellable
from service.search import snippets
from service.search.snippets import (
    MAX_SNIPPET_SOURCE,
    _best_window,
    _trim,
    find_matches,
    make_snippet,
    query_terms,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SENTENCE = "cải cách hành chính nhà nước đơn vị thực hiện kế hoạch năm tuyên truyền"
WORDS = SENTENCE.split()
QUERY = "tuyên truyền cải cách hành chính kế hoạch"
QUERIES = [
    QUERY,
    "so hoa ho so",
    "chuyển đổi số",
    "kiểm tra giám sát",
    "09-NQ/TW",
    "đào tạo bồi dưỡng cán bộ công chức",
    "ke hoach cai cach hanh chinh nam 2025",
]


def old_best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """The window search as it was (quadratic): the oracle the linear one must agree with."""
    best_start, best_key = 0, (-1, -1)
    for i, (start, _, _) in enumerate(matches):
        inside = [m for m in matches[i:] if m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best_key:
            best_start, best_key = start, key
    return best_start


def long_paragraph(n_chars: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < n_chars:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    return " ".join(words)


def fastest(fn, repeat: int = 3) -> float:
    """The least time of ``repeat`` runs (the least disturbed by other work on the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def test_a_snippet_of_a_long_paragraph_costs_about_linear_time():
    """N and 4N characters (48k and 192k; 192k took 12.5 s before): the ratio of times stays
    far from the 16× of a quadratic search (measured back to back, never an absolute time)."""
    small, large = long_paragraph(48_000), long_paragraph(192_000)
    t_small = fastest(lambda: make_snippet(small, QUERY))
    t_large = fastest(lambda: make_snippet(large, QUERY))
    assert t_large < 10 * t_small + 0.05, (t_small, t_large)


def test_the_window_search_is_linear_in_the_matches():
    """The window search alone, without the bound on the source: 4× the matches, well under
    16× the time."""
    small = find_matches(long_paragraph(12_000), query_terms(QUERY))
    large = find_matches(long_paragraph(48_000, seed=4), query_terms(QUERY))
    assert len(large) > 3 * len(small) > 3000
    t_small = fastest(lambda: _best_window(small, 240), repeat=5)
    t_large = fastest(lambda: _best_window(large, 240), repeat=5)
    assert t_large < 10 * t_small + 0.01, (t_small, t_large)


def test_only_the_start_of_a_paragraph_is_read():
    """A query word that first appears past ``MAX_SNIPPET_SOURCE`` characters is not looked
    for there: the snippet starts at the paragraph's start, ends with an ellipsis."""
    head = long_paragraph(MAX_SNIPPET_SOURCE + 5_000)
    text = head + " tiêm chủng mở rộng " + head
    snippet = make_snippet(text, "tiêm chủng")
    assert "<mark>" not in snippet and snippet.endswith("…") and not snippet.startswith("…")
    near = make_snippet(long_paragraph(5_000) + " tiêm chủng mở rộng", "tiêm chủng")
    assert "<mark>tiêm chủng</mark>" in near  # within the bound it is found as before


def real_paragraphs() -> list[str]:
    texts = [p.text for f in sorted(CORPUS.glob("*.txt")) for p in parse_file(f).paragraphs]
    assert len(texts) > 150
    return texts


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_window_as_before_on_the_real_plans(query):
    """Every paragraph of the real plans × a few queries: the window the linear search picks
    is the one the old search picked, so every snippet is the same as before."""
    terms = query_terms(query)
    compared = 0
    for text in real_paragraphs():
        matches = find_matches(text, terms)
        if not matches:
            continue
        for width in (60, 240):
            assert _best_window(matches, width) == old_best_window(matches, width), text[:80]
        compared += 1
        old = _trim(text, old_best_window(matches, 240), 240)
        new = _trim(text, _best_window(matches, 240), 240)
        assert old == new
    assert compared > 0


def test_the_same_window_on_random_matches():
    """Random match lists (several words, repeats, words longer than the window)."""
    rng = random.Random(7)
    for _ in range(300):
        pos, matches = 0, []
        for _ in range(rng.randint(0, 40)):
            pos += rng.randint(1, 50)
            length = rng.randint(1, 70)
            matches.append((pos, pos + length, rng.choice("abcde")))
            pos += length
        for width in (20, 60, 240):
            assert _best_window(matches, width) == old_best_window(matches, width)


@pytest.mark.slow
def test_an_abandoned_search_stops_before_its_snippets(monkeypatch, reader, embedder):
    """The search checks for an abandoned request before shaping its hits: once the request
    is cancelled (the client left, the time limit passed), no snippet is made."""
    import threading

    from service.search.searcher import Searcher

    searcher = Searcher(reader, embedder, parallel=False, cache_size=0)
    cancel = threading.Event()
    made: list[str] = []

    def snippet_then_cancel(text: str, query: str) -> str:
        made.append(text)
        cancel.set()  # abandoned while the first hit is shaped
        return text

    monkeypatch.setattr("service.search.searcher.make_snippet", snippet_then_cancel)
    with pytest.raises(Cancelled):
        cancellable(cancel, searcher.search, "cải cách hành chính", 10)
    assert len(made) == 1  # the next hit's checkpoint stopped it
    assert snippets.make_snippet is make_snippet  # the module itself untouched
