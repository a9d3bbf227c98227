"""Final say on the intent of a turn, after the classifiers and the FallbackClassifier.

Three decisions the stock pipeline cannot make:

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
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.content import CONTENT_DIR
from components.intent_override import (
    ANSWER_THRESHOLD_KEY,
    DEFAULT_ANSWER_THRESHOLD,
    answer_confidence,
    override_intent,
)

logger = logging.getLogger(__name__)

TOKENS_KEY = "text_tokens"  # set by the tokenizer earlier in the pipeline
VOCABULARY_FILE = "vocabulary.json"
OUT_OF_SCOPE_INTENT = "out_of_scope"
DEFAULT_UNCOVERED = CONTENT_DIR / "uncovered_topics.yml"


def uncovered_pattern(path: Path) -> "re.Pattern[str]":
    """One whole-word, case-insensitive pattern for every uncovered topic in the file."""
    import yaml

    terms = yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]
    alternatives = "|".join(re.escape(str(t).lower()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def has_words(text: Optional[str]) -> bool:
    """True when the text holds at least one letter or digit (in any script)."""
    return bool(text) and any(ch.isalnum() for ch in text)  # type: ignore[union-attr]


def token_texts(message: Message) -> List[str]:
    return [token.text.lower() for token in (message.get(TOKENS_KEY) or [])]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnswerConfidenceGuard(GraphComponent):
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

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AnswerConfidenceGuard":
        """Creates the component before training."""
        return cls(config, model_storage, resource)

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

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "AnswerConfidenceGuard":
        """Loads the trained vocabulary from the model."""
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, set(words))

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
        if not has_words(message.get(TEXT)) or not self.knows_a_word(message):
            self._set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, 1.0, "no known words")
            return
        if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            safety = self._best_safety_intent(message)
            if safety is not None:
                self._set_intent(message, safety[0], safety[1], "safety intent kept")
            return
        if name == self.retrieval_intent:
            topic = self.uncovered.search(message.get(TEXT) or "")
            if topic:
                self._set_intent(
                    message, OUT_OF_SCOPE_INTENT, 1.0, f"uncovered topic '{topic.group(0)}'"
                )
                return
            confidence = answer_confidence(message, self.retrieval_intent)
            if confidence is None or confidence < self.answer_threshold:
                self._set_intent(
                    message,
                    DEFAULT_NLU_FALLBACK_INTENT_NAME,
                    self.answer_threshold,
                    f"answer confidence {confidence} < {self.answer_threshold}",
                )

    def _best_safety_intent(self, message: Message) -> Optional[tuple]:
        ranking = message.get(INTENT_RANKING_KEY) or []
        candidates = [
            (entry[INTENT_NAME_KEY], float(entry[PREDICTED_CONFIDENCE_KEY]))
            for entry in ranking
            if entry.get(INTENT_NAME_KEY) in self.safety_intents
            and float(entry.get(PREDICTED_CONFIDENCE_KEY, 0.0)) >= self.safety_threshold
        ]
        return max(candidates, key=lambda c: c[1]) if candidates else None

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float, why: str) -> None:
        logger.debug("AnswerConfidenceGuard: intent -> %s (%s)", name, why)
        override_intent(message, name, confidence)
