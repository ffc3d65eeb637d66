"""Vietnamese text analysis: word segmentation (pyvi), diacritic folding, lexical tokens."""

from indexer.text.analyze import analyze, analyze_segmented
from indexer.text.segment import segment
from indexer.text.vietnamese import fold

__all__ = ["analyze", "analyze_segmented", "fold", "segment"]
