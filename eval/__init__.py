"""Retrieval-quality harness: ``python -m eval.run`` (``make eval``)."""
