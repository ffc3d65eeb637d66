"""The search service: FastAPI app (create_app), CLI (python -m service), core search."""
