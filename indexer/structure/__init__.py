"""Structure: regions, metadata, heading hierarchy, paragraphs and the appendix table."""

from indexer.structure.appendix import Appendix, parse_appendix
from indexer.structure.document import build_document

__all__ = ["Appendix", "build_document", "parse_appendix"]
