"""The safety detector as a Rasa NLU component: last in the pipeline, on every message.

It overrides the classifiers' intent when the lexicon finds a current sign, because a
missed infection sign is the worst error this assistant can make; the classifiers' own
emergency is kept when it is confident, since the lexicon cannot know every emergency.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.base import BuiltComponent
from components.intent_override import (
    CONTEXT_RULE,
    DENIABLE,
    FOLLOW_UP_CANDIDATE_KEY,
    LEAFLET,
    OTHER_DRUG_INTENT,
    OTHER_DRUGS_IF_WITHDRAWN_KEY,
    OTHER_DRUGS_KEY,
    SIGNS_DENIED,
    SURE_ANSWER_KEY,
    answer_confidence,
    answer_section,
    answer_threshold,
    intent_confidence,
    override_intent,
)
from components.safety.detection import (
    COUGH,
    EMERGENCY_INTENT,
    FEELING_WELL,
    INFECTION_INTENT,
    Finding,
    detect,
    says_well,
)
from components.safety.lexicon import SafetyLexicon
from components.safety.readings import DEFAULT_LEXICON
from rasa_patches.conversation import TEXTS_KEY

# The least confidence the classifier must have given the intent a withdrawn escalation
# falls back to (the FallbackClassifier's own threshold is 0.6; this is lower on purpose:
# after a withdrawal the runner-up is usually a leaflet question asked about a sign).
NEXT_INTENT_MIN = 0.2
# The calm phrase reason for "this midterm is giving me a whole migraine".
FIGURE_OF_SPEECH = "figure_of_speech"
# Where one clause ends and the next begins, for _complaint_now().
CLAUSE_BREAK = re.compile(r"[.,;:!?\n]+|\bbut\b|\bthough\b|\balthough\b")
ACKNOWLEDGEMENT = "acknowledgement"  # a whole message that only thanks: "ok thanks, bless"
DENIED_RULE = "conversation's escalation withdrawn: the reply denies the signs"
JUST_ASKING = "just_asking"  # "just asking for the future"
YES_WORD = re.compile(r"\b(?:yes|yeah|yep|yup|aye|actually)\b")
# "no no I'm fine now, just planning ahead. that's all, thanks", "none right now, I just
# want to know before the winter" after the signs list: the reply opens by denying, and
# says all is well or that it only asks.
NO_FIRST = re.compile(r"\W*(?:no|nope|nah|naw|not really|none|nothing|not right now|not now)\b")
ANSWERED_QUESTION_RULE = "classifier escalation withdrawn: a question the leaflet answers"
FOLLOW_UP_RULE = "classifier escalation withdrawn: a follow-up question naming no sign"
# The drug the leaflet is about; any other medicine named keeps a withdrawn question from
# a leaflet answer (components/drugs.py sets "drug" entities to generic names).
LEAFLET_DRUG = "azathioprine"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InfectionSignDetector(BuiltComponent):
    """Sets the intent to emergency / report_infection_sign when the lexicon says so."""

    stores_nothing = True  # the lexicon is read from content/ when the server starts

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon": None, "classifier_emergency_min": 0.9}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.classifier_emergency_min = float(config.get("classifier_emergency_min", 0.9))
        path = Path(config.get("lexicon") or DEFAULT_LEXICON)
        self.lexicon = SafetyLexicon(path)
        _silence_medspacy_logging()

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "InfectionSignDetector":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _withdraw(
        self,
        message: Message,
        finding: Finding,
        rule: str = "classifier escalation withdrawn: signs not current",
        classifier_intent: str = INFECTION_INTENT,
    ) -> None:
        """The classifier escalated, but every sign it could have meant is negated,
        asked about, in the past or someone else's, or the message says all is well:
        take the next intent instead. A leaflet answer still has to pass the answer
        guard's threshold."""
        message.set(
            "safety",
            {
                "rule": rule,
                "signs": [],
                "set_aside": finding.set_aside,
                "classifier_intent": classifier_intent,
            },
            add_to_output=True,
        )
        if rule == FOLLOW_UP_RULE:
            # The answer just given, again for its follow-up (components/follow_up.py).
            answer_section(message, str(message.get(FOLLOW_UP_CANDIDATE_KEY)), "follow-up")
            return
        if rule == ANSWERED_QUESTION_RULE:
            # The section the answer model was sure of (components/follow_up.py).
            intent: Dict[str, Any] = {INTENT_NAME_KEY: "leaflet", PREDICTED_CONFIDENCE_KEY: 1.0}
        elif rule == DENIED_RULE:
            # "she's fine, no temp or nothing, just asking for the future" after the signs
            # list: answered like thanks, in words that fit (components/leaflet_nlg.py).
            message.set("follow_up", {"rule": SIGNS_DENIED}, add_to_output=True)
            intent = {INTENT_NAME_KEY: "thanks", PREDICTED_CONFIDENCE_KEY: 1.0}
        else:
            intent = _next_intent(message)
            named = message.get(OTHER_DRUGS_IF_WITHDRAWN_KEY)
            if named and intent.get(INTENT_NAME_KEY) in (LEAFLET, "nlu_fallback"):
                # "Can I take Advil for my back pain, I take imuran too?": no sign, and
                # a question about another medicine (components/answer_guard.py).
                message.set(OTHER_DRUGS_KEY, named, add_to_output=True)
                intent = {INTENT_NAME_KEY: OTHER_DRUG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        name = intent.get(INTENT_NAME_KEY)
        if name == "leaflet" and (answer_confidence(message, "leaflet") or 0.0) < (
            answer_threshold(message)
        ):
            intent = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
        if intent.get(INTENT_NAME_KEY) == "nlu_fallback" and message.get(SURE_ANSWER_KEY):
            # "Fierce wet day here... I'm feeling great... where's the best place to keep
            # them?": the answer the selector was sure of (components/follow_up.py).
            intent = {INTENT_NAME_KEY: "leaflet", PREDICTED_CONFIDENCE_KEY: 1.0}
        override_intent(
            message, str(intent[INTENT_NAME_KEY]), float(intent[PREDICTED_CONFIDENCE_KEY])
        )

    def _process_one(self, message: Message) -> None:
        earlier = (message.get("metadata") or {}).get(TEXTS_KEY) or []
        finding = detect(message.get(TEXT) or "", self.lexicon, earlier=earlier)
        if finding.entities:
            entities = list(message.get(ENTITIES) or []) + finding.entities
            message.set(ENTITIES, entities, add_to_output=True)
        new_intent = finding.intent
        current_intent = message.get(INTENT) or {}
        current = current_intent.get(INTENT_NAME_KEY)
        if new_intent is None and current in (INFECTION_INTENT, EMERGENCY_INTENT):
            rule = self._withdrawal(message, str(current), finding)
            if rule:
                self._withdraw(message, finding, rule, str(current))
                return
        if new_intent is None or current == new_intent:
            return
        if self._sure_emergency(message, current):
            return
        rule = "emergency phrase" if new_intent == EMERGENCY_INTENT else "infection sign"
        if new_intent == INFECTION_INTENT and not finding.signs:
            rule = "too long to read in time"  # unread: treated as a sign (see detect())
        message.set(
            "safety",
            {
                "rule": rule,
                "signs": finding.emergencies + finding.signs,
                "phrases": finding.phrases,
                "classifier_intent": current,
            },
            add_to_output=True,
        )
        override_intent(message, new_intent, 1.0)

    def _withdrawal(self, message: Message, current: str, finding: Finding) -> Optional[str]:
        """Why a classifier's escalation of a message in which the detector found nothing
        current is withdrawn, or None to keep it. An infection report is withdrawn when
        every sign the message names is negated, past, asked about or someone else's,
        or when it says the patient is well and does not turn after saying so ("I feel
        fine but there's a lump"). An emergency only when both hold ("No fever, no
        cough. I am fit as a fiddle"): a wellness claim next to an emergency the lexicon
        has no words for ("I'm fine, the letters are written") keeps it, or when all
        the message holds is a figure of speech. A message that
        is only thanks ("Okay, thank you so much. God bless.", the whole message) never
        escalates, even in a conversation about a sign; otherwise an escalation the
        conversation decided (components/follow_up.py) always stays. An infection report
        with a clause that tells of a complaint now ("no fever that I can tell but she's
        had the runs since last night") stays too: the sign set aside is not the one the
        classifier read."""
        if ACKNOWLEDGEMENT in finding.set_aside:
            return "classifier escalation withdrawn: only thanks"
        text = str(message.get(TEXT) or "").lower().replace("’", "'")
        signs_aside = [s for s in finding.set_aside if s != FEELING_WELL]
        well = says_well(self.lexicon, text, finding)
        context = message.get("safety") or {}
        if context.get(CONTEXT_RULE):
            # The conversation said "a sign"; only the message's own plain denial with
            # all being well takes it back ("he's fine, no temp or nothing, just asking
            # for the future"), never a "yes" or a complaint now.
            denies = (
                context.get(DENIABLE)
                and current == INFECTION_INTENT
                and (set(signs_aside) - {JUST_ASKING} or NO_FIRST.match(text))
                and (well or JUST_ASKING in finding.set_aside)
                and not YES_WORD.search(text)
                and not self._complaint_now(text)
            )
            return DENIED_RULE if denies else None
        # Never after an emergency: the conversation's escalations returned above.
        if self._answered_question(message, current, finding):
            return ANSWERED_QUESTION_RULE
        if current == INFECTION_INTENT and self._follow_up_question(message, finding):
            return FOLLOW_UP_RULE
        if (
            current == EMERGENCY_INTENT
            and self.lexicon.double_up.search(text)
            and not self.lexicon.doses_taken.search(text)
        ):
            return "classifier emergency withdrawn: asks about making up a missed dose"
        if current == EMERGENCY_INTENT and signs_aside and set(signs_aside) == {FIGURE_OF_SPEECH}:
            # "Sick to the back teeth of the WRU", "this orgo midterm is giving me a whole
            # migraine": all the message holds is a figure of speech (over every
            # development text, 228 calm messages and no emergency or sign).
            return "classifier emergency withdrawn: a figure of speech"
        if (
            current == EMERGENCY_INTENT
            and signs_aside
            and not set(signs_aside) & self.lexicon.emergency_categories
            and intent_confidence(message) < self.classifier_emergency_min
        ):
            # "No sore throat anymore, the antibiotic from last month work very good": an
            # unsure emergency whose every sign is denied or over (over the development
            # texts, 7 calm messages and no emergency).
            return "classifier emergency withdrawn: unsure, and no sign named is current"
        # A cough set aside as too short was set aside for its own time cue ("since
        # this morning"), which must not count again as a complaint now.
        if (
            current == INFECTION_INTENT
            and (set(signs_aside) - {COUGH} or well)
            and self._complaint_now(text)
        ):
            return None
        if current == INFECTION_INTENT and signs_aside:
            return "classifier escalation withdrawn: signs not current"
        if well and (current == INFECTION_INTENT or signs_aside):
            return "classifier escalation withdrawn: says all is well"
        if well and intent_confidence(message) < self.classifier_emergency_min:
            # "Feel great today. Walked 2 km along the esplanade. Happy camper" at 0.33: an
            # unsure emergency with no emergency word and all said to be well (over the
            # development texts, 7 calm messages and no emergency; docs/safety.md).
            return "classifier emergency withdrawn: unsure, and says all is well"
        if current == INFECTION_INTENT and not signs_aside and self._illness_over(finding.text):
            # "cut my finger peeling spuds monday, plaster on it, healed up lovely
            # already": no sign phrase to set aside, but the message says it is over
            # (over the development texts, 10 calm messages and no sign).
            return "classifier escalation withdrawn: says it is over"
        return None

    def _sure_emergency(self, message: Message, current: Optional[str]) -> bool:
        """The classifier called it an emergency with at least classifier_emergency_min."""
        return (
            current == EMERGENCY_INTENT
            and intent_confidence(message) >= self.classifier_emergency_min
        )

    def _answered_question(self, message: Message, current: str, finding: Finding) -> bool:
        """A question the lexicon finds no sign, emergency or calm phrase in at all, whose
        answer the answer model is sure of ("Would the tablets make you tired?", "Why he
        needs blood test so often? His small arms are full of marks"): the classifier's
        escalation read a worry, not a complaint. Not an emergency the classifier is sure
        of, and not when another medicine is named (its question is not the leaflet's).
        Over the development questions the classifier alone escalated, the real signs
        and emergencies all had an answer confidence under 0.6 (docs/safety.md)."""
        if not _names_nothing(finding):
            return False
        if not message.get(SURE_ANSWER_KEY) or not self._asks(str(message.get(TEXT) or "")):
            return False
        if self._sure_emergency(message, current):
            return False
        return not _names_another_drug(message)

    @staticmethod
    def _follow_up_question(message: Message, finding: Finding) -> bool:
        """A question leaning on the answer just given (FOLLOW_UP_CANDIDATE_KEY, set by
        components/follow_up.py) in which the lexicon finds no sign, emergency or calm
        phrase at all, and no other medicine: the classifier's infection report read the
        topic ("how long does this queasy feeling go on?"), not a complaint."""
        return (
            _names_nothing(finding)
            and bool(message.get(FOLLOW_UP_CANDIDATE_KEY))
            and not _names_another_drug(message)
        )

    def _asks(self, text: str) -> bool:
        """The message ends with a question mark or opens with a question word."""
        words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
        return (
            text.rstrip().endswith("?") or bool(words) and words[0] in self.lexicon.question_openers
        )

    def _illness_over(self, normalised: str) -> bool:
        """An "over" phrase not taken back ("...but now it's back") and no clause telling
        of a complaint now, in the text the detector read (`Finding.text`)."""
        over = self.lexicon.illness_over.search(normalised)
        return bool(
            over
            and not self.lexicon.illness_back.search(normalised, over.end())
            and not self._complaint_now(normalised)
        )

    def _complaint_now(self, text: str) -> bool:
        """Whether a clause of the (lower-case) text tells of a complaint happening now and
        takes nothing back ("no fever that I can tell but she's had the runs since last
        night": the fever is denied, the runs are not)."""
        return any(
            self.lexicon.current_complaint.search(clause)
            and not self.lexicon.complaint_undone.search(clause)
            and not self.lexicon.illness_over.search(clause)  # "diarrhea stop since saturday"
            for clause in CLAUSE_BREAK.split(text)
        )


def _names_nothing(finding: Finding) -> bool:
    """The lexicon found no sign, emergency or calm phrase in the message at all."""
    return not (finding.signs or finding.emergencies or finding.set_aside or finding.phrases)


def _names_another_drug(message: Message) -> bool:
    """A medicine other than this one is named (components/drugs.py's entities)."""
    return any(
        e.get("entity") == "drug" and e.get("value") != LEAFLET_DRUG
        for e in message.get(ENTITIES) or []
    )


def _next_intent(message: Message) -> Dict[str, Any]:
    """The best-ranked intent that is not an escalation, when the classifier gave it some
    weight; else nlu_fallback, whose clarifying reply carries the safety line ("my son
    has a fever of 39" once got "You're welcome", the next intent at confidence 0.0)."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get(INTENT_NAME_KEY) not in (INFECTION_INTENT, EMERGENCY_INTENT):
            if float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= NEXT_INTENT_MIN:
                return dict(entry)
            break
    return {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}


def _silence_medspacy_logging() -> None:
    """medspaCy's PyRuSH logs every sentence at DEBUG through loguru."""
    try:
        from loguru import logger as loguru_logger

        loguru_logger.disable("PyRuSH")
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        pass
