"""Privacy operations on the stored conversations: export one, erase one, delete old ones.

Works on whatever SQL tracker store the endpoints file names (SQLite by default,
PostgreSQL in production), through Rasa's own table (`events`), so nothing else needs to
know the schema. Each conversation's rows are found by its id (Rasa's sender id).
The escalation records the action server keeps are erased and expired along with these by
scripts/conversations.py, through actions/escalation_record.py, the module that writes
them (this layer does not import actions).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import read_endpoint_config

EVENTS = SQLTrackerStore.SQLEvent.__table__
SECONDS_PER_DAY = 86_400


def engine_from_endpoints(endpoints: Path) -> sa.engine.Engine:
    """The tracker store's database, from the endpoints file (env vars filled in)."""
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise ValueError(f"{endpoints} has no tracker_store")
    settings: Dict[str, Any] = dict(config.kwargs)
    url = SQLTrackerStore.get_db_url(
        settings.get("dialect", "sqlite"),
        config.url,
        settings.get("port"),
        settings.get("db", "rasa.db"),
        settings.get("username"),
        settings.get("password"),
    )
    return sa.create_engine(url)


def export_conversation(engine: sa.engine.Engine, conversation_id: str) -> List[Dict]:
    """Every stored event of one conversation, oldest first, as Rasa stored them."""
    query = (
        sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id).order_by(EVENTS.c.id)
    )
    with engine.connect() as connection:
        return [json.loads(row.data) for row in connection.execute(query)]


def erase_conversation(engine: sa.engine.Engine, conversation_id: str) -> int:
    """Deletes one conversation; returns how many events were deleted."""
    with engine.begin() as connection:
        result = connection.execute(EVENTS.delete().where(EVENTS.c.sender_id == conversation_id))
        return int(result.rowcount or 0)


def delete_older_than(engine: sa.engine.Engine, days: float, now: float = 0.0) -> List[str]:
    """Deletes conversations whose newest event is older than `days`; returns their ids."""
    if days <= 0:
        raise ValueError("days must be positive")
    cutoff = (now or time.time()) - days * SECONDS_PER_DAY
    newest = sa.func.max(EVENTS.c.timestamp)
    stale = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(newest < cutoff)
    with engine.begin() as connection:
        ids = [row.sender_id for row in connection.execute(stale)]
        if ids:
            connection.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(ids)))
    return ids
