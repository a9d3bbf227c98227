"""The safety lexicon (content/safety_lexicon.yml) loaded into a medspaCy pipeline.

The file is clinical content that a pharmacist reviews; this module only turns it into
what detection applies: a spaCy pipeline whose TargetMatcher finds the lexicon's phrases
and whose ConText marks each one negated, hypothetical, historical or about someone else;
a typo normaliser that maps misspellings onto the lexicon's words; and the rules about
people, questions, temperatures and durations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, FrozenSet, Iterable, List, Mapping, Set, Tuple

import spacy
import yaml

from components.safety.patterns import NAME as PATTERN_MATCHER
from components.safety.readings import ReadingRules
from components.typo_normaliser import TypoNormaliser

IGNORE = "NOT_A_SIGN"
TEMPERATURE_WORD = "TEMPERATURE_WORD"
# Calm phrases ("that film gave me chills", "feeling great") are matched with this prefix
# and their reason: "CALM:figure_of_speech".
CALM = "CALM:"
# A named illness ("a cold", "stomach bug"): never a sign, only set aside when not current.
ILLNESS = "NAMED_ILLNESS"
# What a context rule in the lexicon may set besides literal, category and direction.
CONTEXT_RULE_OPTIONS = ("pattern", "max_scope", "allowed_types", "excluded_types")
SIGN_SECTIONS = ("infection_signs", "emergency_signs")
WORD = re.compile(r"[a-z]+")
COLON_BEFORE_NO = re.compile(r":(\s+no\s+[a-z])")
# A capitalised word after a letter, digit or comma: a name in the middle of a sentence.
MID_SENTENCE_NAME = re.compile(r"(?<=[A-Za-z0-9,;] )([A-Z][a-z]{2,})\b")
# A tie to the drug that says the opposite: "she is not on imuran", "she dont take
# azathioprine" (batch 22) tie nobody to it.
NEGATED_TIE = re.compile(r"\b(?:not|isn['’]?t|aren['’]?t|don['’]?t|doesn['’]?t|never|no longer)\b")

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
        self.self_on_drug = _self_on_drug_pattern(
            data.get("self_on_drug_phrases", []), self.drug_words
        )
        self.emergency_categories = set(data["emergency_signs"])
        self.caregiver = _caregiver_patterns(data.get("caregiver_patterns", []), self.drug_words)
        self.relative_not_patient = _regex_union(data.get("relative_not_the_patient") or [])
        self.writer_off_drug = _regex_union(data.get("writer_not_on_the_drug") or [])
        self.feeling_well_turns = _regex_union(data.get("feeling_well_turns") or [])
        self.current_complaint = _regex_union(data.get("current_complaint_cues") or [])
        self.double_up = _regex_union(data.get("double_up_questions") or [])
        self.doses_taken = _regex_union(data.get("doses_already_taken") or [])
        self.complaint_undone = _phrases_pattern(data.get("current_complaint_undone") or [])
        self.question_openers = _lowered(data.get("question_openers", []))
        self.sign_definition = _regex_union(data.get("sign_definition_questions") or [])
        self.first_person = _lowered(data.get("first_person_words", []))
        self.leading_filler = _lowered(data["leading_filler_words"])
        self.contractions = {
            str(k).lower(): str(v) for k, v in (data.get("contractions") or {}).items()
        }
        self.subject_switch = _phrases_pattern(data.get("subject_switch_phrases") or [])
        self.reported_own_sign = re.compile(str(data.get("reported_own_sign") or r"(?!x)x"))
        self.reply_opening = _reply_opening(
            data.get("reply_openers") or [], data.get("reply_followers") or []
        )
        self.emergency = EmergencyContext.from_lexicon(data.get("emergency_context") or {})
        self.generic_self = _phrases_pattern(data.get("generic_self_phrases") or [])
        self.reading_was_higher = _phrases_pattern(data.get("reading_was_higher_cues") or [])
        self.illness_over = _regex_union(data.get("illness_over_phrases") or [])
        results = "|".join(re.escape(r) for r in data.get("illness_back_results") or [])
        self.illness_back = re.compile(
            _phrases_pattern(data.get("illness_back_cues") or []).pattern
            + (rf"(?!\s+(?:{results})\b)" if results else "")
        )
        entries = sign_entries(data)
        self.normaliser = _typo_normaliser(data, entries, self.drug_words)
        self.nlp = _pipeline(data, entries)

    def ties_to_drug(self, text: str) -> bool:
        """The (lower-case) text ties a relative to the drug ("my son takes aza"), and
        does not deny it ("she is not on imuran, only me")."""
        return any(
            not NEGATED_TIE.search(match.group(0))
            for pattern in self.caregiver
            for match in pattern.finditer(text)
        )

    def normalise(self, text: str) -> str:
        """Lower case, apostrophes restored ("dont" -> "don't"), misspelled words replaced
        by the lexicon or cue words they stand for ("fevr" -> "fever")."""
        lowered = WORD.sub(lambda m: self.contractions.get(m.group(0), m.group(0)), text.lower())
        # "No, I have a fever": the reply word becomes a sentence of its own ("no. i have...").
        lowered = self.reply_opening.sub(r"\1\2. ", lowered)
        # "Just checking in: no fever, no infections": medspaCy's ": no" looks back (a
        # form's "fever: no") and, being longer, displaced the "no" that looks forward, so
        # the fever read as present. Before a word the colon ends a sentence instead.
        lowered = COLON_BEFORE_NO.sub(r".\1", lowered)
        tokens = self.nlp.make_doc(lowered)
        # A place or a person named mid-sentence is no misspelling: "last time in Phuket he
        # go red like lobster" is not "puked" (batch 41).
        names = {m.group(1).lower() for m in MID_SENTENCE_NAME.finditer(text)}
        return "".join(
            (t.text if t.text in names else self.normaliser.correct(t.text)) + t.whitespace_
            for t in tokens
        )


@dataclass(frozen=True)
class EmergencyContext:
    """How context applies to emergency phrases (the lexicon's `emergency_context`)."""

    someone_else_counts: bool = True  # "my husband collapsed" is an emergency
    negation_reach: int = 5  # a negation counts only this many words before the phrase
    questions_and_ifs_count: FrozenSet[str] = frozenset()  # "what's the point of going on"

    @classmethod
    def from_lexicon(cls, section: Mapping[str, Any]) -> "EmergencyContext":
        return cls(
            someone_else_counts=bool(section.get("someone_else_counts", True)),
            negation_reach=int(section.get("negation_reach_words", 5)),
            questions_and_ifs_count=frozenset(section.get("questions_and_ifs_count") or []),
        )


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


def _phrases_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Any of the phrases as whole words ("and i" is not "and it")."""
    listed = "|".join(re.escape(p.lower()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"\b(?:" + listed + r")\b" if listed else r"(?!x)x")


def _regex_union(entries: Iterable[Mapping[str, str]]) -> re.Pattern[str]:
    """The lexicon's {regex: ...} entries as one pattern (never matches when empty)."""
    listed = "|".join("(?:" + e["regex"] + ")" for e in entries)
    return re.compile(listed or r"(?!x)x")


def _reply_opening(openers: Iterable[str], followers: Iterable[str]) -> re.Pattern[str]:
    """A reply word at the start of a sentence, then a comma or a listed word: "no, i...",
    "no she hasn't...". Groups: 1 what came before, 2 the reply word."""
    if not openers:
        return re.compile(r"(?!x)x")
    words = "|".join(re.escape(w.lower()) for w in sorted(openers, key=len, reverse=True))
    after = "|".join(re.escape(w.lower()) for w in sorted(followers, key=len, reverse=True))
    return re.compile(
        r"(^\s*|[.!?]\s+)(" + words + r")(?:\s*[,;:]+\s*|\s+(?=(?:" + after + r")\b))"
    )


def _self_on_drug_pattern(phrases: Iterable[str], drug_words: Set[str]) -> re.Pattern[str]:
    """The user saying they are the one on the drug ("i'm on aza", "i take it"): the
    phrase followed closely by the drug, its tablets or a dose, so that "should i take
    him to the doctor" or "i'm on my way" are not read as taking it."""
    said = "|".join(re.escape(p.lower()) for p in phrases)
    drug = "|".join(re.escape(w) for w in sorted(drug_words))
    taken = rf"(?:{drug}|it|them|this|these|the tablets?|tablets?|pills?|meds|medication|\d+\s*mg)"
    return re.compile(rf"\b(?:{said})\b[^.?!]{{0,20}}?\b{taken}\b")


def _caregiver_patterns(patterns: Iterable[str], drug_words: Set[str]) -> List[re.Pattern[str]]:
    """The lexicon's caregiver patterns, with DRUG standing for any of the drug's names."""
    drug = "(?:" + "|".join(re.escape(w) for w in sorted(drug_words)) + ")"
    return [re.compile(p.replace("DRUG", drug), re.IGNORECASE) for p in patterns]


def _regex_words(regex: str) -> str:
    """The words of a regular expression, its escapes left out: "\\bnagsuka" gives
    "nagsuka", not "bnagsuka" (a target that turned the real word into a wrong one)."""
    return " ".join(re.findall(r"[a-z]{4,}", re.sub(r"\\[a-zA-Z]", " ", regex)))


def _typo_normaliser(
    data: Mapping[str, Any], entries: List[Entry], drug_words: Set[str]
) -> TypoNormaliser:
    """Corrects misspellings towards the lexicon's words and its context cues.

    Cue words are corrected too: "last wniter" must still be "last winter". The drug's
    names as the lexicon lists them (misspellings included) are left as written.
    """
    context_words = [str(r["literal"]) for r in data.get("context_rules", []) if "pattern" not in r]
    context_words += [str(c) for c in data.get("not_body_temperature_cues", [])]
    # Phrases that are not signs are corrected too: "glandlar fever" is "glandular fever".
    calm = [e for phrases in (data.get("calm_phrases") or {}).values() for e in phrases]
    listed = [e for _, e in entries] + list(data.get("not_signs", [])) + calm
    sign_words = [e for e in listed if isinstance(e, str)]
    pattern_words = [_regex_words(e["regex"]) for e in listed if not isinstance(e, str)]
    caregiver_words = [_regex_words(p) for p in data.get("caregiver_patterns", [])]
    return TypoNormaliser(
        context_words
        + sign_words
        + list(data.get("temperature_words", []))
        + caregiver_words
        + sorted(drug_words),
        keep=drug_words,
        secondary=pattern_words,
    )


def _pipeline(data: Mapping[str, Any], entries: List[Entry]) -> Any:
    """spaCy with the sentencizer, medspaCy's TargetMatcher and ConText, from the lexicon."""
    import medspacy  # noqa: F401  (registers the medspacy_* pipes)
    from medspacy.context import ConTextRule

    listed = _listed(data, entries)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher: Any = nlp.add_pipe("medspacy_target_matcher")
    matcher.add(_phrase_rules(listed))
    patterns = [[category, e["regex"]] for category, e in listed if not isinstance(e, str)]
    nlp.add_pipe(
        PATTERN_MATCHER,
        config={
            "patterns": patterns,
            "urgent": sorted(data["emergency_signs"]),
            "yielding": sorted(data["infection_signs"]),
        },
    )
    # Cues inside a matched phrase ("can't" in "can't stop shivering") are not cues.
    context: Any = nlp.add_pipe("medspacy_context", config={"prune_on_target_overlap": True})
    context.add(
        [
            ConTextRule(
                r["literal"],
                r["category"],
                direction=r["direction"],
                **{k: r[k] for k in CONTEXT_RULE_OPTIONS if k in r},
            )
            for r in data.get("context_rules", [])
        ]
    )
    return nlp


def _listed(data: Mapping[str, Any], entries: List[Entry]) -> List[Entry]:
    """Everything matched in the text, with its label: signs, temperature words, phrases
    that are not signs, named illnesses and calm phrases."""
    calm = [
        (CALM + reason, entry)
        for reason, phrases in (data.get("calm_phrases") or {}).items()
        for entry in phrases
    ]
    return (
        entries
        + [(TEMPERATURE_WORD, p) for p in data.get("temperature_words", [])]
        + [(IGNORE, p) for p in data.get("not_signs", [])]
        + [(ILLNESS, p) for p in data.get("named_illnesses", [])]
        + calm
    )


def _phrase_rules(listed: List[Entry]) -> List[Any]:
    """The plain phrases, for medspaCy's TargetMatcher (patterns: components/safety/patterns.py)."""
    from medspacy.target_matcher import TargetRule

    return [TargetRule(entry, category) for category, entry in listed if isinstance(entry, str)]
