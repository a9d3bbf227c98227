"""The safety lexicon (content/safety_lexicon.yml) loaded into a medspaCy pipeline.

The file is clinical content that a pharmacist reviews; this module only turns it into
what detection applies: a spaCy pipeline whose TargetMatcher finds the lexicon's phrases
and whose ConText marks each one negated, hypothetical, historical or about someone else;
a typo normaliser that maps misspellings onto the lexicon's words; and the rules about
people, questions, temperatures and durations.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Set, Tuple

import spacy
import yaml

from components.safety.readings import ReadingRules
from components.typo_normaliser import TypoNormaliser

IGNORE = "NOT_A_SIGN"
TEMPERATURE_WORD = "TEMPERATURE_WORD"
SIGN_SECTIONS = ("infection_signs", "emergency_signs")
WORD = re.compile(r"[a-z]+")

# (category, entry): the entry is a phrase or {"regex": ...}.
Entry = Tuple[str, Any]


class SafetyLexicon:
    """The lexicon file turned into a medspaCy pipeline."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.threshold_c = float(data["fever_threshold_c"])
        self.threshold_f = float(data["fever_threshold_f"])
        self.cough_escalates_after_days = float(data["cough_escalates_after_days"])
        self.reading_rules = ReadingRules.from_lexicon(data)
        self.drug_words = _lowered(data.get("patient_drug_words", []))
        self.self_on_drug = _self_on_drug_pattern(data.get("self_on_drug_phrases", []))
        self.emergency_categories = set(data["emergency_signs"])
        self.caregiver = _caregiver_patterns(data.get("caregiver_patterns", []), self.drug_words)
        self.question_openers = _lowered(data.get("question_openers", []))
        self.first_person = _lowered(data.get("first_person_words", []))
        self.leading_filler = _lowered(data["leading_filler_words"])
        self.contractions = {
            str(k).lower(): str(v) for k, v in (data.get("contractions") or {}).items()
        }
        entries = sign_entries(data)
        self.normaliser = _typo_normaliser(data, entries, self.drug_words)
        self.nlp = _pipeline(data, entries)

    def normalise(self, text: str) -> str:
        """Lower case, apostrophes restored ("dont" -> "don't"), misspelled words replaced
        by the lexicon or cue words they stand for ("fevr" -> "fever")."""
        lowered = WORD.sub(lambda m: self.contractions.get(m.group(0), m.group(0)), text.lower())
        tokens = self.nlp.make_doc(lowered)
        return "".join(self.normaliser.correct(t.text) + t.whitespace_ for t in tokens)


def sign_entries(data: Mapping[str, Any]) -> List[Entry]:
    """Every (category, entry) of the infection and emergency sections, in file order."""
    return [
        (category, entry)
        for section in SIGN_SECTIONS
        for category, phrases in data[section].items()
        for entry in phrases
    ]


def _lowered(words: Iterable[str]) -> Set[str]:
    return {w.lower() for w in words}


def _self_on_drug_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """The user saying they are the one on the drug ("i'm on", "i take")."""
    return re.compile(r"\b(?:" + "|".join(re.escape(p.lower()) for p in phrases) + r")\b")


def _caregiver_patterns(patterns: Iterable[str], drug_words: Set[str]) -> List[re.Pattern[str]]:
    """The lexicon's caregiver patterns, with DRUG standing for any of the drug's names."""
    drug = "(?:" + "|".join(re.escape(w) for w in sorted(drug_words)) + ")"
    return [re.compile(p.replace("DRUG", drug), re.IGNORECASE) for p in patterns]


def _typo_normaliser(
    data: Mapping[str, Any], entries: List[Entry], drug_words: Set[str]
) -> TypoNormaliser:
    """Corrects misspellings towards the lexicon's words and its context cues.

    Cue words are corrected too: "last wniter" must still be "last winter". The drug's
    names as the lexicon lists them (misspellings included) are left as written.
    """
    context_words = [str(r["literal"]) for r in data.get("context_rules", [])]
    sign_words = [
        e if isinstance(e, str) else " ".join(re.findall(r"[a-z]{4,}", e["regex"]))
        for _, e in entries
    ]
    caregiver_words = [
        " ".join(re.findall(r"[a-z]{4,}", p)) for p in data.get("caregiver_patterns", [])
    ]
    return TypoNormaliser(
        context_words
        + sign_words
        + list(data.get("temperature_words", []))
        + caregiver_words
        + sorted(drug_words),
        keep=drug_words,
    )


def _pipeline(data: Mapping[str, Any], entries: List[Entry]) -> Any:
    """spaCy with the sentencizer, medspaCy's TargetMatcher and ConText, from the lexicon."""
    import medspacy  # noqa: F401  (registers the medspacy_* pipes)
    from medspacy.context import ConTextRule

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher: Any = nlp.add_pipe("medspacy_target_matcher")
    matcher.add(_target_rules(data, entries))
    # Cues inside a matched phrase ("can't" in "can't stop shivering") are not cues.
    context: Any = nlp.add_pipe("medspacy_context", config={"prune_on_target_overlap": True})
    context.add(
        [
            ConTextRule(r["literal"], r["category"], direction=r["direction"])
            for r in data.get("context_rules", [])
        ]
    )
    return nlp


def _target_rules(data: Mapping[str, Any], entries: List[Entry]) -> List[Any]:
    """What the TargetMatcher looks for: signs, temperature words, and not-signs."""
    from medspacy.target_matcher import TargetRule

    rules: List[Any] = [
        (
            TargetRule(entry, category)
            if isinstance(entry, str)
            else TargetRule(f"{category} pattern", category, pattern=entry["regex"])
        )
        for category, entry in entries
    ]
    rules += [TargetRule(p, TEMPERATURE_WORD) for p in data.get("temperature_words", [])]
    rules += [TargetRule(p, IGNORE) for p in data.get("not_signs", [])]
    return rules
