"""Reading and overriding a message's intent: shared by the guard and the safety detector."""

from __future__ import annotations

from typing import Optional

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

RESPONSE_SELECTOR_KEY = "response_selector"
# The answer guard's threshold, left on the message for the safety detector: a leaflet
# answer must pass the same threshold whichever component decides it (one setting, in
# config.yml under the guard).
ANSWER_THRESHOLD_KEY = "answer_threshold"
DEFAULT_ANSWER_THRESHOLD = 0.4
# Why the answer guard chose the intent, when it did ("uncovered topic 'alcohol'"): kept
# in the parse so a reader sees it, and so later components leave its decisions alone.
GUARD_KEY = "answer_guard"
# Set in the "safety" entry of a message escalated because of the conversation ("yes" to
# "Do you have any of these signs now?"): the safety detector never withdraws it, even
# where the message alone names no current sign ("no temperature though, does that
# matter?" right after an escalation). Context never lowers safety.
CONTEXT_RULE = "from_conversation"
# Set beside CONTEXT_RULE where the conversation, not the patient, said "a sign" (a
# statement after the signs list, anything after an escalation): the detector may still
# withdraw it when the message itself denies the signs and says all is well ("he's fine,
# no temp or nothing, just asking for the future"). Never set for a "yes" or after an
# emergency.
DENIABLE = "deniable"
# The follow_up rule of such a message: answered like thanks, in words that fit ("Good to
# hear...", components/leaflet_nlg.py), not "Sorry, I'm not sure what you mean".
SIGNS_DENIED = "signs denied"
# The section the answer selector chose near-certainly for a message that names no topic
# the leaflet leaves out (set by components/follow_up.py): the answer a message the
# intent classifier could not place still gets, whichever component leaves it unplaced.
SURE_ANSWER_KEY = "sure_answer"
# The section just answered, left by components/follow_up.py on a message the classifier
# escalated that reads as a question leaning on that answer ("so if I take it after
# breakfast it will help?" after the nausea answer): the safety detector answers it
# there when it finds no sign, emergency or calm phrase in the message at all.
FOLLOW_UP_CANDIDATE_KEY = "follow_up_candidate"
# The other medicines an escalated message names, set by the answer guard: when the safety
# detector withdraws the escalation, the question gets the "not covered" reply for them
# ("Can I take Advil for my back pain?"), never a leaflet answer.
OTHER_DRUGS_IF_WITHDRAWN_KEY = "other_drugs_if_withdrawn"
OTHER_DRUGS_KEY = "other_drugs"
OTHER_DRUG_INTENT = "other_drug"
LEAFLET = "leaflet"
ANSWER_PREFIX = "utter_leaflet/"


def answer_threshold(message: Message) -> float:
    """The threshold a leaflet answer must reach for this message."""
    return float(message.get(ANSWER_THRESHOLD_KEY) or DEFAULT_ANSWER_THRESHOLD)


def intent_confidence(message: Message) -> float:
    """The classifier's confidence in the message's intent (0.0 when it has none)."""
    return float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def answer_confidence(message: Message, retrieval_intent: str) -> Optional[float]:
    """Confidence of the answer the ResponseSelector chose, or None when it chose none."""
    selector = message.get(RESPONSE_SELECTOR_KEY) or {}
    response = (selector.get(retrieval_intent) or {}).get("response") or {}
    confidence = response.get(PREDICTED_CONFIDENCE_KEY)
    return float(confidence) if confidence is not None else None


def answer_key(message: Message, retrieval_intent: str) -> Optional[str]:
    """The chosen answer's key, e.g. 'leaflet/storage', or None."""
    selector = message.get(RESPONSE_SELECTOR_KEY) or {}
    response = (selector.get(retrieval_intent) or {}).get("response") or {}
    key = response.get("intent_response_key")
    return str(key) if key else None


def override_intent(message: Message, name: str, confidence: float) -> None:
    """Makes `name` the message's intent and puts it first in the ranking."""
    new_intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    ranking = [
        entry
        for entry in (message.get(INTENT_RANKING_KEY) or [])
        if entry.get(INTENT_NAME_KEY) != name
    ]
    message.set(INTENT, new_intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [new_intent, *ranking], add_to_output=True)


def answer_section(message: Message, section: str, rule: str) -> None:
    """Makes the message a leaflet question answered by `section`."""
    selector = dict(message.get(RESPONSE_SELECTOR_KEY) or {})
    chosen = dict(selector.get(LEAFLET) or {})
    chosen["response"] = {
        **(chosen.get("response") or {}),
        "intent_response_key": f"{LEAFLET}/{section}",
        "utter_action": f"{ANSWER_PREFIX}{section}",
        PREDICTED_CONFIDENCE_KEY: 1.0,
    }
    selector[LEAFLET] = chosen
    message.set(RESPONSE_SELECTOR_KEY, selector, add_to_output=True)
    message.set("follow_up", {"rule": rule, "section": section}, add_to_output=True)
    override_intent(message, LEAFLET, 1.0)
