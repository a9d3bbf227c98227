"""Rasa's SQL tracker store (SQLite by default, PostgreSQL in production) that is never
silent about failing.

Rasa wraps every tracker store in a fail-safe: when the database fails, a read returns an
empty conversation and a write goes to memory (lost on restart), and the user notices
nothing. That must not go unseen, so this store
- logs each failure at ERROR with the operation and the error type (never message text),
- keeps a health record (`HEALTH`) that the `/webhooks/rest/health` endpoint reports, with
  a live `SELECT 1` when asked and, while no save has shown it lately, a write check (a row
  inserted and rolled back), so a load balancer or monitor sees the server degraded
  whenever conversations cannot be saved, reads working or not (see StoreHealth),
and then re-raises, so Rasa's fail-safe still keeps the conversation going.

For SQLite it also turns on write-ahead logging: commits cost less than with SQLite's
default journal (docs/benchmarks.md), readers do not block the writer, and every commit is
still synced to disk (synchronous stays FULL), so a killed server loses no committed turn.
And it keeps its connections: SQLAlchemy 1.4 gives a SQLite file no pool, so Rasa opened,
set up and closed a connection for every read and every write (and closing the last one
checkpoints the log), a large share of the server's event-loop time under load (py-spy,
docs/benchmarks.md).

A single server can also keep its recent conversations (`cache_conversations: N`): reading
a conversation back costs a query through SQLAlchemy's ORM, a JSON parse per event and a
replay of every event into a new tracker, a large share of the server's time under load
(docs/benchmarks.md), to rebuild a tracker this process itself wrote a moment ago. The
cached tracker is handed out only while it holds exactly the events this store has written
(a turn that failed before saving changed it, so the next read goes to the database) and
one conversation session (what Rasa's read returns). Every write still goes to the
database first. Only for a server that is the database's only writer: the Redis lock store
(several servers) turns it off.

In endpoints.yml: `type: persistence.monitored_store.MonitoredSQLTrackerStore`, with the
same settings as Rasa's `type: SQL` (dialect, url, port, db, username, password), plus
`cache_conversations` (default 0, off).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)


# How often the health check tries a write itself, at most, when no save has shown
# recently whether one works (an idle server, a server a load balancer has taken out).
PROBE_INTERVAL_S = 10.0
# SQLite: how long a save waits for another process's write lock before failing.
BUSY_TIMEOUT_MS = 5000
# The write check's own wait: the check runs on the server's event loop, and another
# writer holding the lock says nothing about whether this store can write.
PROBE_WAIT_MS = 250
PROBE_SENDER = "__health_write_check__"
WRITE = "save"
WRITE_CHECK = "write check"
READ_OPERATIONS = frozenset({"read", "list"})


@dataclass
class StoreHealth:
    """Whether the tracker store can save and read conversations, for the health endpoint.

    Saving and reading are tracked apart, because a read that works says nothing about
    writing: a read-only database file serves every read and stores no turn. Each is the
    outcome of its latest attempt. A save's outcome comes from the saves themselves and
    from a write check (`MonitoredSQLTrackerStore.check_write`: one row inserted and
    rolled back) that `report()` runs when no save has shown it within PROBE_INTERVAL_S:
    so a read-only database is reported before the first message, and a server that a
    load balancer stopped sending messages to (because it was degraded) is seen to
    recover without a save. The check rolls back, so it cannot see a failure that only
    happens at commit (a full disk): there the next save decides again.
    """

    store: Optional["MonitoredSQLTrackerStore"] = None
    clock: Callable[[], float] = time.time
    failures: int = 0
    last_failure: Optional[float] = None
    last_failure_kind: str = ""
    # The latest evidence about saving: outcome, when, and what gave it (a save or a check).
    can_save: Optional[bool] = None
    save_checked_at: Optional[float] = None
    save_checked_by: str = ""
    can_read: Optional[bool] = None
    read_checked_at: Optional[float] = None
    last_check: Optional[float] = None  # the latest write check attempted, whatever came of it
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(
        self, operation: str, error: Exception, at: Optional[float] = None, log: bool = True
    ) -> None:
        at = self.clock() if at is None else at
        with self._lock:
            self.failures += 1
            self.last_failure = at
            self.last_failure_kind = f"{operation}: {type(error).__name__}"
            self._set(operation, False, at)
        if not log:
            return
        logger.error(
            "Tracker store %s failed (%s). Conversations are NOT being stored: Rasa falls "
            "back to memory until the database is back.",
            operation,
            type(error).__name__,
        )

    def succeeded(self, operation: str, at: Optional[float] = None) -> None:
        at = self.clock() if at is None else at
        with self._lock:
            self._set(operation, True, at)

    def _set(self, operation: str, ok: bool, at: float) -> None:
        # Outcomes are kept newest first: a write check that started before the latest
        # save or read finished is older news.
        if operation in READ_OPERATIONS or operation == WRITE_CHECK:
            if self.read_checked_at is None or at >= self.read_checked_at:
                # A check that got as far as writing read the events table first.
                self.can_read = ok if operation in READ_OPERATIONS else True
                self.read_checked_at = at
            if operation in READ_OPERATIONS:
                return
        if self.save_checked_at is None or at >= self.save_checked_at:
            self.can_save, self.save_checked_at, self.save_checked_by = ok, at, operation

    def _check_due(self, now: float) -> bool:
        """No save within the interval (whatever its outcome: a failed save stands for at
        least that long, so a check that cannot see its cause does not hide it), no
        failed read either, and no check."""

        def lately(at: Optional[float]) -> bool:
            return at is not None and now - at < PROBE_INTERVAL_S

        failed_read_lately = self.can_read is False and lately(self.read_checked_at)
        return not (lately(self.save_checked_at) or failed_read_lately or lately(self.last_check))

    def _check_write(self, store: "MonitoredSQLTrackerStore") -> None:
        started = self.clock()
        self.last_check = started
        try:
            store.check_write()
        except DatabaseBusy:
            return  # another writer has the lock: no news either way
        except WriteCheckFailed as failure:
            reading = failure.operation in READ_OPERATIONS
            known = self.can_read is False if reading else self.can_save is False
            # Already reported: one ERROR per outage, not one per health poll.
            self.failed(failure.operation, failure.error, at=started, log=not known)
            return
        if self.can_save is False or self.can_read is False:
            logger.info("Tracker store write check passed: conversations are stored again")
        self.succeeded(WRITE_CHECK, at=started)

    def report(self) -> Dict[str, Any]:
        """{'ok': bool, ...}: ok when the database answers, and the latest save (or write
        check) and the latest read did not fail."""
        store = self.store
        reachable = store.ping() if store is not None else False
        now = self.clock()
        if store is not None and reachable and self._check_due(now):
            self._check_write(store)
        return {
            "ok": reachable and self.can_save is not False and self.can_read is not False,
            "database_reachable": reachable,
            "can_save": self.can_save,
            "can_read": self.can_read,
            "save_checked_by": self.save_checked_by or None,
            "seconds_since_save_checked": (
                round(now - self.save_checked_at, 1) if self.save_checked_at else None
            ),
            "failures": self.failures,
            "last_failure": self.last_failure_kind or None,
            "seconds_since_last_failure": (
                round(now - self.last_failure, 1) if self.last_failure else None
            ),
        }


class DatabaseBusy(Exception):
    """The write check waited for another writer's lock: it learnt nothing."""


