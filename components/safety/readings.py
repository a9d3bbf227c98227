"""Temperatures and durations read out of a message's text.

Which numbers are body temperatures, the words for amounts ("a few days") and the phrases
that date a symptom ("since Monday") are clinical rules, kept in
content/safety_lexicon.yml for review; the regular expressions here only parse text and
are built from those lists. No spaCy or Rasa, so the readers can run and be tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

import yaml

from clinic.content import CONTENT_DIR

# Lives here, in the one module without spaCy, so the readers can load their rules alone.
DEFAULT_LEXICON = CONTENT_DIR / "safety_lexicon.yml"
# A sentence ends at ".", "!" or "?" before a space or the end (not "38.5").
SENTENCE_END = re.compile(r"[.!?]+(?:\s+|$)")
# "I'm on 100 and my friend is on 150": a dose, whatever the lead-in reads as.
ON_A_DOSE = re.compile(r"\bon\s+(?:about\s+|around\s+)?\W*$")
# A number read off a thermometer is a reading even without a unit: "a hundred and one on
# mum's old thermometer" (batch 35).
ON_A_THERMOMETER = re.compile(r"^\W*(?:on|by|from|with)\s+(?:\S+\s+){0,3}?(?:thermometer|thermo)\b")

# 38.5, 38,5, 101.3 F, 39°C, 100.4 degrees, 39 celsius: a number, then the loose endings the
# lexicon lists ("39 odd", "38 and a half"), then an optional unit.
NUMBER = r"(?<![\d.,])(\d{2,3}(?:[.,]\d{1,2})?)"
UNIT = (
    r"\s*(?:°|º|deg(?:rees?)?\b)?\s*"
    r"(?:([cCfF])(?![a-zA-Z])|(celsius|centigrade|fahrenheit)\b)?(?![a-zA-Z])"
)
# Words that may come before an amount ("for 3 days", "past few weeks").
SPAN_LEAD = r"(?:for\s+|since\s+|past\s+|last\s+|over\s+)?"
# The units of an amount; a week-like unit ("weeks", "wks") counts seven days.
SPAN_UNIT = r"(days?|weeks?|wks?|nights?)"
# A phrase that matched only through a Unicode look-alike letter ("ſince ſunday" under
# case-insensitive matching) is missing from the tables: it counts as the same day.
UNLISTED_PHRASE_DAYS = 0.5


@dataclass(frozen=True)
class Duration:
    """How long something has lasted, as written and in days."""

    text: str
    days: float


@dataclass(frozen=True)
class Reading:
    """A temperature read from the text, normalised to °C."""

    text: str
    celsius: float
    over_threshold: bool
    start: int = 0
    end: int = 0
    explicit: bool = False  # a unit, a decimal or a loose ending: a temperature on its own
    elsewhere: bool = False  # a unit question or a place: "38 C in F?", "40 degrees in the car"


@dataclass(frozen=True)
class ReadingRules:
    """The lexicon's rules for readings, with the patterns built from its word lists."""

    celsius_range: Tuple[float, float]
    fahrenheit_range: Tuple[float, float]
    number_words: Dict[str, float]
    since_phrases: Dict[str, float]  # after "since" or "from": "since monday"
    time_phrases: Dict[str, float]  # on their own: "this morning"
    spoken_numbers: Dict[str, float] = field(default_factory=dict)  # "thirty": 30, "one": 1
    loose_endings: Dict[str, float] = field(default_factory=dict)  # "and a half": 0.5
    elsewhere_cues: Tuple[str, ...] = ()  # "in fahrenheit", "in the car"
    elsewhere_nouns: Tuple[str, ...] = ()  # right after the number: "104 degree days"
    # Taken under the arm, which reads lower than the mouth: the lexicon's offset is added
    # before comparing with the threshold ("37.9 under her arm").
    armpit_cues: Tuple[str, ...] = ()
    armpit_offset_c: float = 0.0
    # Right before the number, words that make it somebody's reading whatever follows:
    # "my temp is 38.5, how much is that in F?" is a fever and a question.
    reading_lead_ins: Tuple[str, ...] = ()
    span: re.Pattern[str] = field(init=False, repr=False, compare=False)
    since: re.Pattern[str] = field(init=False, repr=False, compare=False)
    digits: re.Pattern[str] = field(init=False, repr=False, compare=False)
    spoken: re.Pattern[str] = field(init=False, repr=False, compare=False)
    cue_after: re.Pattern[str] = field(init=False, repr=False, compare=False)
    cue_before: re.Pattern[str] = field(init=False, repr=False, compare=False)
    noun_after: re.Pattern[str] = field(init=False, repr=False, compare=False)
    armpit: re.Pattern[str] = field(init=False, repr=False, compare=False)
    lead_in: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        amounts = r"(\d+|" + _alternatives(self.number_words) + ")"
        ending = r"(?:\s*-?\s*(" + _alternatives(self.loose_endings) + r")\b)?"
        cues = "(?:" + _alternatives(self.elsewhere_cues) + r")\b"
        patterns = {
            "span": r"\b" + SPAN_LEAD + amounts + r"\s+" + SPAN_UNIT + r"\b",
            # "since monday", and when it began: "it started last thursday".
            # "it start on friday" (second-language English, batch 27).
            # "since like saturday", "since about last week" (batch 36): a hedge between.
            "since": r"\b(?:since|from|started|start|starts|began|begun|starting)"
            r"\s+(?:(?:like|about|around|maybe|probably|roughly|oh|um|er)\s+)?"
            r"(?:on\s+)?(?:last\s+)?(" + _alternatives(self.since_phrases) + r")\b"
            r"|\b(" + _alternatives(self.time_phrases) + r")\b",
            "digits": NUMBER + ending + UNIT,
            "spoken": _spoken_pattern(self.spoken_numbers) + ending + UNIT,
            "cue_after": r"^\W*(?:\w+\W+){0,3}?" + cues,
            "cue_before": cues + r"\W+(?:\w+\W+){0,2}$",
            "noun_after": r"^\s*-?\s*(?:" + _alternatives(self.elsewhere_nouns) + r")\b",
            "lead_in": (
                r"\b(?:" + "|".join(self.reading_lead_ins) + r")\W*$"
                if self.reading_lead_ins
                else r"(?!x)x"
            ),
            "armpit": (
                r"\b(?:" + _alternatives(self.armpit_cues) + r")\b"
                if self.armpit_cues
                else r"(?!x)x"
            ),
        }
        # Frozen: the patterns are set once, here.
        for name, pattern in patterns.items():
            object.__setattr__(self, name, re.compile(pattern, re.I))

    @classmethod
    def from_lexicon(cls, data: Mapping[str, Any]) -> "ReadingRules":
        """The rules from the parsed lexicon file (its numbers and word lists section)."""
        return cls(
            celsius_range=_range(data["body_temperature_c"]),
            fahrenheit_range=_range(data["body_temperature_f"]),
            number_words=_table(data["duration_number_words"]),
            since_phrases=_table(data["duration_since_phrases"]),
            time_phrases=_table(data["duration_time_phrases"]),
            spoken_numbers=_table(data.get("temperature_number_words") or {}),
            loose_endings=_table(data.get("temperature_loose_endings") or {}),
            elsewhere_cues=tuple(str(c).lower() for c in data.get("not_body_temperature_cues", [])),
            elsewhere_nouns=_lowered(data.get("not_body_temperature_nouns") or []),
            armpit_cues=_lowered(data.get("armpit_reading_cues") or []),
            armpit_offset_c=float(data.get("armpit_reading_offset_c") or 0.0),
            reading_lead_ins=tuple(str(r) for r in data.get("body_reading_lead_ins") or []),
        )

    def value_of(self, words: str) -> float:
        """A spoken number's value: "a hundred and one" -> 101, "thirty eight" -> 38."""
        total = 0.0
        words = re.sub(r"\b(?:a|one)\s+hundred", "hundred", words.lower())
        for word in re.split(r"[\s-]+(?:and\s+)?", words):
            total += self.spoken_numbers.get(word, 0.0)
        return total


