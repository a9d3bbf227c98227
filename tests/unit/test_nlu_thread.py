"""The NLU graph runs in the NLU thread, and parse_message returns what Rasa's would."""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from channels import nlu_thread


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


def test_apply_installs_the_threaded_parse_once() -> None:
    assert nlu_thread.apply() is True
    assert nlu_thread.apply() is True
    assert MessageProcessor.parse_message is nlu_thread.parse_message_in_thread


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
