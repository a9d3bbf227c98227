"""Deterministic detection of infection warning signs and emergencies, on every message.

A missed infection sign is the worst error this assistant can make, so the intent
classifiers are not trusted alone: the phrases, context cues and numeric rules are clinical
data in content/safety_lexicon.yml, reviewed by a pharmacist, and this package only
applies them. A message flows through these modules:

- lexicon.py: the lexicon file loaded once into a spaCy pipeline (medspaCy's TargetMatcher
  for phrases, patterns.py for the regular expressions, medspaCy's ConText). The text is
  lower-cased, contractions restored ("dont" -> "don't"), a reply "No," made a sentence of
  its own, and misspellings mapped onto lexicon words (components/typo_normaliser.py), so
  "fevr" and "sore throte" are found too.
- readings.py: temperatures (°C or °F, decimal point or comma, in words, "39 odd") and
  durations ("for 3 days", "since Monday") read from that text, plain Python with the
  lexicon's ranges and words; unit questions ("38 C in F?") are not readings.
- context.py: whether one matched phrase is current (negated, hypothetical, historical,
  someone else's, a question about signs), with the lexicon's rules for emergencies.
- detection.py: the matched phrases judged by context.py, then the readings: a normal
  temperature is not a fever, a short cough is not a sign. The result is a Finding.
- component.py: the Rasa component, last in the NLU pipeline. A current emergency sets the
  intent to `emergency`, a current sign to `report_infection_sign` (unless the classifier
  chose `emergency` confidently), and a classifier escalation for signs that are all set
  aside is withdrawn. Signs and readings become entities; the rule that fired goes into
  the parse data as `safety`.
"""

from components.safety.component import InfectionSignDetector
from components.safety.detection import (
    EMERGENCY_INTENT,
    INFECTION_INTENT,
    Finding,
    detect,
    iter_lexicon_phrases,
)
from components.safety.lexicon import SafetyLexicon
from components.safety.readings import (
    DEFAULT_LEXICON,
    Duration,
    Reading,
    ReadingRules,
    read_durations,
    read_temperatures,
)

__all__ = [
    "DEFAULT_LEXICON",
    "EMERGENCY_INTENT",
    "INFECTION_INTENT",
    "Duration",
    "Finding",
    "InfectionSignDetector",
    "Reading",
    "ReadingRules",
    "SafetyLexicon",
    "detect",
    "iter_lexicon_phrases",
    "read_durations",
    "read_temperatures",
]
