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

from persistence import monitored_store
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


def rows_of(tracker: DialogueStateTracker) -> List[Any]:
    return [event.as_dict() for event in tracker.events]


@pytest.mark.asyncio
async def test_the_cache_hands_back_exactly_what_the_database_holds(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=db, cache_conversations=8)
    database = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=db)  # no cache
    tracker = DialogueStateTracker.from_events("c1", session_start(1.0), DOMAIN.slots)
    await store.save(tracker)
    for event in turn("hi", "greet", 2.0):
        tracker.update(event)
    await store.save(tracker)

    cached = await store.retrieve("c1")
    stored = await database.retrieve("c1")
    assert cached is tracker and stored is not None and stored is not tracker
    # The database's read starts at `session_started`, one event after the tracker's.
    assert rows_of(cached)[1:] == rows_of(stored)

    # A turn that changed the tracker and failed before saving: the database is right.
    cached.update(UserUttered("not saved", {"name": "greet", "confidence": 0.9}, timestamp=3.0))
    again = await store.retrieve("c1")
    assert again is not cached and rows_of(again) == rows_of(stored)

    # A new session: Rasa's read returns that session only, and so does the store.
    for event in session_start(4.0) + turn("hello", "greet", 5.0):
        again.update(event)
    await store.save(again)
    newest = await store.retrieve("c1")
    assert newest is not again and rows_of(newest) == rows_of(await database.retrieve("c1"))
    assert isinstance(newest.events[0], SessionStarted) and len(newest.events) == 2 + 5
    assert await store.retrieve("c1") is newest  # that one is cached again


@pytest.mark.asyncio
async def test_the_cache_is_bounded_and_off_unless_asked_for(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    store = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=db, cache_conversations=2)
    plain = MonitoredSQLTrackerStore(DOMAIN, dialect="sqlite", db=db)
    trackers = {}
    for sender in ("a", "b", "c"):
        trackers[sender] = DialogueStateTracker.from_events(
            sender, session_start(1.0), DOMAIN.slots
        )
        await store.save(trackers[sender])
        await plain.save(trackers[sender])
    assert list(store._cache) == ["b", "c"]  # the least recently used one went
    assert await store.retrieve("a") is not trackers["a"]
    assert await store.retrieve("c") is trackers["c"]
    assert not plain._cache and await plain.retrieve("c") is not trackers["c"]


@pytest.mark.asyncio
async def test_servers_sharing_the_database_never_use_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitored_store, "_shared_database", False)  # restored afterwards
    store = MonitoredSQLTrackerStore(
        DOMAIN, dialect="sqlite", db=str(tmp_path / "s.db"), cache_conversations=8
    )
    tracker = DialogueStateTracker.from_events("c1", session_start(1.0), DOMAIN.slots)
    await store.save(tracker)
    assert await store.retrieve("c1") is tracker
    monitored_store.conversations_shared_between_servers()  # what the Redis lock store calls
    assert await store.retrieve("c1") is not tracker
    await store.save(tracker)
    assert not store._cache and await store.retrieve("c1") is not tracker


@pytest.mark.asyncio
async def test_a_sender_id_sqlite_cannot_store_fails_the_request_not_the_server(
    tmp_path: Path,
) -> None:
    store = MonitoredSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with pytest.raises(Exception) as raised:
        await store.retrieve("sur\ud800rogate")
    assert not isinstance(raised.value, SystemExit)  # Rasa's own store exits here
    assert isinstance(raised.value, Exception)
    await store.save(DialogueStateTracker.from_events("after", turn("hi", "greet", 1.0)))
    assert await store.retrieve("after") is not None  # and the store still works
