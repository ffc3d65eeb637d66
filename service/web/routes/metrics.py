"""GET /metrics: the service's metrics in the Prometheus text format (``service.web.metrics``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, choose_encoder

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Metrics in the Prometheus text format",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}}},
)
def metrics(request: Request) -> Response:
    """Requests by route template and status, latency histograms, searches answered and
    with nothing relevant, and the generation served (its age, counts and build)."""
    registry = request.app.state.metrics.registry
    # the text format 0.0.4 unless the scraper asks for another (OpenMetrics …)
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={"Content-Type": content_type})
