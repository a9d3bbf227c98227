"""action_handoff: a person, the clinic or an appointment, depending on live-chat hours."""

from __future__ import annotations

from datetime import datetime
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.live_chat import ClinicAction
from actions.nurse_handoff import hand_to_nurse
from clinic.hours import ClinicSettings, next_opening_phrase, open_until, where_to_chat
from clinic.wording import SAFETY_LINE


def handoff_message(settings: ClinicSettings, now: datetime) -> str:
    """The reply for a request to reach a person, given the clinic and the time."""
    appointment = "To ask for an appointment, use the Request an Appointment page."
    if settings.live_chat.is_open(now):
        return (
            f"A nurse is on the clinic's live chat now, until {open_until(settings, now)}. "
            f"Open the live chat on {where_to_chat(settings)} to talk to them. {appointment}"
        )
    return (
        "The clinic's live chat is closed right now. It opens again "
        f"{next_opening_phrase(settings, now)}. Until then: {SAFETY_LINE} Don't wait for the "
        f"chat. {appointment} In an emergency, call {settings.emergency_number}."
    )


class ActionHandoff(ClinicAction):
    """In hours: queues the conversation for a nurse (or points to the live chat when no
    queue is configured); out of hours says when the chat opens and what to do."""

    def name(self) -> str:
        return "action_handoff"

    async def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        settings: ClinicSettings,
        now: datetime,
    ) -> List[EventType]:
        if settings.live_chat.is_open(now):
            events = await hand_to_nurse(dispatcher, tracker, "asked_for_person", settings, now)
            if events is not None:
                return events
        dispatcher.utter_message(text=handoff_message(settings, now))
        return []
