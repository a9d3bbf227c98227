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
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

from clinic.content import CONTENT_DIR

# Lives here, in the one module without spaCy, so the readers can load their rules alone.
DEFAULT_LEXICON = CONTENT_DIR / "safety_lexicon.yml"

# 38.5, 38,5, 101.3 F, 39°C, 100.4 degrees: a number with an optional unit after it.
READING = re.compile(
    r"(?<![\d.,])(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|deg(?:rees?)?\b)?\s*([cCfF])?(?![a-zA-Z])"
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
    explicit: bool = False  # a unit or a decimal: a temperature even without a fever word


@dataclass(frozen=True)
class ReadingRules:
    """The lexicon's rules for readings, with the patterns built from its word lists."""

    celsius_range: Tuple[float, float]
    fahrenheit_range: Tuple[float, float]
    number_words: Dict[str, float]
    since_phrases: Dict[str, float]  # after "since" or "from": "since monday"
    time_phrases: Dict[str, float]  # on their own: "this morning"
    span: re.Pattern[str] = field(init=False, repr=False, compare=False)
    since: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        amounts = r"(\d+|" + _alternatives(self.number_words) + ")"
        span = re.compile(r"\b" + SPAN_LEAD + amounts + r"\s+" + SPAN_UNIT + r"\b", re.I)
        since = re.compile(
            r"\b(?:since|from)\s+(" + _alternatives(self.since_phrases) + r")\b"
            r"|\b(" + _alternatives(self.time_phrases) + r")\b",
            re.I,
        )
        # Frozen: the patterns are set once, here.
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "since", since)

    @classmethod
    def from_lexicon(cls, data: Mapping[str, Any]) -> "ReadingRules":
        """The rules from the parsed lexicon file (its numbers and word lists section)."""
        return cls(
            celsius_range=_range(data["body_temperature_c"]),
            fahrenheit_range=_range(data["body_temperature_f"]),
            number_words=_table(data["duration_number_words"]),
            since_phrases=_table(data["duration_since_phrases"]),
            time_phrases=_table(data["duration_time_phrases"]),
        )


def _alternatives(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first so "a few" wins over "a"."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


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
    """Plausible body temperatures in the text (the lexicon's °C and °F ranges)."""
    if rules is None:
        rules = default_rules()
    low_c, high_c = rules.celsius_range
    low_f, high_f = rules.fahrenheit_range
    readings = []
    for match in READING.finditer(text):
        value = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "").lower()
        span = match.group(0).rstrip()
        where: Dict[str, Any] = {
            "start": match.start(),
            "end": match.start() + len(span),
            "explicit": _is_explicit(span, unit, match.group(1)),
        }
        # Without a unit, the plausible body-temperature range decides the scale.
        if unit in ("c", "") and low_c <= value <= high_c:
            readings.append(Reading(span, value, value >= threshold_c, **where))
        elif unit in ("f", "") and low_f <= value <= high_f:
            celsius = round((value - 32.0) * 5.0 / 9.0, 1)
            readings.append(Reading(span, celsius, value >= threshold_f, **where))
    return readings


def _is_explicit(span: str, unit: str, number: str) -> bool:
    """A unit, a degree sign or word, or a decimal: a temperature even without a fever word."""
    return bool(unit) or "°" in span or "deg" in span.lower() or "." in number or "," in number
