"""Hand a conversation to a nurse in live-chat hours: queue it, tell the user, pause the bot.

Shared by action_handoff (the user asked for a person) and action_escalate_infection (the
user reported a sign). With no queue configured (HANDOFF_WEBHOOK_URL unset) nothing is
sent and the caller gives its usual live-chat directions. When the queue cannot be
reached after the retries, the user is told so and what to do instead; the bot is not
paused, because nobody is coming.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from clinic.hours import ClinicSettings, where_to_chat
from clinic.nurse_queue import QueueConfig, build_summary, deliver
from clinic.wording import DONT_WAIT_FOR_NURSE

QUEUED = (
    "I've passed your conversation to the clinic's nurse team, with what you told me. A "
    "nurse will reply here as soon as they can. Until then I'll pass your messages on."
)


def queue_failed_message(settings: ClinicSettings) -> str:
    return (
        "I couldn't reach the nurse team just now. Please open the live chat on "
        f"{where_to_chat(settings)}, or phone the clinic. {DONT_WAIT_FOR_NURSE} In an emergency, "
        f"call {settings.emergency_number}."
    )


async def hand_to_nurse(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    settings: ClinicSettings,
    now: datetime,
    config: Optional[QueueConfig] = None,
) -> Optional[List[EventType]]:
    """Queues the conversation; None when no queue is configured (caller falls back).

    Returns the events to apply: [ConversationPaused()] once the queue has it, [] when
    delivery failed (the user has been told what to do instead).
    """
    config = config or QueueConfig.from_env()
    if not config.enabled:
        return None
    result = await deliver(build_summary(tracker, reason, now), config)
    if result.ok:
        dispatcher.utter_message(text=f"{QUEUED} {DONT_WAIT_FOR_NURSE}", kind="notice")
        return [ConversationPaused()]
    dispatcher.utter_message(text=queue_failed_message(settings), kind="urgent")
    return []
