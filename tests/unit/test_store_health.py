"""The health record says whether conversations can be SAVED, not just read.

A SQLite connection with `PRAGMA query_only` fails every write with "attempt to write a
readonly database", as a read-only file does (file modes do not stop root, who runs CI).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from persistence import monitored_store
from persistence.monitored_store import (
    PROBE_INTERVAL_S,
    MonitoredSQLTrackerStore,
    StoreHealth,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def health(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> StoreHealth:
    """A fresh health record for the store under test (the server has one, HEALTH)."""
    record = StoreHealth()
    record.clock = clock
    monkeypatch.setattr(monitored_store, "HEALTH", record)
    return record


def new_store(tmp_path: Path, health: StoreHealth) -> MonitoredSQLTrackerStore:
    store = MonitoredSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "h.db"))
    health.store = store
    return store


def _query_only(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only=1")


@contextlib.contextmanager
def read_only(store: MonitoredSQLTrackerStore) -> Iterator[None]:
    """Every connection of the store refuses writes, as with a read-only database file."""
    sa.event.listen(store.engine, "connect", _query_only)
    store.engine.dispose()
    try:
        yield
    finally:
        sa.event.remove(store.engine, "connect", _query_only)
        store.engine.dispose()


def tracker(sender: str = "c1", t: float = 1.0) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t)]
    return DialogueStateTracker.from_events(sender, events)


def event_rows(tmp_path: Path) -> List[Any]:
    with sqlite3.connect(tmp_path / "h.db") as connection:
        return connection.execute("SELECT sender_id, type_name FROM events").fetchall()


def test_a_read_only_database_is_degraded_before_the_first_write(
    tmp_path: Path, health: StoreHealth
) -> None:
    store = new_store(tmp_path, health)
    with read_only(store):
        report = health.report()
    assert report["ok"] is False
    assert report["database_reachable"] is True and report["can_save"] is False


@pytest.mark.asyncio
async def test_a_read_does_not_clear_a_save_failure(tmp_path: Path, health: StoreHealth) -> None:
    store = new_store(tmp_path, health)
    await store.save(tracker("c1"))
    assert health.report()["ok"] is True
    with read_only(store):
        with pytest.raises(sa.exc.OperationalError):
            await store.save(tracker("c2"))
        assert health.report()["ok"] is False
        # The widget's history poll: a read that works while nothing can be stored.
        assert await store.retrieve("c1") is not None
        assert health.report()["ok"] is False
        assert health.report()["can_save"] is False


@pytest.mark.asyncio
async def test_a_successful_save_clears_a_save_failure(tmp_path: Path, health: StoreHealth) -> None:
    store = new_store(tmp_path, health)
    with read_only(store), pytest.raises(sa.exc.OperationalError):
        await store.save(tracker("c1"))
    assert health.report()["ok"] is False  # within the probe interval: the save decides
    await store.save(tracker("c1"))
    report = health.report()
    assert report["ok"] is True and report["save_checked_by"] == "save"


@pytest.mark.asyncio
async def test_the_write_check_clears_a_failure_when_nothing_is_saved(
    tmp_path: Path, health: StoreHealth, clock: Clock
) -> None:
    """A load balancer stops sending a degraded server messages, so no save can clear
    the failure: the write check must, or the server never comes back."""
    store = new_store(tmp_path, health)
    with read_only(store), pytest.raises(sa.exc.OperationalError):
        await store.save(tracker("c1"))
    assert health.report()["ok"] is False
    clock.now += PROBE_INTERVAL_S
    report = health.report()
    assert report["ok"] is True and report["save_checked_by"] == "write check"
    assert event_rows(tmp_path) == []  # the check's row was rolled back


@pytest.mark.asyncio
async def test_the_write_check_is_rate_limited_and_skipped_while_saves_work(
    tmp_path: Path, health: StoreHealth, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = new_store(tmp_path, health)
    checks: List[float] = []
    real_check = store.check_write

    def counted() -> Any:
        checks.append(clock.now)
        return real_check()

    monkeypatch.setattr(store, "check_write", counted)
    for _ in range(5):  # a monitor polling an idle server
        assert health.report()["ok"] is True
    assert len(checks) == 1
    clock.now += PROBE_INTERVAL_S
    health.report()
    assert len(checks) == 2
    # A busy server: its saves show it can write, no check needed.
    clock.now += PROBE_INTERVAL_S
    await store.save(tracker("c1"))
    health.report()
    assert len(checks) == 2
    # Saves stop, a write check again.
    clock.now += PROBE_INTERVAL_S
    health.report()
    assert len(checks) == 3


@pytest.mark.asyncio
async def test_a_write_check_on_a_busy_database_changes_nothing(
    tmp_path: Path, health: StoreHealth, clock: Clock
) -> None:
    """Another writer holding the lock is not a store that cannot write; a save that
    times out waiting for it is (that one is the save's to report)."""
    store = new_store(tmp_path, health)
    await store.save(tracker("c1"))
    blocker = sqlite3.connect(tmp_path / "h.db")
    blocker.execute("BEGIN IMMEDIATE")
    try:
        clock.now += PROBE_INTERVAL_S
        started = time.monotonic()
        report = health.report()
        assert time.monotonic() - started < 2.0  # the check does not wait out the lock
        assert report["ok"] is True and report["save_checked_by"] == "save"
        assert report["failures"] == 0
    finally:
        blocker.rollback()
        blocker.close()
    # After the check's short wait, the pooled connections wait 5 s again when saving.
    with contextlib.ExitStack() as stack:
        connections = [stack.enter_context(store.engine.connect()) for _ in range(3)]
        timeouts = {c.exec_driver_sql("PRAGMA busy_timeout").scalar() for c in connections}
    assert timeouts == {monitored_store.BUSY_TIMEOUT_MS}


@pytest.mark.asyncio
async def test_a_failed_read_degrades_until_a_read_or_the_check_works(
    tmp_path: Path, health: StoreHealth, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = new_store(tmp_path, health)
    await store.save(tracker("c1"))

    async def broken(*_: Any, **__: Any) -> Any:
        raise sa.exc.OperationalError("SELECT", {}, Exception("disk I/O error"))

    with monkeypatch.context() as patch:
        patch.setattr(monitored_store.SQLTrackerStore, "retrieve", broken)
        with pytest.raises(sa.exc.OperationalError):
            await store.retrieve("c1")
    report = health.report()
    assert report["ok"] is False and report["can_read"] is False
    await store.save(tracker("c2"))  # a save says nothing about reads
    assert health.report()["ok"] is False
    assert await store.retrieve("c1") is not None
    assert health.report()["ok"] is True

    with monkeypatch.context() as patch:
        patch.setattr(monitored_store.SQLTrackerStore, "retrieve", broken)
        with pytest.raises(sa.exc.OperationalError):
            await store.retrieve("c1")
    assert health.report()["ok"] is False
    clock.now += PROBE_INTERVAL_S  # no read since: the write check reads too
    report = health.report()
    assert report["ok"] is True and report["can_read"] is True


def test_a_failing_write_check_logs_once_per_outage(
    tmp_path: Path, health: StoreHealth, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    store = new_store(tmp_path, health)
    with read_only(store):
        for _ in range(3):  # a monitor polling a read-only database
            assert health.report()["ok"] is False
            clock.now += PROBE_INTERVAL_S
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "write check failed" in errors[0].getMessage()
    assert health.report()["ok"] is True  # writable again, seen by the next check
    assert health.report()["failures"] == 3
