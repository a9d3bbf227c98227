"""Final say on the intent of a turn, after the classifiers and the FallbackClassifier.

Decisions the stock pipeline cannot make:

1. Safety first. The FallbackClassifier demotes any low or ambiguous prediction to
   ``nlu_fallback``. For a reported infection sign or an emergency that would trade an
   escalation for a "sorry, I didn't get that". If a safety intent still scores at least
   ``safety_threshold`` in the ranking, that intent wins: a false alarm costs a phone call,
   a missed one can cost a life.
2. The retrieval trap. ``leaflet`` is one intent for all sections, so it can score 0.99 while
   the ResponseSelector's chosen answer scores 0.2. Below ``answer_threshold`` for the chosen
   answer the turn becomes ``nlu_fallback``: never a confident near-miss answer.
3. No words we know. An empty, emoji-only or punctuation-only message, or one in which no
   word was ever seen in training ("zorp blam quix"), is ``nlu_fallback``: classifier
   confidence means nothing on vocabulary it never saw. (Typos of warning signs are still
   caught by the safety detector, which runs after this component.)
4. Not in the leaflet. A message that names a topic the leaflet does not cover
   (content/uncovered_topics.yml: other drugs, alcohol, food...) is ``out_of_scope``
   even when the classifier picked a section: an answer about something else would be a
   confident near miss.
5. Another medicine. A message that names a medicine other than azathioprine (the
   ``drug`` entities of components/drugs.py) gets ``other_drug``, the honest "the leaflet
   does not cover <medicine>; ask your pharmacist", unless the sources name that medicine
   for the chosen section (content/other_drugs.yml). Checked before rules 2-4: a weak
   or missing answer to a question about ibuprofen still deserves the reply that names it.
6. Asking for a person (content/handoff_phrases.yml: a nurse, a call-back, an
   appointment, a complaint, the live chat's hours) is ``request_human`` whatever the
   classifier chose, except a safety intent. Checked first.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.content import CONTENT_DIR
from components.base import BuiltComponent
from components.drugs import DRUG_ENTITY, OtherDrugPolicy
from components.intent_override import (
    ANSWER_THRESHOLD_KEY,
    DEFAULT_ANSWER_THRESHOLD,
    GUARD_KEY,
    OTHER_DRUG_INTENT,
    OTHER_DRUGS_IF_WITHDRAWN_KEY,
    OTHER_DRUGS_KEY,
    RESPONSE_SELECTOR_KEY,
    answer_confidence,
    answer_key,
    override_intent,
)
from components.phrases import PersonRequests, uncovered_pattern

logger = logging.getLogger(__name__)

TOKENS_KEY = "text_tokens"  # set by the tokenizer earlier in the pipeline
VOCABULARY_FILE = "vocabulary.json"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Intents an answer about another medicine replaces; safety intents and requests for a
# person are never replaced.
ANSWERING_INTENTS = {
    "leaflet",
    OUT_OF_SCOPE_INTENT,
    OTHER_DRUG_INTENT,
    DEFAULT_NLU_FALLBACK_INTENT_NAME,
}
DEFAULT_OTHER_DRUGS = CONTENT_DIR / "other_drugs.yml"
DEFAULT_PERSON_REQUESTS = CONTENT_DIR / "handoff_phrases.yml"
HANDOFF_INTENT = "request_human"
# A request for a person overrides every intent but these.
ESCALATING_INTENTS = {"emergency", "report_infection_sign"}
KEEPS_ITS_INTENT = {*ESCALATING_INTENTS, HANDOFF_INTENT}
DEFAULT_UNCOVERED = CONTENT_DIR / "uncovered_topics.yml"


def has_words(text: Optional[str]) -> bool:
    """True when the text holds at least one letter or digit (in any script)."""
    return bool(text) and any(ch.isalnum() for ch in text)  # type: ignore[union-attr]


def token_texts(message: Message) -> List[str]:
    return [token.text.lower() for token in (message.get(TOKENS_KEY) or [])]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnswerConfidenceGuard(BuiltComponent):
    """Overrides the turn's intent for safety, weak answers and word-less messages."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Defaults; config.yml sets the measured values."""
        return {
            "retrieval_intent": "leaflet",
            "answer_threshold": DEFAULT_ANSWER_THRESHOLD,
            "safety_intents": ["emergency", "report_infection_sign"],
            "safety_threshold": 0.3,
            "uncovered_topics": None,
            "other_drugs": None,
            "person_requests": None,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        vocabulary: Optional[Set[str]] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        # None until trained: then the known-words rule is off (unit tests, old models).
        self.vocabulary = vocabulary
        self.retrieval_intent: str = config["retrieval_intent"]
        self.answer_threshold: float = float(config["answer_threshold"])
        self.safety_intents: List[str] = list(config["safety_intents"])
        self.safety_threshold: float = float(config["safety_threshold"])
        self.uncovered = uncovered_pattern(
            Path(config.get("uncovered_topics") or DEFAULT_UNCOVERED)
        )
        self.other_drugs = OtherDrugPolicy(Path(config.get("other_drugs") or DEFAULT_OTHER_DRUGS))
        self.person_requests = PersonRequests(
            Path(config.get("person_requests") or DEFAULT_PERSON_REQUESTS)
        )

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "AnswerConfidenceGuard":
        """Before training, or with the trained vocabulary from the model."""
        if stored is None:
            return cls(config, model_storage, resource)
        words = json.loads((stored / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, set(words))

    def train(self, training_data: TrainingData) -> Resource:
        """Remembers every word of the training examples (lower-cased tokens)."""
        vocabulary: Set[str] = set()
        for example in training_data.training_examples:
            vocabulary.update(token_texts(example))
        self.vocabulary = vocabulary
        assert self._model_storage is not None and self._resource is not None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(vocabulary)), encoding="utf-8"
            )
        return self._resource

    def knows_a_word(self, message: Message) -> bool:
        """True when any token was seen in training (always True before training)."""
        if self.vocabulary is None:
            return True
        return any(token in self.vocabulary for token in token_texts(message))

    def process(self, messages: List[Message]) -> List[Message]:
        """Applies the rules of the module docstring to each message."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        message.set(ANSWER_THRESHOLD_KEY, self.answer_threshold)  # for the safety detector
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if name not in KEEPS_ITS_INTENT:
            asked = self.person_requests.find(message.get(TEXT) or "")
            if asked:
                self._set_intent(message, HANDOFF_INTENT, 1.0, "asks for a person")
                return
        if name in ANSWERING_INTENTS and self._about_another_drug(message, str(name)):
            return
        if name in ESCALATING_INTENTS:
            self._note_other_drugs(message)
        if not has_words(message.get(TEXT)) or not self.knows_a_word(message):
            self._set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, 1.0, "no known words")
            self._drop_candidates(message)
            return
        if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            safety = self._best_safety_intent(message)
            if safety is not None:
                self._set_intent(message, safety[0], safety[1], "safety intent kept")
                return
        if name in (self.retrieval_intent, DEFAULT_NLU_FALLBACK_INTENT_NAME):
            # An unsure message that names an uncovered topic ("and what about
            # sunscreen?") is that topic's: the follow-up rules must not answer it with
            # the conversation's section.
            topic = self.uncovered.search(message.get(TEXT) or "")
            if topic:
                self._set_intent(
                    message, OUT_OF_SCOPE_INTENT, 1.0, f"uncovered topic '{topic.group(0)}'"
                )
                return
            if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
                return
            confidence = answer_confidence(message, self.retrieval_intent)
            if confidence is None or confidence < self.answer_threshold:
                self._set_intent(
                    message,
                    DEFAULT_NLU_FALLBACK_INTENT_NAME,
                    self.answer_threshold,
                    f"answer confidence {confidence} < {self.answer_threshold}",
                )

    def _note_other_drugs(self, message: Message) -> None:
        """An escalation keeps its intent here; the medicines it names (other than those
        the sources name for the best section) are kept for the safety detector, should
        it withdraw the escalation (OTHER_DRUGS_IF_WITHDRAWN_KEY)."""
        named = self._other_drugs_named(message)[0]
        if named:
            message.set(OTHER_DRUGS_IF_WITHDRAWN_KEY, named)

    def _other_drugs_named(self, message: Message) -> Tuple[List[str], Optional[str]]:
        """The medicines the message names that the sources do not name for the best
        section, and that section."""
        entities = message.get(ENTITIES) or []
        if not any(e.get("entity") == DRUG_ENTITY for e in entities):
            return [], None
        key = (answer_key(message, self.retrieval_intent) or "").split("/", 1)
        section = key[-1] if len(key) == 2 else None
        return self.other_drugs.other_drugs(entities, section, message.get(TEXT) or ""), section

    def _about_another_drug(self, message: Message, intent: str) -> bool:
        """Rule 5: a question that names another medicine gets the "not covered" reply;
        one that names only medicines the sources name for the chosen section gets that
        section, even where the classifier was unsure or said "other_drug" (methotrexate
        as an alternative). True when it decided."""
        entities = message.get(ENTITIES) or []
        if not any(e.get("entity") == DRUG_ENTITY for e in entities):
            return False
        named, section = self._other_drugs_named(message)
        if named:
            message.set(OTHER_DRUGS_KEY, named, add_to_output=True)  # for the reply's wording
            self._set_intent(message, OTHER_DRUG_INTENT, 1.0, "another medicine named")
            return True
        confidence = answer_confidence(message, self.retrieval_intent) or 0.0
        unsure = intent in (OTHER_DRUG_INTENT, DEFAULT_NLU_FALLBACK_INTENT_NAME)
        if (
            unsure
            and confidence >= self.answer_threshold
            and self.other_drugs.named_for_section(entities, section, message.get(TEXT) or "")
        ):
            self._set_intent(message, self.retrieval_intent, confidence, "named by the sources")
            return True
        return False

    def _best_safety_intent(self, message: Message) -> Optional[tuple]:
        ranking = message.get(INTENT_RANKING_KEY) or []
        candidates = [
            (entry[INTENT_NAME_KEY], float(entry[PREDICTED_CONFIDENCE_KEY]))
            for entry in ranking
            if entry.get(INTENT_NAME_KEY) in self.safety_intents
            and float(entry.get(PREDICTED_CONFIDENCE_KEY, 0.0)) >= self.safety_threshold
        ]
        return max(candidates, key=lambda c: c[1]) if candidates else None

    def _drop_candidates(self, message: Message) -> None:
        """No answer candidates for a message of no known word: "Did you mean ...?"
        (components/follow_up.py) would offer sections at random."""
        selector = dict(message.get(RESPONSE_SELECTOR_KEY) or {})
        if self.retrieval_intent in selector:
            selector[self.retrieval_intent] = {**selector[self.retrieval_intent], "ranking": []}
            message.set(RESPONSE_SELECTOR_KEY, selector, add_to_output=True)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float, why: str) -> None:
        logger.debug("AnswerConfidenceGuard: intent -> %s (%s)", name, why)
        message.set(GUARD_KEY, why, add_to_output=True)
        override_intent(message, name, confidence)
