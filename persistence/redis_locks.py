"""Rasa's Redis lock store with its read-modify-write steps made atomic across servers.

Found by tests/e2e/test_scale_out.py (a burst from one sender over two Rasa servers):
Rasa 3.6's RedisLockStore issues a ticket by reading the conversation's lock from Redis,
adding the ticket and writing the lock back, with nothing stopping two servers from doing
that at the same moment. One ticket is then overwritten, the lock can be deleted while
that server still waits on it, and the message fails with "Could not acquire lock" (the
user gets the "please try again" reply; the turn is not stored). Here every such step
(issue a ticket, refresh, finish and clean up) runs under a short Redis mutex per
conversation (redis-py's Lock: SET NX with an expiry), so tickets are issued in arrival
order and never lost.

In endpoints: `lock_store: {type: persistence.redis_locks.AtomicRedisLockStore, url, port,
db, password}` (the same settings as Rasa's `type: redis`).
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

MUTEX_TIMEOUT_S = 5  # a step takes milliseconds; the expiry only guards a crashed server


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

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_TIMEOUT_S,
            blocking_timeout=MUTEX_TIMEOUT_S,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
