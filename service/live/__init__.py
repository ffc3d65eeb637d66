"""The running index: the live generation a service or CLI reads, swapped without restart.

``holder`` (``IndexHolder``, ``Snapshot``: the open generation, its model and searcher, leases,
hot swap), ``answers`` (answers kept for one generation), ``damage`` (a damaged index as one
line). May import ``service.search`` and ``indexer.store`` / ``indexer.embeddings``; nothing
of the HTTP edge (``service.web``).
"""
