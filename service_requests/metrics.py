"""Prometheus counters for the Open311 service: what clients ask, what is created, what is refused.

The service keeps its own registry; the front door adds it to the relay's ``/metrics``, so
the figures are read where the relay's are and under the same access rule
(``RELAY_METRICS_ADDRESS`` / ``RELAY_METRICS_TOKEN``, ``live_handoff/metrics_access.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.metrics_core import Metric

from service_requests.errors import Open311Error
from service_requests.formats import format_of

# A refusal's reason when the error does not name one (Open311Error.reason): by status.
REASONS = {
    400: "invalid",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "internal",
}


def reason_of(error: Open311Error) -> str:
    """The ``reason`` label of a refusal: the error's own, else a name for its status."""
    return error.reason or REASONS.get(error.status, str(error.status))


def endpoint_of(request: web.Request) -> str:
    """The route's pattern (``/open311/v2/requests/{id}.{format}``), never the path itself:
    ids and unknown paths would make a label per request."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    return resource.canonical if resource is not None else "unmatched"


class Open311Metrics:
    """The service's counters, in a registry of their own (several apps can run in one test)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "open311_requests",
            "Open311 requests answered, by endpoint (route pattern), format (json, xml) and HTTP status",
            ["endpoint", "format", "status"],
            registry=r,
        )
        self.cases_created = Counter(
            "open311_cases_created",
            "Service requests stored (not resends), by service code",
            ["service_code"],
            registry=r,
        )
        self.refusals = Counter(
            "open311_refusals",
            "Open311 requests refused, by reason (invalid, forbidden, not_found, too_large, extra_attributes, "
            "media_urls, unreadable_body, ...)",
            ["reason"],
            registry=r,
        )

    def collect(self) -> Iterable[Metric]:
        """The counters, so this object can be registered in another registry (the relay's)."""
        return self.registry.collect()


METRICS = web.AppKey("open311_metrics", Open311Metrics)


def metrics_of(app: web.Application) -> Open311Metrics:
    """The counters of an Open311 app made by ``create_app``: register them where /metrics is served."""
    return app[METRICS]


@web.middleware
async def count_requests(request: web.Request, handler) -> web.StreamResponse:
    """Count every answer by endpoint, format and status (outside the error middleware, so
    refusals are counted with the status they were sent with)."""
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics = request.app.get(METRICS)
        if metrics is not None:
            metrics.requests.labels(endpoint_of(request), format_of(request), str(status)).inc()
