"""Compare two plans by meaning: what is shared, reworded, new and dropped."""

from service.compare.documents import compare_documents
from service.compare.engine import compare
from service.compare.model import Comparison, DiffOp, Pair, SectionSummary, Summary, Topic

__all__ = [
    "Comparison",
    "DiffOp",
    "Pair",
    "SectionSummary",
    "Summary",
    "Topic",
    "compare",
    "compare_documents",
]
