"""action_escalate_infection: runs after utter_infection_warning.

The warning itself (call your doctor now) is a plain response so it reaches the user even
when this action server is down; this action adds what depends on the clinic and the time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_hours import ClinicSettings, default_settings
from actions.live_chat import next_opening_phrase, open_until, utc_now, where_to_chat


def escalation_message(settings: ClinicSettings, now: datetime) -> str:
    """Nurse offer in live-chat hours, after-hours guidance otherwise."""
    if settings.live_chat.is_open(now):
        return (
            "Call your doctor first. A nurse is also on the clinic's live chat until "
            f'{open_until(settings, now)}, on {where_to_chat(settings)}. Type "nurse" '
            "and I will tell you how to reach them."
        )
    return (
        "The clinic's live chat is closed now (it opens "
        f"{next_opening_phrase(settings, now)}), so please don't wait for it: call your "
        "doctor's office now, even outside office hours. If you feel very unwell or can't "
        f"reach anyone, call {settings.emergency_number} or go to the emergency room."
    )


class ActionEscalateInfection(Action):
    """Adds the nurse offer or after-hours guidance to the infection warning."""

    def __init__(
        self,
        clock: Callable[[], datetime] = utc_now,
        settings: Optional[ClinicSettings] = None,
    ) -> None:
        self._clock = clock
        self._settings = settings

    def name(self) -> str:
        return "action_escalate_infection"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        settings = self._settings or default_settings()
        dispatcher.utter_message(text=escalation_message(settings, self._clock()))
        return []
