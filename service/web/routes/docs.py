"""GET /docs: Swagger UI on the service's own OpenAPI schema, from the service's own files.

FastAPI's own /docs (and /redoc) load their script and stylesheet from a CDN: third-party code
in the service's origin, and a blank page on an intranet without internet. These serve Swagger
UI from ``static/swagger-ui`` (see its README) under a Content-Security-Policy that lets the
page load nothing from any other origin.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from service.web.routes.pages import STATIC_DIR

router = APIRouter(include_in_schema=False)

ASSETS_DIR = STATIC_DIR / "swagger-ui"
ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js"})
# nothing from another origin; no inline script (Swagger UI sets inline styles)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>CCHC search — API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> Response:
    """The API's interactive documentation (try a request from the browser)."""
    return HTMLResponse(DOCS_HTML, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    """Swagger UI's script and stylesheet, and the script that starts it."""
    if name not in ASSETS:
        return Response(
            "Không có tệp này.", status_code=404, media_type="text/plain; charset=utf-8"
        )
    return FileResponse(ASSETS_DIR / name, headers={"Cache-Control": "public, max-age=86400"})
