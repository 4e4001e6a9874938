"""Topic names and topic creation.

One topic per aggregate type, ``alliance.<aggregate_type>.v1``: Kafka keeps order per
partition and the key (the aggregate id) picks the partition, so one aggregate's events stay
in order while different aggregates spread over the partitions. ``v1`` versions the envelope
format of the topic, not the event types inside it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from services.core.settings import Settings
from services.events.envelope import AGGREGATE_TYPE

log = logging.getLogger(__name__)

DLQ_TOPIC = "alliance.dlq.v1"
# Every event topic and none other (the dead-letter topic holds failed deliveries, not events).
EVENT_TOPIC_PATTERN = r"^alliance\.(?!dlq\.)[a-z][a-z_]*\.v1$"
_EVENT_TOPIC = re.compile(EVENT_TOPIC_PATTERN)


def topic_for(aggregate_type: str) -> str:
    """The topic that carries every event of ``aggregate_type``."""
    if not AGGREGATE_TYPE.match(aggregate_type) or aggregate_type == "dlq":
        raise ValueError(f"invalid aggregate type {aggregate_type!r}")
    return f"alliance.{aggregate_type}.v1"


def is_event_topic(topic: str) -> bool:
    """Whether ``topic`` carries platform events (the dead-letter topic does not)."""
    return _EVENT_TOPIC.match(topic) is not None


def new_admin(settings: Settings) -> AIOKafkaAdminClient:
    """An admin client for the configured brokers (call ``start()`` before use)."""
    return AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers or "",
        request_timeout_ms=10_000,
    )


async def ensure_topics(
    admin: AIOKafkaAdminClient,
    topics: Iterable[str],
    *,
    partitions: int,
    replication_factor: int = 1,
) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are.

    Asks for the cluster's topic list first (a metadata request, cheap enough to make before
    every relay batch) and sends CreateTopics only for those missing.
    """
    wanted = set(topics)
    if not wanted:
        return
    existing = {topic["topic"] for topic in await admin.describe_topics() if topic["error_code"] == 0}
    missing = sorted(wanted - existing)
    if not missing:
        return
    response = await admin.create_topics([NewTopic(name, partitions, replication_factor) for name in missing])
    for topic, code, message, *_ in response.topic_errors:
        if code == 0:
            log.info("created topic %s", topic, extra={"partitions": partitions})
        elif code != TopicAlreadyExistsError.errno:
            raise for_code(code)(f"cannot create topic {topic}: {message}")
