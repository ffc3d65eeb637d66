"""The HTTP edge: the FastAPI app factory (``app``), request dependencies (``deps``: the
settings, a leased snapshot under the request time limit), errors as HTTP statuses
(``errors``), the edge middleware, the OpenAPI additions, the uvicorn server, response
schemas (pydantic lives here only), the request time limit (``timeout``), the JSON routes
(``routes/``), the page views (``pages/``), templates and static files. May import every core
(``service.search``, ``service.compare``, ``service.coverage``, ``service.mentions``,
``service.exports``, ``service.tasks``) and ``service.live``; no core imports it.
"""