def _spoken_pattern(words: Mapping[str, float]) -> str:
    """Thirty-eight point four, a hundred and one: tens (or a hundred) and a unit, then an
    optional "point" and one digit. Groups: 1 the whole number, 2 its unit, 3 the decimal."""
    if not words:
        return r"(?!x)x"
    tens = _alternatives([w for w, v in words.items() if v >= 20])
    units = _alternatives([w for w, v in words.items() if 1 <= v <= 9])
    digit = _alternatives([w for w, v in words.items() if v <= 9]) + r"|\d"
    return rf"\b((?:{tens})(?:[\s-]+(?:and\s+)?({units}))?)(?:\s+point\s+({digit}))?"


def _alternatives(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first so "a few" wins over "a"."""
    listed = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p) for p in listed) if listed else r"(?!x)x"


def _lowered(words: Iterable[Any]) -> Tuple[str, ...]:
    return tuple(str(w).lower() for w in words)


def _range(bounds: Mapping[str, Any]) -> Tuple[float, float]:
    return float(bounds["lowest"]), float(bounds["highest"])


def _table(entries: Mapping[Any, Any]) -> Dict[str, float]:
    return {str(phrase).lower(): float(days) for phrase, days in entries.items()}


def load_rules(path: Path) -> ReadingRules:
    """The reading rules of one lexicon file."""
    return ReadingRules.from_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_rules() -> ReadingRules:
    """The reading rules of the default lexicon, read once."""
    return load_rules(DEFAULT_LEXICON)


def read_durations(text: str, rules: Optional[ReadingRules] = None) -> List[Duration]:
    """Durations in the text, in days ('since Monday' counts as a week: unknown)."""
    if rules is None:
        rules = default_rules()
    found = []
    for match in rules.span.finditer(text):
        amount = match.group(1).lower()
        count = float(amount) if amount.isdigit() else float(rules.number_words.get(amount, 1))
        unit = match.group(2).lower()
        days = count * (7 if unit.startswith("w") else 1)
        found.append(Duration(match.group(0).strip(), days))
    for match in rules.since.finditer(text):
        if match.group(1):
            days = rules.since_phrases.get(match.group(1).lower(), UNLISTED_PHRASE_DAYS)
        else:
            days = rules.time_phrases.get(match.group(2).lower(), UNLISTED_PHRASE_DAYS)
        found.append(Duration(match.group(0).strip(), days))
    return found


def read_temperatures(
    text: str, threshold_c: float, threshold_f: float, rules: Optional[ReadingRules] = None
) -> List[Reading]:
    """Plausible body temperatures in the text (the lexicon's °C and °F ranges), in digits
    ("38.5", "101 F", "39 odd") or in words ("thirty eight point four", "a hundred and one")."""
    if rules is None:
        rules = default_rules()
    low_c, high_c = rules.celsius_range
    low_f, high_f = rules.fahrenheit_range
    readings = []
    for value, unit, explicit, match in _numbers(text, rules):
        span = match.group(0).rstrip()
        where: Dict[str, Any] = {
            "start": match.start(),
            "end": match.start() + len(span),
            "explicit": explicit
            or bool(ON_A_THERMOMETER.search(text[match.end() : match.end() + 50]))
            or _read_off_someone(text, match.start(), rules),
            "elsewhere": _elsewhere(text, match.start(), match.end(), rules),
        }
        offset_c = _armpit_offset(text, match.start(), match.end(), rules)
        # Without a unit, the plausible body-temperature range decides the scale.
        if unit in ("c", "") and low_c <= value <= high_c:
            readings.append(Reading(span, value, value + offset_c >= threshold_c, **where))
        elif unit in ("f", "") and low_f <= value <= high_f:
            celsius = round((value - 32.0) * 5.0 / 9.0, 1)
            over = value + offset_c * 9.0 / 5.0 >= threshold_f
            readings.append(Reading(span, celsius, over, **where))
    return readings


def _numbers(text: str, rules: ReadingRules) -> Iterator[Tuple[float, str, bool, re.Match[str]]]:
    """(value, unit letter or "", explicit, match) for every number in digits or in words.

    Explicit: a unit, a degree sign or word, a decimal, or a loose ending ("39 odd").
    """
    for match in rules.digits.finditer(text):
        number, ending, letter, word = match.groups()
        value = float(number.replace(",", ".")) + rules.loose_endings.get(_lower(ending), 0.0)
        unit = (letter or word or "")[:1].lower()
        marks = re.search(r"[.,°º]|deg", match.group(0).lower())
        yield value, unit, bool(unit or ending or marks), match
    for match in rules.spoken.finditer(text):
        words, unit_word, point, ending, letter, word = match.groups()
        if not (unit_word or point):
            continue  # "thirty" or "a hundred" alone: an age or a count, not a reading
        value = rules.value_of(words) + rules.loose_endings.get(_lower(ending), 0.0)
        if point:
            value += (
                float(point) if point.isdigit() else rules.spoken_numbers.get(point.lower(), 0.0)
            ) / 10
        unit = (letter or word or "")[:1].lower()
        yield value, unit, bool(point or ending or unit), match


def _words_before(text: str, start: int) -> str:
    """Up to 60 characters of the reading's own sentence before it."""
    return SENTENCE_END.split(text[max(0, start - 60) : start])[-1]


def _read_off_someone(text: str, start: int, rules: ReadingRules) -> bool:
    """Someone's reading by the words right before it ("he's at 101 right now", "my temp
    is 38"): explicit without a unit (batch 39). Not "I'm on 100": a dose in mg."""
    before = _words_before(text, start)
    return bool(rules.lead_in.search(before)) and not ON_A_DOSE.search(before)


def _armpit_offset(text: str, start: int, end: int, rules: ReadingRules) -> float:
    """The lexicon's armpit offset when the reading was taken under the arm (a cue within
    40 characters either side), else 0."""
    near = text[max(0, start - 40) : end + 40]
    return rules.armpit_offset_c if rules.armpit.search(near) else 0.0


def _lower(text: Optional[str]) -> str:
    return re.sub(r"[\s-]+", " ", text.lower()).strip() if text else ""


def _elsewhere(text: str, start: int, end: int, rules: ReadingRules) -> bool:
    """Not a body temperature: the number a unit question converts ("what's 38 degrees in
    fahrenheit?", "is 100 F the same as 38 C?") or a place's ("40 degrees in the car"), by
    a lexicon cue within three words after it or two words before it, or the weather's
    ("these 104 degree days"), by a lexicon noun right after it."""
    if text[end : end + 2].lstrip().startswith("%"):
        return True  # "feeling 100% today": a share, not a temperature
    if rules.noun_after.search(text[end : end + 30]):
        return True
    if not rules.elsewhere_cues:
        return False
    # Within the reading's own sentence: "it's hot outside. Temperature read 101.2" is
    # her temperature, not the weather's.
    after = SENTENCE_END.split(text[end : end + 60], maxsplit=1)[0]
    before = _words_before(text, start)
    if rules.lead_in.search(before):
        return False
    return bool(rules.cue_after.search(after) or rules.cue_before.search(before))
