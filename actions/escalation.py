"""action_escalate_infection: runs after utter_infection_warning.

The warning itself (call your doctor now) is a plain response so it reaches the user even
when this action server is down; this action adds what depends on the message, the clinic
and the time:
1. what was noticed (signs, temperature, since when), so the user can tell the doctor;
2. a durable escalation record for clinical review (actions/escalation_record.py);
3. in live-chat hours the nurse: the conversation goes to the nurse queue with a summary
   and the bot pauses (actions/nurse_handoff.py), or, with no queue configured, the live
   chat is offered; after hours, guidance on what to do now;
4. when the same message also asked a leaflet question, the answer to it, after all that.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation_record import append_record, escalation_record
from actions.live_chat import ClinicAction
from actions.nurse_handoff import hand_to_nurse
from clinic.hours import ClinicSettings, next_opening_phrase, open_until, where_to_chat
from clinic.names import SIGN_NAMES, UNNAMED_SIGN

logger = logging.getLogger(__name__)

# A leaflet question asked next to a sign is answered when its answer scores this high.
SIDE_QUESTION_MIN_CONFIDENCE = 0.6
NOT_SIDE_QUESTIONS = {"infection_warning_signs"}  # the warning already covers it


def noticed_message(latest_message: Dict[str, Any]) -> Optional[str]:
    """'I noticed: a fever (38.6 °C), chills, since Monday.' or None when nothing was found."""
    entities = latest_message.get("entities") or []
    signs: List[str] = []
    for entity in entities:
        if entity.get("entity") == "infection_sign":
            name = SIGN_NAMES.get(str(entity.get("value")), UNNAMED_SIGN)
            if name not in signs:
                signs.append(name)
    temperatures = [str(e["value"]) for e in entities if e.get("entity") == "temperature"]
    durations = [str(e["value"]) for e in entities if e.get("entity") == "duration"]
    if not signs and not temperatures:
        return None
    parts = ", ".join(signs) if signs else "a temperature"
    if temperatures:
        parts += f" ({', '.join(temperatures)})"
    if durations:
        parts += f", {durations[0]}"
    return f"I noticed: {parts}. Tell your doctor this when you call."


def side_question(latest_message: Dict[str, Any]) -> Optional[str]:
    """The leaflet section of a question asked next to the sign, if one was asked.

    The message must ask something ("?") and the ResponseSelector must be sure of the
    section; the warning-signs section is left out, the warning already covers it.
    """
    text = str(latest_message.get("text") or "")
    selector = (latest_message.get("response_selector") or {}).get("leaflet") or {}
    response = selector.get("response") or {}
    key = str(response.get("intent_response_key") or "")
    confidence = float(response.get("confidence") or 0.0)
    section = key.split("/", 1)[1] if key.startswith("leaflet/") else ""
    asked = "?" in text and confidence >= SIDE_QUESTION_MIN_CONFIDENCE
    return section if asked and section and section not in NOT_SIDE_QUESTIONS else None


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


class ActionEscalateInfection(ClinicAction):
    """Says what was noticed, records it, offers the nurse, then answers a side question."""

    def name(self) -> str:
        return "action_escalate_infection"

    async def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        settings: ClinicSettings,
        now: datetime,
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        noticed = noticed_message(latest)
        if noticed:
            dispatcher.utter_message(text=noticed, kind="notice")
        try:
            record = escalation_record(latest, tracker.sender_id, now)
            # In a thread: the append waits while `make erase` rewrites the file.
            await asyncio.to_thread(append_record, record)
        except Exception:
            # The user must still get the guidance, whatever went wrong with the record;
            # the failure is for the operators.
            logger.exception("Could not write the escalation record")
        events = None
        if settings.live_chat.is_open(now):
            events = await hand_to_nurse(dispatcher, tracker, "infection_signs", settings, now)
        if events is None:
            # What to do now: shown as urgent as the warning itself (clinic/message_kind.py).
            dispatcher.utter_message(text=escalation_message(settings, now), kind="urgent")
        section = side_question(latest)
        if section:
            dispatcher.utter_message(text="About your question:")
            dispatcher.utter_message(response=f"utter_leaflet/{section}")
        return events or []