class WriteCheckFailed(Exception):
    """The write check's read or write failed."""

    def __init__(self, operation: str, error: Exception) -> None:
        super().__init__(f"{operation}: {type(error).__name__}")
        self.operation = operation
        self.error = error


def _busy(error: Exception) -> bool:
    """A wait for another transaction's lock ran out (SQLite, PostgreSQL)."""
    original = getattr(error, "orig", error)
    if getattr(original, "pgcode", None) in ("55P03", "57014", "40P01"):
        return True  # lock_not_available, query_canceled (timeout), deadlock_detected
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


HEALTH = StoreHealth()


# On a tracker: how many of its events are in the database already (set by this store).
STORED_EVENTS = "_imuran_stored_events"
_shared_database = False


def conversations_shared_between_servers() -> None:
    """Called by a lock store for several servers: no server may trust its own copy."""
    global _shared_database
    if not _shared_database:
        logger.info("Several servers share the conversations: tracker cache off")
    _shared_database = True


def _event_row(sender_id: str, event: Event) -> Dict[str, Any]:
    """The `events` row Rasa's SQLTrackerStore writes for an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _sqlite_write_ahead_log(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # wait for another writer
    cursor.close()


class MonitoredSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that reports failures; see the module docstring."""

    engine: sa.engine.Engine

    def __init__(
        self,
        domain: Any = None,
        host: Optional[str] = None,
        cache_conversations: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, host=host, **kwargs)
        self.cache_size = max(0, int(cache_conversations or 0))
        self._cache: "OrderedDict[str, DialogueStateTracker]" = OrderedDict()
        engine = self.engine
        if engine.dialect.name == "sqlite":
            engine.dispose()
            # A small pool shared by the event loop and the health check's thread (hence
            # check_same_thread off: each connection is still used by one thread at a time).
            self.engine = sa.create_engine(
                engine.url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                max_overflow=4,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        HEALTH.store = self

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """Rasa's transactional scope, except that no error stops the server.

        Rasa 3.6 turns every ValueError raised inside the scope into `SystemExit`, meant
        for a missing PostgreSQL schema at start-up. But SQLite raises ValueError for a
        lone surrogate in a sender id, and psycopg2 for a NUL byte, so one request could
        stop the server. Here only the schema check keeps that meaning (as a normal
        exception); a failing statement fails its request, which the channel answers.
        """
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as error:
                raise RuntimeError(f"PostgreSQL schema '{error}' was not found") from error
            yield session
        finally:
            session.close()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    def check_write(self) -> None:
        """Reads the events table and inserts one row as a save does, then rolls back.

        Raises WriteCheckFailed (operation "read" or WRITE_CHECK) when the database
        refuses, DatabaseBusy when another writer's lock outlasted the short wait.
        Nothing is kept: no row, no conversation (on PostgreSQL the id sequence moves on,
        which is harmless: ids only need to grow).
        """
        table = self.SQLEvent.__table__
        row = {
            "sender_id": PROBE_SENDER,
            "type_name": "health_check",
            "timestamp": time.time(),
            "intent_name": None,
            "action_name": None,
            "data": "{}",
        }
        operation = "read"
        try:
            with self.engine.connect() as connection:
                sqlite = connection.dialect.name == "sqlite"
                transaction = connection.begin()
                try:
                    if sqlite:
                        connection.exec_driver_sql(f"PRAGMA busy_timeout={PROBE_WAIT_MS}")
                    elif connection.dialect.name == "postgresql":
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {PROBE_WAIT_MS}")
                        connection.exec_driver_sql(
                            f"SET LOCAL statement_timeout = {4 * PROBE_WAIT_MS}"
                        )
                    connection.execute(
                        sa.select(table.c.id).where(table.c.sender_id == PROBE_SENDER).limit(1)
                    )
                    operation = WRITE_CHECK
                    connection.execute(table.insert(), row)
                finally:
                    transaction.rollback()
                    if sqlite:  # the connection goes back to the pool for saves
                        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except Exception as error:
            if _busy(error):
                raise DatabaseBusy() from error
            raise WriteCheckFailed(operation, error) from error

    def _cached(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The cached tracker, if it holds exactly what the database holds."""
        if _shared_database:
            self._cache.clear()
            return None
        tracker = self._cache.get(sender_id)
        if tracker is None:
            return None
        if len(tracker.events) != getattr(tracker, STORED_EVENTS, -1):
            del self._cache[sender_id]  # changed and not saved: the database is right
            return None
        self._cache.move_to_end(sender_id)
        return tracker

    def _remember(self, tracker: DialogueStateTracker) -> None:
        if self.cache_size == 0 or _shared_database:
            return
        sessions = sum(1 for event in tracker.events if type(event) is SessionStarted)
        if sessions > 1:  # Rasa's read returns the last session only: let it
            self._cache.pop(tracker.sender_id, None)
            return
        self._cache[tracker.sender_id] = tracker
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except Exception as error:
            HEALTH.failed(WRITE, error)
            raise
        HEALTH.succeeded(WRITE)
        self._remember(tracker)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Rasa 3.6's `SQLTrackerStore.save`, with two costs taken out (docs/benchmarks.md).

        - Which events are new: Rasa counts the stored events of the conversation's last
          session with a query on every save. A tracker this store read or wrote knows
          that number already (`STORED_EVENTS`); others still ask the database.
        - The new rows go in with one multi-row INSERT instead of one ORM object each.
        Same rows, same columns, same order, one transaction, as before.
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = getattr(tracker, STORED_EVENTS, None)
            if stored is None:
                stored = self._event_query(
                    session, tracker.sender_id, fetch_events_from_all_sessions=False
                ).count()
            rows = [
                _event_row(tracker.sender_id, event)
                for event in itertools.islice(tracker.events, stored, None)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, STORED_EVENTS, len(tracker.events))

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        cached = self._cached(sender_id)
        if cached is not None:
            return cached
        try:
            tracker = await super().retrieve(sender_id)
        except Exception as error:
            HEALTH.failed("read", error)
            raise
        HEALTH.succeeded("read")
        if tracker is not None:
            # All its events are the stored events of the last session (what the count
            # in Rasa's save would find).
            setattr(tracker, STORED_EVENTS, len(tracker.events))
            self._remember(tracker)
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            tracker = await super().retrieve_full_tracker(sender_id)
        except Exception as error:
            HEALTH.failed("read", error)
            raise
        HEALTH.succeeded("read")
        return tracker

    async def keys(self) -> Iterable[str]:
        try:
            keys = await super().keys()
        except Exception as error:
            HEALTH.failed("list", error)
            raise
        HEALTH.succeeded("list")
        return keys
