"""What the activity service hands back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    """One line of the feed; ``actor`` is None where the reader may not see who acted."""

    id: int  # the feed's sequence: its order and its cursors
    event_id: uuid.UUID  # the event's own id: the entry's global id
    event_type: str
    subject: str
    actor: str | None
    summary: dict[str, Any]
    occurred_at: dt.datetime
