"""Deterministic detection of infection warning signs and emergencies, on every message.

Runs last in the NLU pipeline, whatever intent the classifiers chose. The phrases and the
context cues are data (components/safety_lexicon.yml), reviewed like clinical content;
this module only applies them:

1. medspaCy's TargetMatcher finds the lexicon's phrases (case-insensitive, whole words).
2. medspaCy's ConText marks each one negated ("no fever"), hypothetical ("what if I get a
   fever"), historical ("a fever two years ago") or about a relative ("my wife has a cold");
   a PRESENT cue ("I have", "since Monday") outranks hypothetical and historical cues.
3. Temperatures are read (°C or °F, decimal point or comma) and compared with the leaflet's
   threshold; a normal reading does not count as a fever. Durations are read ("for 3
   days", "since Monday"); a cough counts when it has lasted more than two days or when
   no duration is given (the leaflet: a cough that lasts more than two days).
0. Before all that, misspelled words are mapped onto the lexicon's words
   (components/typo_normaliser.py), so "fevr" and "sore throte" are found too.
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

from components.intent_override import answer_confidence, override_intent
from components.typo_normaliser import TypoNormaliser

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


NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
                "several": 3}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SPAN = re.compile(
    r"\b(?:for\s+|since\s+|past\s+|last\s+|over\s+)?(\d+|a couple of|couple of|a few|few|several|"
    r"an?|one|two|three|four|five|six|seven)\s+(days?|weeks?|wks?|nights?)\b",
    re.IGNORECASE,
)
SINCE = re.compile(
    r"\b(?:since|from)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"yesterday|last night|this morning|last week|the weekend)\b|\b(this morning|today|"
    r"tonight|last night|yesterday|this afternoon|this evening|lunchtime|breakfast|"
    r"i woke up|an hour ago|a few hours ago|hours ago)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z]+")
LEADING_FILLER = {"hi", "hello", "hey", "ok", "okay", "so", "um", "also", "and", "but", "quick"}
COUGH = "cough"
COUGH_MAX_DAYS = 2  # the leaflet: a cough that lasts MORE than two days


@dataclass(frozen=True)
class Duration:
    """How long something has lasted, as written and in days."""

    text: str
    days: float


def read_durations(text: str) -> List[Duration]:
    """Durations in the text, in days ('since Monday' counts as a week: unknown)."""
    found = []
    for match in SPAN.finditer(text):
        amount = match.group(1).lower()
        count = float(amount) if amount.isdigit() else float(NUMBER_WORDS.get(amount, 1))
        unit = match.group(2).lower()
        days = count * (7 if unit.startswith("w") else 1)
        found.append(Duration(match.group(0).strip(), days))
    for match in SINCE.finditer(text):
        word = (match.group(1) or match.group(2)).lower()
        if word in WEEKDAYS or word in ("last week", "the weekend"):
            # The day the message was written is unknown here, so "since Saturday" is
            # never taken as a short cough.
            days = 7.0
        elif word in ("yesterday", "last night"):
            days = 1.0
        else:  # this morning, today, tonight
            days = 0.5
        found.append(Duration(match.group(0).strip(), days))
    return found


@dataclass(frozen=True)
class Reading:
    """A temperature read from the text, normalised to °C."""

    text: str
    celsius: float
    over_threshold: bool
    start: int = 0
    end: int = 0
    explicit: bool = False  # a unit or a decimal: a temperature even without a fever word


@dataclass
class Finding:
    """What the detector concluded for one message."""

    emergencies: List[str] = field(default_factory=list)
    signs: List[str] = field(default_factory=list)
    phrases: List[str] = field(default_factory=list)
    readings: List[Reading] = field(default_factory=list)
    durations: List[Duration] = field(default_factory=list)
    # Signs mentioned but not current (negated, asked about, past, someone else's).
    set_aside: List[str] = field(default_factory=list)
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
        explicit = (
            bool(unit)
            or "°" in span
            or "deg" in span.lower()
            or "." in match.group(1)
            or "," in match.group(1)
        )
        where: Dict[str, Any] = {
            "start": match.start(),
            "end": match.start() + len(span),
            "explicit": explicit,
        }
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
        drug = "(?:" + "|".join(re.escape(w) for w in sorted(self.drug_words)) + ")"
        self.caregiver = [
            re.compile(p.replace("DRUG", drug), re.IGNORECASE)
            for p in data.get("caregiver_patterns", [])
        ]
        self.question_openers = {w.lower() for w in data.get("question_openers", [])}
        self.first_person = {w.lower() for w in data.get("first_person_words", [])}
        entries = [
            (category, entry)
            for section in ("infection_signs", "emergency_signs")
            for category, phrases in data[section].items()
            for entry in phrases
        ]
        self.contractions = {
            str(k).lower(): str(v) for k, v in (data.get("contractions") or {}).items()
        }
        # Cue words are corrected too: "last wniter" must still be "last winter".
        context_words = [str(r["literal"]) for r in data.get("context_rules", [])]
        self.normaliser = TypoNormaliser(
            context_words
            + [
                e if isinstance(e, str) else " ".join(re.findall(r"[a-z]{4,}", e["regex"]))
                for _, e in entries
            ]
            + list(data.get("temperature_words", []))
            + [" ".join(re.findall(r"[a-z]{4,}", p)) for p in data.get("caregiver_patterns", [])]
            + sorted(self.drug_words),
            keep=self.drug_words,
        )
        rules = [
            TargetRule(entry, category)
            if isinstance(entry, str)
            else TargetRule(f"{category} pattern", category, pattern=entry["regex"])
            for category, entry in entries
        ]
        rules += [TargetRule(p, TEMPERATURE_WORD) for p in data.get("temperature_words", [])]
        rules += [TargetRule(p, IGNORE) for p in data.get("not_signs", [])]

        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        matcher: Any = self.nlp.add_pipe("medspacy_target_matcher")
        matcher.add(rules)
        # Cues inside a matched phrase ("can't" in "can't stop shivering") are not cues.
        context: Any = self.nlp.add_pipe(
            "medspacy_context", config={"prune_on_target_overlap": True}
        )
        context.add(
            [
                ConTextRule(r["literal"], r["category"], direction=r["direction"])
                for r in data.get("context_rules", [])
            ]
        )

    def normalise(self, text: str) -> str:
        """Lower case, apostrophes restored ("dont" -> "don't"), misspelled words replaced
        by the lexicon or cue words they stand for ("fevr" -> "fever")."""
        lowered = WORD.sub(lambda m: self.contractions.get(m.group(0), m.group(0)), text.lower())
        tokens = self.nlp.make_doc(lowered)
        return "".join(self.normaliser.correct(t.text) + t.whitespace_ for t in tokens)

    def detect(self, text: str) -> Finding:
        """Signs, emergencies, temperatures and durations of one message.

        Entity offsets refer to the normalised text (typos corrected).
        """
        finding = Finding()
        text = self.normalise(text)
        doc = self.nlp(text)
        # A relative's sign counts when the message ties them to the drug.
        takes_drug = any(p.search(text) for p in self.caregiver) and not self.self_on_drug.search(
            text
        )  # text is lower case after normalise()
        finding.readings = read_temperatures(text, self.threshold_c, self.threshold_f)
        fever_reading = any(r.over_threshold for r in finding.readings)
        # A reading with a unit or a decimal over the threshold is a fever on its own
        # ("38.6 this morning", "101 F"), unless its sentence is a question about signs.
        explicit_fever = any(
            r.over_threshold
            and r.explicit
            and not self._asked_about(doc.char_span(r.start, r.end, alignment_mode="expand"))
            for r in finding.readings
        )
        only_normal_readings = bool(finding.readings) and not fever_reading
        finding.durations = read_durations(text)
        short_only = bool(finding.durations) and all(
            d.days <= COUGH_MAX_DAYS for d in finding.durations
        )
        for ent in doc.ents:
            category = ent.label_
            if category == IGNORE:
                continue
            if self._asked_about(ent) or not self._is_current(ent, takes_drug):
                finding.set_aside.append(category)
                continue
            if category in ("fever", TEMPERATURE_WORD) and only_normal_readings:
                finding.set_aside.append("fever")
                continue
            if category == TEMPERATURE_WORD:
                if not (fever_reading or self._has_modifier(ent, "PRESENT")):
                    continue
                category = "fever"
            if category == COUGH and short_only:
                continue
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
        if only_normal_readings and "fever" not in finding.set_aside:
            finding.set_aside.append("fever")  # "37.1 this morning": a normal temperature
        if explicit_fever and "fever" not in finding.signs:
            finding.signs.append("fever")
            finding.phrases.extend(r.text for r in finding.readings if r.over_threshold)
        for duration in finding.durations:
            finding.entities.append(
                {"entity": "duration", "value": duration.text, "extractor": EXTRACTOR}
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

    def _asked_about(self, span: Any) -> bool:
        """A question about signs in general: 'is a rash a reason to call?'.

        Its sentence opens with a question word, after any greeting ("hello, how long...";
        the "?" is often not typed), and neither it nor the words right after it speak of
        the user or a patient ("...? I have one now").
        """
        if span is None:
            return False
        sentence = span.sent
        words = [t.lower_ for t in sentence if not t.is_punct]
        following = span.doc[sentence.end : sentence.end + 12]  # "...? I have one now"
        while words and words[0] in LEADING_FILLER:
            words = words[1:]
        return (
            bool(words)
            and words[0] in self.question_openers
            and not any(t.lower_ in self.first_person for t in [*sentence, *following])
        )

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
        return {"lexicon": None, "classifier_emergency_min": 0.9, "answer_threshold": 0.4}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.classifier_emergency_min = float(config.get("classifier_emergency_min", 0.9))
        self.answer_threshold = float(config.get("answer_threshold", 0.4))
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

    def _withdraw(self, message: Message, finding: Finding) -> None:
        """The classifier escalated, but every sign it could have meant is negated,
        asked about, in the past or someone else's: take the next intent instead. A
        leaflet answer still has to pass the answer guard's threshold."""
        intent = _next_intent(message)
        name = intent.get(INTENT_NAME_KEY)
        if name == "leaflet" and (answer_confidence(message, "leaflet") or 0.0) < (
            self.answer_threshold
        ):
            intent = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(
            "safety",
            {
                "rule": "classifier escalation withdrawn: signs not current",
                "signs": [],
                "set_aside": finding.set_aside,
                "classifier_intent": INFECTION_INTENT,
            },
            add_to_output=True,
        )
        override_intent(
            message, str(intent[INTENT_NAME_KEY]), float(intent[PREDICTED_CONFIDENCE_KEY])
        )

    def _process_one(self, message: Message) -> None:
        finding = self.lexicon.detect(message.get(TEXT) or "")
        if finding.entities:
            entities = list(message.get(ENTITIES) or []) + finding.entities
            message.set(ENTITIES, entities, add_to_output=True)
        new_intent = finding.intent
        current_intent = message.get(INTENT) or {}
        current = current_intent.get(INTENT_NAME_KEY)
        if new_intent is None and current == INFECTION_INTENT and finding.set_aside:
            self._withdraw(message, finding)
            return
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
        override_intent(message, new_intent, 1.0)


def _next_intent(message: Message) -> Dict[str, Any]:
    """The best-ranked intent that is not an escalation (nlu_fallback if none)."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get(INTENT_NAME_KEY) not in (INFECTION_INTENT, EMERGENCY_INTENT):
            return dict(entry)
    return {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}


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
    """The plain phrases of the lexicon (regular-expression entries left out)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in ("infection_signs", "emergency_signs"):
        for phrases in data[section].values():
            yield from (p for p in phrases if isinstance(p, str))
