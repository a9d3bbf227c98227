"""action_answer_second_question: the answer to the second question of a message.

"How do I store it and what if I miss a dose?": the server answers the first question
with its section (utter_leaflet) and names the second question's section in a
`second_question` entity (rasa_patches/two_questions.py); this action sends that
section's answer as a reply of its own, cited like every leaflet answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

ENTITY = "second_question"
RESPONSE_PREFIX = "utter_leaflet/"


def second_section(tracker: Tracker, domain: Dict[str, Any]) -> Optional[str]:
    """The section the latest message's second question asks about, when the domain has
    an answer for it (the entity comes from the server; a stale or forged one is ignored)."""
    known = (domain or {}).get("responses") or {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == ENTITY:
            section = str(entity.get("value") or "")
            if not known or RESPONSE_PREFIX + section in known:
                return section
    return None


class ActionAnswerSecondQuestion(Action):
    def name(self) -> str:
        return "action_answer_second_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        section = second_section(tracker, domain)
        if section is not None:
            dispatcher.utter_message(response=RESPONSE_PREFIX + section)
        return []
