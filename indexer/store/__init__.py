"""The index directory: one owner for everything a build writes and a search reads.

    INDEX/catalog.sqlite       documents, paragraphs, tasks, mentions, vectors (``catalog``)
    INDEX/CURRENT              the live generation's name (``manifest``)
    INDEX/gen-…/manifest.json  what the generation holds and how it was made (``manifest``)
    INDEX/gen-…/vectors.faiss  nearest-neighbour index over the vectors (``ann``)
    INDEX/gen-…/lexical/       tantivy BM25 index over the segmented texts (``lexical``)

``IndexWriter`` (``writer``) runs a whole generation — one catalog transaction, the
generation's files, fsync, commit, ``CURRENT``, clean-up — given what to add and remove;
``IndexReader`` (``reader``) opens the live generation for searching.
"""

from indexer.store.catalog import TaskFilters
from indexer.store.reader import (
    Candidates,
    DocumentRow,
    IndexReader,
    MentionRow,
    ParagraphRow,
    Reader,
    TaskEntry,
)
from indexer.store.writer import Generation, IndexWriter

__all__ = [
    "Candidates",
    "DocumentRow",
    "Generation",
    "IndexReader",
    "IndexWriter",
    "MentionRow",
    "ParagraphRow",
    "Reader",
    "TaskEntry",
    "TaskFilters",
]
