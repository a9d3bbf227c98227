"""The NLU graph runs in the NLU thread, and parse_message returns what Rasa's would."""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.processor import MessageProcessor

import rasa_patches
from rasa_patches import nlu_thread


class FakeProcessor:
    """Just what parse_message uses; the graph run records the thread it ran on."""

    http_interpreter = None

    def __init__(self) -> None:
        self.threads: List[str] = []
        self.steps: List[str] = []

    def _parse_message_with_graph(
        self, message: UserMessage, tracker: Any, only_output_properties: bool
    ) -> Dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        self.steps.append("graph")
        assert tracker.sender_id == message.sender_id
        return {"text": message.text, "intent": {"name": "leaflet"}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: Dict[str, Any]) -> None:
        self.steps.append("retrieval")
        parse_data["intent"]["full_retrieval_intent_name"] = "leaflet/storage"

    def _check_for_unseen_features(self, parse_data: Dict[str, Any]) -> None:
        self.steps.append("unseen")


def test_install_puts_the_dispatching_parse_in_place() -> None:
    assert rasa_patches.install() == rasa_patches.install()
    assert MessageProcessor.parse_message is nlu_thread.parse_message


@pytest.mark.asyncio
async def test_only_a_processor_with_a_redis_lock_store_parses_in_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: List[str] = []

    async def on_loop(*_: Any, **__: Any) -> Dict[str, Any]:
        calls.append("loop")
        return {}

    async def in_thread(*_: Any, **__: Any) -> Dict[str, Any]:
        calls.append("thread")
        return {}

    monkeypatch.setattr(nlu_thread, "_original_parse_message", on_loop)
    monkeypatch.setattr(nlu_thread, "parse_message_in_thread", in_thread)
    single, shared = FakeProcessor(), FakeProcessor()
    single.lock_store = InMemoryLockStore()  # type: ignore[attr-defined]
    shared.lock_store = RedisLockStore.__new__(RedisLockStore)  # type: ignore[attr-defined]
    message = UserMessage("hi", sender_id="s0")
    await nlu_thread.parse_message(single, message)  # type: ignore[arg-type]
    await nlu_thread.parse_message(shared, message)  # type: ignore[arg-type]
    assert calls == ["loop", "thread"]


@pytest.mark.asyncio
async def test_the_graph_runs_off_the_event_loop_and_the_steps_keep_their_order() -> None:
    fake = FakeProcessor()
    parsed = await nlu_thread.parse_message_in_thread(
        fake, UserMessage("how do I store it?", sender_id="s1")  # type: ignore[arg-type]
    )
    assert fake.threads and fake.threads[0].startswith("nlu")
    assert fake.threads[0] != threading.current_thread().name
    assert fake.steps == ["graph", "retrieval", "unseen"]
    assert parsed["intent"]["full_retrieval_intent_name"] == "leaflet/storage"
    assert parsed["text"] == "how do I store it?"


@pytest.mark.asyncio
async def test_an_error_in_the_graph_reaches_the_caller() -> None:
    fake = FakeProcessor()

    def broken(*_: Any) -> Dict[str, Any]:
        raise RuntimeError("graph failed")

    fake._parse_message_with_graph = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="graph failed"):
        await nlu_thread.parse_message_in_thread(
            fake, UserMessage("x", sender_id="s2")  # type: ignore[arg-type]
        )
