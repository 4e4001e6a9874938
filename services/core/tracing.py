"""Traces (OpenTelemetry): off by default, on with the standard ``OTEL_*`` variables.

``configure_tracing`` installs the SDK when ``OTEL_TRACES_EXPORTER`` names an exporter
(``otlp`` or ``console``) and ``OTEL_SDK_DISABLED`` is not true; the exporter, its endpoint,
the service name and the resource attributes are read by the SDK from the other ``OTEL_*``
variables. Without it the API's no-op tracer answers every call, and the platform skips the
work it would do only for spans (the ASGI middleware, the per-event spans of the relay).

Across processes the trace travels inside the event: ``current_traceparent`` is stored in the
envelope (the CloudEvents ``traceparent`` extension) when the outbox row is written, and the
relay and every consumer continue the trace from it (``context_from``).
"""

from __future__ import annotations

import logging
import os

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()
_EXPORTERS = frozenset({"otlp", "console"})


def tracer(name: str) -> trace.Tracer:
    """A tracer that follows whatever provider is installed, now or later."""
    return trace.get_tracer(name)


def tracing_enabled() -> bool:
    """Whether an SDK provider records spans in this process."""
    from opentelemetry.sdk.trace import TracerProvider

    return isinstance(trace.get_tracer_provider(), TracerProvider)


def configure_tracing(service_name: str) -> bool:
    """Install the SDK if the environment asks for traces; whether they are on."""
    exporter_name = (os.environ.get("OTEL_TRACES_EXPORTER") or "none").strip().lower()
    disabled = (os.environ.get("OTEL_SDK_DISABLED") or "false").strip().lower() == "true"
    if disabled or exporter_name == "none":
        return False
    if exporter_name not in _EXPORTERS:
        log.warning(
            "OTEL_TRACES_EXPORTER=%s is not supported (otlp, console); traces stay off", exporter_name
        )
        return False
    if tracing_enabled():
        return True
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if exporter_name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        exporter = ConsoleSpanExporter()
    # OTEL_SERVICE_NAME, when set, wins over the role's default name.
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or service_name})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    return True


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, or None outside a recorded trace."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from(traceparent: str | None) -> otel_context.Context | None:
    """The context to continue a trace from a stored ``traceparent`` (None: a new trace)."""
    if not traceparent:
        return None
    return _PROPAGATOR.extract({"traceparent": traceparent})


def current_trace_id() -> str | None:
    """The current trace id as 32 hex digits, for log lines (None outside a trace)."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x")
