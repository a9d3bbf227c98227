"""MonitoredSQLTrackerStore writes exactly the rows Rasa's SQLTrackerStore writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.monitored_store import STORED_EVENTS, MonitoredSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def turn(text: str, intent: str, t: float) -> List[Event]:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=t),
        SlotSet("leaflet_section", None, timestamp=t + 0.001),
        ActionExecuted("utter_greet", timestamp=t + 0.002),
        BotUttered("hi", {"utter_action": "utter_greet"}, timestamp=t + 0.003),
        ActionExecuted("action_listen", timestamp=t + 0.004),
    ]


def session_start(t: float) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t + 0.001),
        ActionExecuted("action_listen", timestamp=t + 0.002),
    ]


async def conversation(store: Any) -> None:
    """How Rasa's processor uses a store: read at the start of a turn, save at its end."""
    tracker = DialogueStateTracker.from_events(
        "c1", [*session_start(1.0), *turn("hello", "greet", 1.1)], DOMAIN.slots
    )
    await store.save(tracker)  # a new conversation
    tracker = await store.retrieve("c1")
    for event in turn("and again", "greet", 2.0):
        tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve("c1")
    for event in [*session_start(3.0), *turn("later", "greet", 3.1)]:  # a new session
        tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve("c1")  # the new session only
    for event in turn("third", "thanks", 4.0):
        tracker.update(event)
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing written

    # A tracker this store has never seen: the stored events are counted, as Rasa does.
    events = [*session_start(6.0), *turn("hi", "greet", 6.1)]
    await store.save(DialogueStateTracker.from_events("c2", events, DOMAIN.slots))
    tracker = DialogueStateTracker.from_events("c2", events[1:], DOMAIN.slots)
    for event in turn("more", "greet", 7.0):
        tracker.update(event)
    await store.save(tracker)


def rows(db: Path) -> List[Tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()


@pytest.mark.asyncio
async def test_the_same_rows_as_rasas_store(tmp_path: Path) -> None:
    rasas = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    await conversation(rasas)
    await conversation(ours)
    expected = rows(tmp_path / "rasa.db")
    assert len(expected) == (3 + 5) + 5 + (3 + 5) + 5 + (3 + 5) + 5
    assert rows(tmp_path / "ours.db") == expected


@pytest.mark.asyncio
async def test_saving_twice_in_a_turn_writes_each_event_once(tmp_path: Path) -> None:
    """Rasa's count starts at the session's `session_started`, one after the
    `action_session_start` a tracker holds, so its second save writes an event twice."""
    store = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "s.db"))
    tracker = DialogueStateTracker.from_events("c4", session_start(1.0), DOMAIN.slots)
    await store.save(tracker)
    for event in turn("hello", "greet", 2.0):
        tracker.update(event)
    await store.save(tracker)
    stored = rows(tmp_path / "s.db")
    assert len(stored) == 3 + 5 and len(set(stored)) == len(stored)


@pytest.mark.asyncio
async def test_a_tracker_read_back_knows_its_stored_events(tmp_path: Path) -> None:
    store = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "s.db"))
    tracker = DialogueStateTracker.from_events("c3", session_start(1.0), DOMAIN.slots)
    await store.save(tracker)
    assert getattr(tracker, STORED_EVENTS) == 3
    again = await store.retrieve("c3")  # from `session_started` on: 2 of the 3 rows
    assert again is not None and getattr(again, STORED_EVENTS) == len(again.events) == 2
    assert await store.retrieve("nobody") is None
