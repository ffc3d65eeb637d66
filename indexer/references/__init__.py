"""Legal references: find citations in plan text, give them canonical keys, resolve queries."""

from indexer.references.canonical import fold, law_key, normalize_symbol
from indexer.references.extract import extract_references

__all__ = ["extract_references", "fold", "law_key", "normalize_symbol"]
