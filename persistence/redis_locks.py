"""Rasa's Redis lock store with its read-modify-write steps made atomic across servers.

Found by tests/e2e/test_scale_out.py (a burst from one sender over two Rasa servers):
Rasa 3.6's RedisLockStore issues a ticket by reading the conversation's lock from Redis,
adding the ticket and writing the lock back, with nothing stopping two servers from doing
that at the same moment. One ticket is then overwritten, the lock can be deleted while
that server still waits on it, and the message fails with "Could not acquire lock" (the
user gets the "please try again" reply; the turn is not stored).

Here every such step (issue a ticket, refresh, finish and clean up) is one optimistic Redis
transaction (WATCH the lock, change it, MULTI/EXEC; redis-py's `transaction` retries at once
when another server changed it in between). Nothing sleeps: a first version used a Redis
mutex, whose client polls every 100 ms while blocking the server's event loop, and that
alone let a later message get an earlier ticket on the other server.

A message waiting for the one before it checks the lock every 50 ms instead of Rasa's 1 s,
so the second of two quick messages is not held up to a second longer than needed.

A ticket is issued when a server's event loop takes the message up, so a server with this
store understands messages off the event loop (rasa_patches/nlu_thread.py): a server busy
understanding one message still takes up the next at once (bursts measured in
docs/production.md). Several servers write the same conversations, so it also turns off
the tracker store's cache of recent conversations (persistence/monitored_store.py).

In endpoints: `lock_store: {type: persistence.redis_locks.AtomicRedisLockStore, url, port,
db, password}` (the same settings as Rasa's `type: redis`).
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from persistence import monitored_store

WAIT_BETWEEN_CHECKS_S = 0.05
T = TypeVar("T")
# What a change does with the lock: keep (save) it, or delete it.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore with atomic ticket handling; see the module docstring."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        settings.update(kwargs)
        host = (endpoint_config.url if endpoint_config else None) or settings.pop(
            "host", "localhost"
        )
        settings.pop("type", None)
        super().__init__(host=host, **settings)
        monitored_store.conversations_shared_between_servers()  # no server's copy is safe

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        """Read the lock, apply `change`, write the result; all or nothing, retried."""
        key = self.key_prefix + conversation_id

        def step(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is None:
                if lock is not None:
                    pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())
            return result

        result: T = self.red.transaction(step, key, value_from_callable=True)
        return result

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, issue)
        except Exception as e:  # as Rasa's: the caller handles LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        def refresh(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, refresh)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, finish)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_BETWEEN_CHECKS_S,
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock
