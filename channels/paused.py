"""What a user hears while a nurse has the conversation (the bot is paused).

`action_handoff` and the escalation pause the conversation (Rasa's ConversationPaused)
once the nurse queue has it. Rasa then still reads each new message (NLU runs, the turn is
stored) but says nothing. Silence is not acceptable, so every channel calls
`reply_while_paused` after a message: it tells the user the nurse has their conversation,
passes the message on to the nurse queue, and still gives the infection or emergency
warning when the message reports one, because safety does not wait for a person.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Set

from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.hours import default_settings
from clinic.nurse_queue import QueueConfig, deliver, staff_text
from clinic.wording import SAFETY_LINE, fill

logger = logging.getLogger(__name__)
# Forwarding runs beside the reply (a slow queue must not delay it); keep references so
# the tasks are not garbage-collected before they finish.
_forwarding: Set["asyncio.Task[None]"] = set()

HELD_REPLY = (
    "A nurse has your conversation and will answer here; I've passed your message on. "
    f"{SAFETY_LINE} Don't wait for the reply."
)
WARNING_OF_INTENT = {
    "report_infection_sign": "utter_infection_warning",
    "emergency": "utter_emergency",
}


def response_text(agent: Any, name: str) -> Optional[str]:
    """The first text variation of a domain response, or None."""
    variations = (agent.domain.responses or {}).get(name) or []
    if not variations:
        return None
    return fill(str(variations[0].get("text")), default_settings())


async def paused_tracker(agent: Any, sender_id: str) -> Optional[DialogueStateTracker]:
    """The conversation's tracker when it is paused for a nurse, else None."""
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker if tracker is not None and tracker.is_paused() else None


def held_messages(agent: Any, tracker: DialogueStateTracker) -> List[Dict[str, str]]:
    """The warning the message calls for (if any), then the 'a nurse has it' notice."""
    messages: List[Dict[str, str]] = []
    intent = str((tracker.latest_message.intent or {}).get("name") or "")
    warning = WARNING_OF_INTENT.get(intent)
    text = response_text(agent, warning) if warning else None
    if warning and text:
        messages.append({"text": text, "utter_action": warning})
    messages.append({"text": HELD_REPLY, "kind": "notice"})
    return messages


async def forward_to_nurse(tracker: DialogueStateTracker) -> None:
    """Passes the patient's new message to the nurse queue (best effort, logged)."""
    config = QueueConfig.from_env()
    if not config.enabled:
        return
    summary = {
        "reason": "patient_message",
        "conversation_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "transcript": [{"from": "user", "text": tracker.latest_message.text or ""}],
        "sent_at": datetime.now(timezone.utc).isoformat(),
    }
    summary["text"] = staff_text(summary)  # a Slack incoming webhook refuses one without
    result = await deliver(summary, config)
    if not result.ok:
        logger.error(
            "Could not pass a message to the nurse queue (conversation %s)",
            tracker.sender_id,
        )


async def reply_while_paused(
    agent: Any, sender_id: str, output: OutputChannel, replied: bool
) -> bool:
    """After a message was handled: if the bot is paused, reply for it. True if it did.

    `replied`: whether the bot already said something this turn. Every turn of an active
    conversation says something, so then there is nothing to check; this keeps a second
    tracker read (a measurable share of the server's time, docs/benchmarks.md) off the
    normal path.
    """
    if replied:
        return False
    tracker = await paused_tracker(agent, sender_id)
    if tracker is None:
        return False
    for message in held_messages(agent, tracker):
        text = message.pop("text")
        await output.send_text_message(sender_id, text, **message)
    task = asyncio.create_task(forward_to_nurse(tracker))
    _forwarding.add(task)
    task.add_done_callback(_forwarding.discard)
    return True
