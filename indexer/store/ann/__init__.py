"""Approximate/exact nearest-neighbour indexes over paragraph vectors (ids = paragraph rowids)."""

from indexer.store.ann.base import ANNIndex
from indexer.store.ann.factory import DEFAULT_ANN_PARAMS, ann_type_for, create_ann, load_ann

__all__ = ["ANNIndex", "DEFAULT_ANN_PARAMS", "ann_type_for", "create_ann", "load_ann"]
