"""Domain manifests and the one bootstrap built from the list of domains.

Each domain package declares itself once, in ``services/<domain>/manifest.py``: its event
types, its handlers, its demo data, its background jobs and the module of its GraphQL root
types. ``services/domains.py`` lists the platform's domains; the app factory, ``alliance
worker``, ``alliance relay``, ``alliance seed-demo`` and the schema all start from that list,
through ``Platform``. Infrastructure (core, events, gateway) therefore never imports a domain.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.core.settings import Settings
from services.events.catalog import EventCatalog
from services.events.registry import Registry, TypedHandler
from services.events.types import DomainEvent

# Where the platform's list of domains lives (``module:attribute``); looked up by name so
# that the infrastructure that starts from it imports no domain.
PLATFORM_DOMAINS = "services.domains:DOMAINS"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

DemoLoader = Callable[[asyncpg.Connection], Awaitable[bool]]
Job = Callable[[Settings, asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A typed handler of one consumer service (one Kafka consumer group)."""

    service: str
    event: type[DomainEvent]
    handler: TypedHandler[Any]


@dataclass(frozen=True, slots=True)
class Domain:
    """What a domain package brings to the platform, declared in its ``manifest.py``."""

    name: str
    events: tuple[type[DomainEvent], ...] = ()
    handlers: tuple[HandlerSpec, ...] = ()
    demo: DemoLoader | None = None  # loads the demo data once; True when it loaded some
    jobs: dict[str, Job] = field(default_factory=dict)  # background jobs by name
    # Module with the GraphQL root types (``Query``, ``Mutation``, ``Subscription``, each
    # optional); the schema imports it by name since services know nothing of GraphQL.
    graphql: str | None = None
    # Module with plain HTTP routes beside GraphQL (``ROUTES``: Starlette routes), such as a
    # calendar feed that apps fetch without a login; imported by name like ``graphql``.
    http: str | None = None
    # Module with ``alliance`` subcommands (``add_commands(subparsers)``, as
    # ``services.events.cli`` has): an operator's command of the domain, such as an import.
    cli: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"domain name {self.name!r} must match [a-z][a-z0-9_]*")


class Platform:
    """The running platform's parts, derived from its domains."""

    def __init__(self, domains: Sequence[Domain]) -> None:
        names = [domain.name for domain in domains]
        if len(set(names)) != len(names):
            raise ValueError(f"a domain is listed twice: {names}")
        self.domains = tuple(domains)
        self.catalog = EventCatalog(cls for domain in domains for cls in domain.events)

    def registry(self) -> Registry:
        """Every domain's handlers, by consumer service; the workers run these."""
        registry = Registry(self.catalog)
        for domain in self.domains:
            for spec in domain.handlers:
                registry.handle(service=spec.service, event=spec.event, handler=spec.handler)
        return registry

    def topics(self) -> list[str]:
        return self.catalog.topics()

    def jobs(self) -> dict[str, Job]:
        found: dict[str, Job] = {}
        for domain in self.domains:
            for name, job in domain.jobs.items():
                if name in found:
                    raise ValueError(f"background job {name!r} declared twice")
                found[name] = job
        return found

    def graphql_modules(self) -> list[str]:
        return [domain.graphql for domain in self.domains if domain.graphql]

    def http_routes(self) -> list[Any]:
        """Every domain's plain HTTP routes (``ROUTES`` of its ``http`` module)."""
        routes: list[Any] = []
        for domain in self.domains:
            if domain.http:
                routes.extend(importlib.import_module(domain.http).ROUTES)
        return routes

    def cli_modules(self) -> list[str]:
        return [domain.cli for domain in self.domains if domain.cli]

    async def seed_demo(self, conn: asyncpg.Connection) -> bool:
        """Each domain's demo data, in list order (a domain's data may rest on an earlier one's)."""
        loaded = False
        for domain in self.domains:
            if domain.demo is not None:
                loaded = await domain.demo(conn) or loaded
        return loaded

    @classmethod
    def default(cls) -> Platform:
        """The platform of ``PLATFORM_DOMAINS``."""
        module, _, attribute = PLATFORM_DOMAINS.partition(":")
        domains: Sequence[Domain] = getattr(importlib.import_module(module), attribute)
        return cls(domains)
