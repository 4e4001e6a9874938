"""One booking approval is one trace: the HTTP request and its GraphQL mutation, the SQL, the
relay's send and the consumer's handling share a trace id, carried through the outbox in the
event's ``traceparent`` (in-memory exporter)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, Tokens
from tests.resources.conftest import APPROVE, MakeResource, data, requested, window
from tests.support.polling import eventually


@pytest.fixture(scope="module")
async def exporter() -> AsyncIterator[InMemorySpanExporter]:
    """Traces on for this module: an SDK provider (installed once per process) whose spans
    this exporter keeps, and SQL spans from asyncpg."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    memory = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    yield memory
    AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
    memory.shutdown()  # later spans are no longer kept


@pytest.fixture(scope="module")
async def traced(exporter: InMemorySpanExporter, settings: Settings) -> AsyncIterator[RunningServer]:
    """A server built with traces on (its HTTP middleware is chosen when the app is made)."""
    running = RunningServer(settings)
    await running.start()
    yield running
    await running.stop()


async def test_one_booking_approval_is_one_trace_across_the_outbox(
    exporter: InMemorySpanExporter,
    traced: RunningServer,
    tokens: Tokens,
    gql: GraphQLClient,
    make_resource: MakeResource,
    admin_conn: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(23, 10))
    async with httpx.AsyncClient(base_url=traced.base_url, timeout=10) as client:
        with caplog.at_level(logging.INFO, logger="alliance.access"):
            approved = await GraphQLClient(client, tokens)(
                APPROVE, {"id": booking["id"]}, login="street-admin"
            )
    assert data(approved, "approveBooking", "booking")["status"] == "APPROVED"

    traceparent = await admin_conn.fetchval(
        "SELECT payload->>'traceparent' FROM outbox WHERE aggregate_id = $1 AND event_type = 'booking.approved.v1'",
        str(booking["id"]),
    )
    assert traceparent, "the outbox row carries the mutation's trace context"
    trace_id = int(traceparent.split("-")[1], 16)

    def of_trace() -> list[ReadableSpan]:
        return [span for span in exporter.get_finished_spans() if span.context.trace_id == trace_id]

    async def spans() -> list[ReadableSpan]:
        return of_trace()

    def complete(found: list[ReadableSpan]) -> bool:
        kinds = {span.kind for span in found}
        consumed = any(
            span.kind == SpanKind.CONSUMER
            and span.attributes.get("cloudevents.event_type") == "booking.approved.v1"
            for span in found
        )
        return {SpanKind.SERVER, SpanKind.PRODUCER} <= kinds and consumed

    found = await eventually(spans, complete, within=20)
    names = {span.name for span in found}
    assert "graphql anonymous" in names
    assert "alliance.booking.v1 publish" in names
    assert any(span.attributes.get("db.system") == "postgresql" for span in found if span.attributes)
    # The relay and the consumer ran in tasks of their own: only the envelope linked them.
    producer = next(span for span in found if span.kind == SpanKind.PRODUCER)
    assert producer.parent is not None and producer.parent.span_id == int(traceparent.split("-")[2], 16)

    access = [record for record in caplog.records if record.name == "alliance.access"]
    assert access and access[-1].tenant == "demo"  # type: ignore[attr-defined]
    assert access[-1].trace_id == format(trace_id, "032x")  # type: ignore[attr-defined]
