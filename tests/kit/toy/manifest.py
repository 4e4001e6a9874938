"""The toy domain: one event, one handler, one root query and mutation."""

from __future__ import annotations

from services.domain import Domain, HandlerSpec
from tests.kit.toy.events import ToyWaved
from tests.kit.toy.handlers import remember_wave

DOMAIN = Domain(
    name="toy",
    events=(ToyWaved,),
    handlers=(HandlerSpec(service="toy", event=ToyWaved, handler=remember_wave),),
    graphql="tests.kit.toy.schema",
)
