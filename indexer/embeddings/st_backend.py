"""sentence-transformers models, by hub name (from the local cache only) or local path."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from indexer.embeddings.base import Embedder, normalize
from indexer.errors import ModelNotFoundError, ModelsExtraMissingError

# what the models extra installs (pyproject.toml: pip install 'cchc-search[models]')
MODELS_EXTRA = ("sentence_transformers", "transformers", "torch")


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model; never touches the network.

    Options: ``segmented`` (pyvi-segment the input first, for models trained on segmented
    Vietnamese such as bkai-foundation-models/vietnamese-bi-encoder), ``query_prefix`` and
    ``passage_prefix`` (e.g. ``"query: "``/``"passage: "`` for the e5 family).
    """

    backend = "sentence-transformers"

    def __init__(
        self,
        name_or_path: str,
        segmented: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            missing = (exc.name or "").split(".")[0]
            if missing not in MODELS_EXTRA:
                raise
            raise ModelsExtraMissingError(name_or_path, missing.replace("_", "-")) from None

        local = Path(name_or_path).expanduser()
        source = str(local.resolve()) if local.exists() else name_or_path
        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds; the user needs one line
            where = "local path" if local.exists() else "model name (not in the local HF cache)"
            raise ModelNotFoundError(
                f"cannot load embedding model {name_or_path!r} as a {where}: "
                f"{type(exc).__name__} — give a local directory holding a "
                "sentence-transformers model, or download it into the HF cache beforehand "
                "(no network is used)"
            ) from None
        self.name = source
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        if get_dim is None:  # sentence-transformers < 5.2
            get_dim = self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ValueError(f"{source}: the model does not state its embedding dimension")
        self.dim = int(dim)
        self._segmented = bool(segmented)
        self._query_prefix = query_prefix or ""
        self._passage_prefix = passage_prefix or ""
        self._batch_size = batch_size

    @property
    def options(self) -> dict:
        return {
            "segmented": self._segmented,
            "query_prefix": self._query_prefix,
            "passage_prefix": self._passage_prefix,
        }

    def _prepare(self, texts: list[str], prefix: str) -> list[str]:
        if self._segmented:
            from indexer.text import segment

            texts = [segment(t) for t in texts]
        return [prefix + t for t in texts]

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vecs = self._model.encode(
            texts,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalize(vecs)

    def count_query_tokens(self, text: str) -> int:
        """Tokens the model's tokenizer makes of this query (prefix and segmentation included)."""
        (prepared,) = self._prepare([text], self._query_prefix)
        return len(self._model.tokenizer(prepared)["input_ids"])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(self._prepare(list(texts), self._query_prefix))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(self._prepare(list(texts), self._passage_prefix))
