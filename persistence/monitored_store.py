"""Rasa's SQL tracker store (SQLite by default, PostgreSQL in production) that is never
silent about failing.

Rasa wraps every tracker store in a fail-safe: when the database fails, a read returns an
empty conversation and a write goes to memory (lost on restart), and the user notices
nothing. That must not go unseen, so this store
- logs each failure at ERROR with the operation and the error type (never message text),
- keeps a health record (`HEALTH`) that the `/webhooks/rest/health` endpoint reports, with
  a live `SELECT 1` when asked, so a load balancer or monitor sees the server degraded,
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
from typing import Any, Dict, Iterable, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)


@dataclass
class StoreHealth:
    """The tracker store's last failure and last success, for the health endpoint."""

    store: Optional["MonitoredSQLTrackerStore"] = None
    failures: int = 0
    last_failure: Optional[float] = None
    last_failure_kind: str = ""
    last_success: Optional[float] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            self.failures += 1
            self.last_failure = time.time()
            self.last_failure_kind = f"{operation}: {type(error).__name__}"
        logger.error(
            "Tracker store %s failed (%s). Conversations are NOT being stored: Rasa falls "
            "back to memory until the database is back.",
            operation,
            type(error).__name__,
        )

    def succeeded(self) -> None:
        self.last_success = time.time()

    def report(self) -> Dict[str, Any]:
        """{'ok': bool, ...}: ok when a live check passes and nothing failed since."""
        reachable = self.store.ping() if self.store is not None else False
        recovered = self.last_failure is None or (
            self.last_success is not None and self.last_success > self.last_failure
        )
        return {
            "ok": reachable and recovered,
            "database_reachable": reachable,
            "failures": self.failures,
            "last_failure": self.last_failure_kind or None,
            "seconds_since_last_failure": (
                round(time.time() - self.last_failure, 1) if self.last_failure else None
            ),
        }


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
    cursor.execute("PRAGMA busy_timeout=5000")  # wait for another writer, don't fail
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
            HEALTH.failed("save", error)
            raise
        HEALTH.succeeded()
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
        HEALTH.succeeded()
        if tracker is not None:
            # All its events are the stored events of the last session (what the count
            # in Rasa's save would find).
            setattr(tracker, STORED_EVENTS, len(tracker.events))
            self._remember(tracker)
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve_full_tracker(sender_id)
        except Exception as error:
            HEALTH.failed("read", error)
            raise

    async def keys(self) -> Iterable[str]:
        try:
            return await super().keys()
        except Exception as error:
            HEALTH.failed("list", error)
            raise
