"""Deterministic detection of infection warning signs and emergencies, on every message.

Runs last in the NLU pipeline, whatever intent the classifiers chose. The phrases and the
context cues are data (components/safety_lexicon.yml), reviewed like clinical content;
this module only applies them:

1. medspaCy's TargetMatcher finds the lexicon's phrases (case-insensitive, whole words).
2. medspaCy's ConText marks each one negated ("no fever"), hypothetical ("what if I get a
   fever"), historical ("a fever two years ago") or about a relative ("my wife has a cold");
   a PRESENT cue ("I have", "since Monday") outranks hypothetical and historical cues.
3. Temperatures are read (°C or °F, decimal point or comma) and compared with the leaflet's
   threshold; a normal reading does not count as a fever.
4. A current emergency sets the intent to `emergency`; a current infection sign sets it to
   `report_infection_sign`, unless the classifier chose `emergency` with at least
   `classifier_emergency_min` confidence (an emergency the lexicon does not know yet). The signs and
   any temperature are added as entities, and the reason as `safety` in the parse data.

A relative's sign counts when the message says that someone takes the drug (a caregiver
reporting for a patient); otherwise it is someone else's illness (prevention advice).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import spacy
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
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

logger = logging.getLogger(__name__)

DEFAULT_LEXICON = Path(__file__).with_name("safety_lexicon.yml")
EMERGENCY_INTENT = "emergency"
INFECTION_INTENT = "report_infection_sign"
IGNORE = "NOT_A_SIGN"
TEMPERATURE_WORD = "TEMPERATURE_WORD"
EXTRACTOR = "InfectionSignDetector"

# 38.5, 38,5, 101.3 F, 39°C, 100.4 degrees: a number with an optional unit after it.
READING = re.compile(
    r"(?<![\d.,])(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|deg(?:rees?)?\b)?\s*([cCfF])?(?![a-zA-Z])"
)


@dataclass(frozen=True)
class Reading:
    """A temperature read from the text, normalised to °C."""

    text: str
    celsius: float
    over_threshold: bool
    start: int = 0
    end: int = 0


@dataclass
class Finding:
    """What the detector concluded for one message."""

    emergencies: List[str] = field(default_factory=list)
    signs: List[str] = field(default_factory=list)
    phrases: List[str] = field(default_factory=list)
    readings: List[Reading] = field(default_factory=list)
    entities: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def intent(self) -> Optional[str]:
        if self.emergencies:
            return EMERGENCY_INTENT
        if self.signs:
            return INFECTION_INTENT
        return None


def read_temperatures(text: str, threshold_c: float, threshold_f: float) -> List[Reading]:
    """Plausible body temperatures in the text (35-43 °C or 95-110 °F)."""
    readings = []
    for match in READING.finditer(text):
        value = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "").lower()
        span = match.group(0).rstrip()
        where = {"start": match.start(), "end": match.start() + len(span)}
        # Without a unit, the plausible body-temperature range decides the scale.
        celsius_range = 35.0 <= value <= 43.0
        fahrenheit_range = 95.0 <= value <= 110.0
        if unit in ("c", "") and celsius_range:
            readings.append(Reading(span, value, value >= threshold_c, **where))
        elif unit in ("f", "") and fahrenheit_range:
            celsius = round((value - 32.0) * 5.0 / 9.0, 1)
            readings.append(Reading(span, celsius, value >= threshold_f, **where))
    return readings


class SafetyLexicon:
    """The lexicon file turned into a medspaCy pipeline."""

    def __init__(self, path: Path) -> None:
        import medspacy  # noqa: F401  (registers the medspacy_* pipes)
        from medspacy.context import ConTextRule
        from medspacy.target_matcher import TargetRule

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.threshold_c = float(data["fever_threshold_c"])
        self.threshold_f = float(data["fever_threshold_f"])
        self.drug_words = {w.lower() for w in data.get("patient_drug_words", [])}
        self.self_on_drug = re.compile(
            r"\b(?:"
            + "|".join(re.escape(p.lower()) for p in data.get("self_on_drug_phrases", []))
            + r")\b"
        )
        self.emergency_categories = set(data["emergency_signs"])
        rules = [
            TargetRule(phrase, category)
            for section in ("infection_signs", "emergency_signs")
            for category, phrases in data[section].items()
            for phrase in phrases
        ]
        rules += [TargetRule(p, TEMPERATURE_WORD) for p in data.get("temperature_words", [])]
        rules += [TargetRule(p, IGNORE) for p in data.get("not_signs", [])]

        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        matcher: Any = self.nlp.add_pipe("medspacy_target_matcher")
        matcher.add(rules)
        context: Any = self.nlp.add_pipe("medspacy_context")
        context.add(
            [
                ConTextRule(r["literal"], r["category"], direction=r["direction"])
                for r in data.get("context_rules", [])
            ]
        )

    def detect(self, text: str) -> Finding:
        finding = Finding()
        doc = self.nlp(text)
        lowered = {tok.lower_ for tok in doc}
        # A relative "takes the drug" when the drug is named and the user is not the one on it.
        takes_drug = bool(lowered & self.drug_words) and not self.self_on_drug.search(text.lower())
        finding.readings = read_temperatures(text, self.threshold_c, self.threshold_f)
        fever_reading = any(r.over_threshold for r in finding.readings)
        only_normal_readings = bool(finding.readings) and not fever_reading
        for ent in doc.ents:
            category = ent.label_
            if category == IGNORE or not self._is_current(ent, takes_drug):
                continue
            if category in ("fever", TEMPERATURE_WORD) and only_normal_readings:
                continue
            if category == TEMPERATURE_WORD:
                if not (fever_reading or self._has_modifier(ent, "PRESENT")):
                    continue
                category = "fever"
            target = finding.emergencies if category in self.emergency_categories else finding.signs
            if category not in target:
                target.append(category)
            finding.phrases.append(ent.text)
            finding.entities.append(
                {
                    "entity": "emergency_sign"
                    if target is finding.emergencies
                    else "infection_sign",
                    "value": category,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "extractor": EXTRACTOR,
                }
            )
        for reading in finding.readings:
            finding.entities.append(
                {
                    "entity": "temperature",
                    "value": f"{reading.celsius:.1f} °C",
                    "start": reading.start,
                    "end": reading.end,
                    "extractor": EXTRACTOR,
                }
            )
        return finding

    @staticmethod
    def _has_modifier(ent: Any, category: str) -> bool:
        return any(mod.category == category for mod in ent._.modifiers)

    def _is_current(self, ent: Any, takes_drug: bool) -> bool:
        if ent._.is_negated:
            return False
        if ent._.is_family and not takes_drug:
            return False
        if self._has_modifier(ent, "PRESENT"):
            return True
        return not (ent._.is_hypothetical or ent._.is_historical)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InfectionSignDetector(GraphComponent):
    """Sets the intent to emergency / report_infection_sign when the lexicon says so."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon": None, "classifier_emergency_min": 0.9}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.classifier_emergency_min = float(config.get("classifier_emergency_min", 0.9))
        path = Path(config.get("lexicon") or DEFAULT_LEXICON)
        self.lexicon = SafetyLexicon(path)
        _silence_medspacy_logging()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InfectionSignDetector":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        finding = self.lexicon.detect(message.get(TEXT) or "")
        if finding.entities:
            entities = list(message.get(ENTITIES) or []) + finding.entities
            message.set(ENTITIES, entities, add_to_output=True)
        new_intent = finding.intent
        current_intent = message.get(INTENT) or {}
        current = current_intent.get(INTENT_NAME_KEY)
        if new_intent is None or current == new_intent:
            return
        if current == EMERGENCY_INTENT and (
            float(current_intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            >= self.classifier_emergency_min
        ):
            return
        rule = "emergency phrase" if new_intent == EMERGENCY_INTENT else "infection sign"
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
        intent = {INTENT_NAME_KEY: new_intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            entry
            for entry in (message.get(INTENT_RANKING_KEY) or [])
            if entry.get(INTENT_NAME_KEY) != new_intent
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


def _silence_medspacy_logging() -> None:
    """medspaCy's PyRuSH logs every sentence at DEBUG through loguru."""
    try:
        from loguru import logger as loguru_logger

        loguru_logger.disable("PyRuSH")
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        pass


def detect(text: str, lexicon: Optional[SafetyLexicon] = None) -> Finding:
    """Convenience for scripts and tests: run the default lexicon on one text."""
    return (lexicon or _default_lexicon()).detect(text)


_DEFAULT: List[SafetyLexicon] = []


def _default_lexicon() -> SafetyLexicon:
    if not _DEFAULT:
        _DEFAULT.append(SafetyLexicon(DEFAULT_LEXICON))
    return _DEFAULT[0]


def iter_lexicon_phrases(path: Path = DEFAULT_LEXICON) -> Iterable[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in ("infection_signs", "emergency_signs"):
        for phrases in data[section].values():
            yield from phrases
