"""Understand each message in one worker thread, off the server's event loop.

Why: Rasa 3.6.21 runs the NLU graph (featurizers, DIET, ResponseSelector, our guard and
safety detector: the largest share of a turn's CPU, docs/benchmarks.md) synchronously
inside its event loop. While it runs the server takes up nothing else: not a health check,
not the lock ticket of the next message. Behind nginx's round robin that made the order of
one sender's quick messages depend on which server happened to be busy (seen in CI: a
message that arrived later got its ticket first on the idle server; docs/production.md).
With the parse in a thread, the loop stays free to take up requests as they arrive.

One thread, not a pool: the graph components were not written for concurrent calls, and
answers keep being understood one at a time per server, as before. The rest of
`MessageProcessor.parse_message` is unchanged (the same order of steps as 3.6.21's).

Used only by a processor whose lock store is Redis's, that is where several servers share
conversations. A single server does not need it (one event loop already takes messages up
in order), and there the hand-over between threads costs throughput (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional

from rasa.core import processor as rasa_processor
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import RedisLockStore
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_patches.conversation import with_context
from rasa_patches.long_message import focus_on_the_question
from rasa_patches.two_questions import add_second_question

logger = logging.getLogger(__name__)

_executor: Optional[ThreadPoolExecutor] = None
_original_parse_message = MessageProcessor.parse_message


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _executor


async def parse_message_in_thread(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """`MessageProcessor.parse_message` with the graph run handed to the NLU thread."""
    if self.http_interpreter:
        return await _original_parse_message(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data: Dict[str, Any] = await asyncio.get_running_loop().run_in_executor(
        executor(),
        self._parse_message_with_graph,
        message,
        tracker,
        only_output_properties,
    )
    self._update_full_retrieval_intent(parse_data)
    rasa_processor.structlogger.debug(
        "processor.message.parse",
        parse_data_text=parse_data["text"],
        parse_data_intent=parse_data["intent"],
        parse_data_entities=parse_data["entities"],
    )
    self._check_for_unseen_features(parse_data)
    return parse_data


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """In the NLU thread where several servers share conversations (a Redis lock store),
    on the event loop otherwise (where the hand-over would only cost throughput); either
    way with the bot's recent replies on the message (rasa_patches/conversation.py), a
    long unsure message read again from its question (rasa_patches/long_message.py), and
    a second leaflet question of the same message found (rasa_patches/two_questions.py)."""
    with_context(message, tracker)
    parse = (
        parse_message_in_thread
        if isinstance(getattr(self, "lock_store", None), RedisLockStore)
        else _original_parse_message
    )

    async def parse_one(one: UserMessage) -> Dict[str, Any]:
        return await parse(self, one, tracker, only_output_properties)

    parse_data = await focus_on_the_question(message, await parse_one(message), parse_one)
    return await add_second_question(message, parse_data, parse_one)
