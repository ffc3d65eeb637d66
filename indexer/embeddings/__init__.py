"""Embedders: one small interface (``Embedder``), backends, and a factory keyed by name."""

from indexer.embeddings.base import Embedder
from indexer.embeddings.factory import embedder_for_index, ensure_same_model, load_embedder

__all__ = ["Embedder", "embedder_for_index", "ensure_same_model", "load_embedder"]
