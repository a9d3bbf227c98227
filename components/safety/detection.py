"""What one message reports: current signs and emergencies, temperatures, durations.

A phrase the lexicon matched counts only when it is current: not negated, not asked about,
not hypothetical or in the past, and not someone else's (a relative's sign counts when the
message says that person takes the drug, a caregiver reporting for a patient). Readings
then refine it: a normal temperature is not a fever, a short cough is not a sign, and a
reading over the threshold with a unit or a decimal is a fever on its own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from components.safety.context import (
    NEGATED,
    PRESENT,
    asked_about,
    has_modifier,
    is_current,
    is_question,
    modified_by,
    speaks_of_someone,
)
from components.safety.lexicon import (
    CALM,
    IGNORE,
    ILLNESS,
    SIGN_SECTIONS,
    TEMPERATURE_WORD,
    SafetyLexicon,
)
from components.safety.readings import (
    DEFAULT_LEXICON,
    Duration,
    Reading,
    read_durations,
    read_temperatures,
)

EMERGENCY_INTENT = "emergency"
INFECTION_INTENT = "report_infection_sign"
EXTRACTOR = "InfectionSignDetector"
COUGH = "cough"
FEVER = "fever"
NOT_BODY_TEMPERATURE = "not_body_temperature"
# The most tokens analysed at once (see pieces()); more than nearly every message has.
PIECE_TOKENS = 200
SENTENCE_ENDS = frozenset({".", "?", "!"})
SENTENCE_BREAK = re.compile(r"[.?!]")
# Time for reading one message (see detect()); a message people write takes milliseconds.
BUDGET_S = 0.4
KEPT_REPEATS = 3
CALM_NEGATION_REACH = 3  # words between a negation and the calm phrase it denies
# A unit of up to 40 characters repeated 4+ times; digits are left alone ("100000").
REPEATED_UNIT = re.compile(r"([\s\S]{1,40}?)\1{3,}")
NUMBER_LIKE = re.compile(r"[\d.,\s]+")
LONGEST_RUN = 60  # characters without a space; longer than any word
LONG_RUN = re.compile(rf"\S{{{LONGEST_RUN}}}(?=\S)")


# Right after a question about a sign, saying one has it: "is a rash a reason to call? I
# have one now", "what counts as a fever? she's got one since lunch" (not "I've not got
# one", "I don't have one"). Grammar, not clinical wording: kept here.
HAD_ONE = re.compile(
    r"\W*(?:\w+\W+){0,2}?(?:i|i've|ive|he|she|he's|she's|we|we've)\s+(?:got|had|have|has)\s+"
    r"(?:one|it|that)\s+(?:now|since|today|tonight|right now|already|for|all)\b"
)
# The calm phrase reason (content/safety_lexicon.yml, calm_phrases) for "I feel fine".
FEELING_WELL = "feeling_well"
# What a phrase of the lexicon's not_signs is recorded as when set aside.
NOT_A_SIGN = "not_a_sign"


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
    unread: bool = False  # the time ran out before the whole message was read
    text: str = ""  # the normalised text the detector read (entity offsets refer to it)

    @property
    def intent(self) -> Optional[str]:
        if self.emergencies:
            return EMERGENCY_INTENT
        if self.signs or self.unread:
            return INFECTION_INTENT
        return None


@dataclass(frozen=True)
class MessageFacts:
    """What the whole message says that decides whether each matched phrase counts."""

    takes_drug: bool  # someone other than the user takes the drug: their signs count
    fever_reading: bool  # a temperature over the threshold
    only_normal_readings: bool  # temperatures given, none over the threshold
    short_cough: bool  # every duration given is too short for a cough to count
    writer_off_drug: bool = False  # "I'm not on any medicine myself": the user's own signs


def detect(
    text: str,
    lexicon: Optional[SafetyLexicon] = None,
    budget_s: Optional[float] = None,
    earlier: Sequence[str] = (),
) -> Finding:
    """Signs, emergencies, temperatures and durations of one message.

    Without a lexicon, the default one is loaded once and kept. Entity offsets refer to
    the normalised text (typos corrected, long repeats cut down: see tame()).
    The message is read in pieces (see pieces()), the first and the last first; when
    `budget_s` runs out before every piece was read, the finding says so (`unread`) and
    the message is treated as reporting a sign, since what it says cannot be known.
    `earlier`: the conversation's earlier messages, latest first; a carer who said there
    that the person takes the drug is still speaking for that person.
    """
    if lexicon is None:
        lexicon = _default_lexicon()
    # Read at call time, so that tests of what the detector concludes can lift the budget
    # (tests/conftest.py): a loaded test machine must not turn a verdict into
    # "unread" (that is a speed question, for `make bench-detector`).
    deadline = time.perf_counter() + (BUDGET_S if budget_s is None else budget_s)
    text = lexicon.normalise(tame(text))
    finding = Finding(text=text)
    readings = read_temperatures(
        text, lexicon.threshold_c, lexicon.threshold_f, lexicon.reading_rules
    )
    # "What's 38 C in Fahrenheit?", "40 degrees in the car": nobody's temperature.
    finding.readings = [r for r in readings if not r.elsewhere]
    if len(finding.readings) < len(readings):
        finding.set_aside.append(NOT_BODY_TEMPERATURE)
    over = _over_readings(lexicon, text, finding.readings)
    if over:
        finding.readings = [r for r in finding.readings if r not in over]
        finding.set_aside.append(FEVER)
    finding.durations = read_durations(text, lexicon.reading_rules)
    facts = _message_facts(lexicon, text, finding, earlier)
    explicit_fever = False
    for start, end in reading_order(pieces(lexicon, text)):
        if time.perf_counter() > deadline:
            finding.unread = True
            break
        piece = Piece(lexicon.nlp(text[start:end]), start)
        explicit_fever = _scan(lexicon, piece, facts, finding) or explicit_fever
    if finding.signs and not finding.emergencies and _well_and_on_it(lexicon, text, finding):
        # "Harold has come down with the flu... I'm the one on Imuran and I feel just
        # fine": whoever has the signs, it is not the patient (batch 23).
        finding.set_aside.extend(finding.signs)
        finding.signs, finding.phrases, finding.entities = [], [], []
        explicit_fever = False
    if facts.only_normal_readings and FEVER not in finding.set_aside:
        finding.set_aside.append(FEVER)  # "37.1 this morning": a normal temperature
    if explicit_fever and FEVER not in finding.signs:
        finding.signs.append(FEVER)
        finding.phrases.extend(r.text for r in finding.readings if r.over_threshold)
    _add_measurement_entities(finding)
    return finding


@dataclass(frozen=True)
class Piece:
    """One analysed piece of the message and where it starts in the message."""

    doc: Any
    offset: int


def tame(text: str) -> str:
    """The text with long repeats cut down and very long runs without a space broken up.

    Both keep reading a message linear in its length: spaCy's tokenizer looks for
    suffixes of a run again and again (10,000 emoji with no space took 18 s), and every
    repeat of a sign would be another phrase to check (see pieces())."""
    return LONG_RUN.sub(lambda m: m.group(0) + " ", collapse_repeats(text))


def collapse_repeats(text: str) -> str:
    """A run of one unit repeated over and over ("fever fever fever ...", an emoji pasted a
    thousand times, "no, no, no, ...") kept to three repeats: it says no more."""
    return REPEATED_UNIT.sub(_kept_repeats, text)


def _kept_repeats(match: "re.Match[str]") -> str:
    unit = match.group(1)
    return match.group(0) if NUMBER_LIKE.fullmatch(unit) else unit * KEPT_REPEATS


def pieces(lexicon: SafetyLexicon, text: str) -> List[Tuple[int, int]]:
    """(start, end) of consecutive pieces of at most PIECE_TOKENS tokens, cut after a
    sentence end where there is one.

    Why: medspaCy's TargetMatcher and ConText compare every phrase with every other
    (doc.ents is rebuilt per match; each cue is checked against each phrase), so their
    time grows with the square of a message's hits: a 20,000-character message of
    repeated signs took over ten seconds and held the server. ConText's scope is the
    sentence, so cutting between sentences changes nothing for the messages people write.
    """
    tokens = lexicon.nlp.make_doc(text)
    spans: List[Tuple[int, int]] = []
    first = 0  # token index where the current piece starts
    last_end = 0  # token index just after the latest sentence end in the piece
    for token in tokens:
        if token.i - first >= PIECE_TOKENS:
            cut = last_end if last_end > first else token.i
            spans.append((tokens[first].idx, tokens[cut].idx))
            first = cut
        if token.text in SENTENCE_ENDS or "\n" in token.whitespace_:
            last_end = token.i + 1
    if len(tokens):
        spans.append((tokens[first].idx, len(text)))
    return spans


def reading_order(spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """The first piece, the last (where a long message's point often is), then the rest."""
    if len(spans) <= 2:
        return spans
    return [spans[0], spans[-1]] + spans[1:-1]


def _scan(lexicon: SafetyLexicon, piece: Piece, facts: MessageFacts, finding: Finding) -> bool:
    """Adds the current signs of one piece to the finding; True when it holds an
    explicit fever reading (with a unit or a decimal, not asked about)."""
    over = _over(lexicon, piece.doc) | _defined(lexicon, piece.doc)
    for ent in piece.doc.ents:
        category = _current_category(lexicon, ent, over, facts, finding)
        if category is not None:
            _add_sign(lexicon, finding, category, ent, piece.offset)
    return _explicit_fever(lexicon, piece, finding.readings)


def says_well(lexicon: SafetyLexicon, text: str, finding: Finding) -> bool:
    """The message says the patient is well and does not turn after it ("I feel fine but
    my throat is killing me", "alright otherwise")."""
    return FEELING_WELL in finding.set_aside and not lexicon.feeling_well_turns.search(text)


def _well_and_on_it(lexicon: SafetyLexicon, text: str, finding: Finding) -> bool:
    """The user says they are the one on the drug and that they are well."""
    return bool(lexicon.self_on_drug.search(text)) and says_well(lexicon, text, finding)


def _message_facts(
    lexicon: SafetyLexicon, text: str, finding: Finding, earlier: Sequence[str] = ()
) -> MessageFacts:
    """The message-wide facts, from the normalised (lower-case) text and its readings."""
    # A relative's sign counts when the message (or an earlier one of the conversation)
    # ties them to the drug, or when nothing says the relative is not the patient; never
    # when the user says here they are the one taking it.
    said = [text, *(t.lower() for t in earlier)]
    tied = any(lexicon.ties_to_drug(t) for t in said)
    # "I'm not on any meds myself" says the user is not the patient, not the relative.
    others = lexicon.writer_off_drug.sub(" ", text)
    takes_drug = not lexicon.self_on_drug.search(text) and (
        tied or not lexicon.relative_not_patient.search(others)
    )
    fever_reading = any(r.over_threshold for r in finding.readings)
    short_cough = bool(finding.durations) and all(
        d.days <= lexicon.cough_escalates_after_days for d in finding.durations
    )
    return MessageFacts(
        writer_off_drug=bool(lexicon.writer_off_drug.search(text)) and not tied,
        takes_drug=takes_drug,
        fever_reading=fever_reading,
        # "37.9 now but it was higher at lunchtime": the normal reading is not the whole story.
        only_normal_readings=bool(finding.readings)
        and not fever_reading
        and not lexicon.reading_was_higher.search(text),
        short_cough=short_cough,
    )


def _explicit_fever(lexicon: SafetyLexicon, piece: Piece, readings: List[Reading]) -> bool:
    """A reading of this piece with a unit or a decimal over the threshold is a fever on
    its own ("38.6 this morning", "101 F"), unless its sentence is a question about signs."""
    end = piece.offset + len(piece.doc.text)
    return any(
        r.over_threshold
        and r.explicit
        and piece.offset <= r.start < end
        and not _asked_reading(
            lexicon,
            piece.doc.char_span(
                r.start - piece.offset, r.end - piece.offset, alignment_mode="expand"
            ),
        )
        for r in readings
    )


def _asked_reading(lexicon: SafetyLexicon, span: Any) -> bool:
    """A reading asked about: in a question about signs, or a short follow-up question
    right after one, with no one in it ("what counts as a fever? 100.4? 100?")."""
    if span is None:
        return False
    if asked_about(lexicon, span):
        return True
    sentence = span.sent
    if not sentence.text.rstrip().endswith("?") or len(sentence) > 6:
        return False
    if speaks_of_someone(lexicon, sentence.text):
        return False
    earlier = list(span.doc[: sentence.start].sents) if sentence.start else []
    questions = [s for s in earlier[-3:] if s.text.rstrip().endswith("?")]
    return any(is_question(lexicon, s) for s in questions)


def _over(lexicon: SafetyLexicon, doc: Any) -> Set[int]:
    """Start offsets of signs an "over" phrase after them sets aside ("had a UTI in
    January, cleared right up"): the last sign or illness named before the phrase and the
    others of its sentence, unless a present cue says the person has it now. Nothing is
    over when the message then says it came back; emergencies never are."""
    over: Set[int] = set()
    text = doc.text
    for match in lexicon.illness_over.finditer(text):
        if lexicon.illness_back.search(text, match.end()):
            continue
        before = [
            e
            for e in doc.ents
            if e.end_char <= match.start()
            and e.label_ not in lexicon.emergency_categories
            and e.label_ != IGNORE
            and not e.label_.startswith(CALM)
        ]
        if before:
            last = before[-1].sent
            over.update(
                e.start_char
                for e in before
                if e.sent == last and not _present_before(e, match.start())
            )
    return over


def _present_before(ent: Any, over_start: int) -> bool:
    """A present cue ("since", "still", "today") applies to the phrase and stands before
    the words that say it is over: "her throat was sore on Monday but it's gone now and
    she went back to school today" is over, the "today" is the school's."""
    return any(
        mod.category == PRESENT and ent.doc[mod.modifier_span[0]].idx < over_start
        for mod in ent._.modifiers
    )


def _over_readings(lexicon: SafetyLexicon, text: str, readings: List[Reading]) -> List[Reading]:
    """Readings that words later in their sentence say are over ("was up to 38.4 on Monday
    but normal since Tuesday"), unless the message then says it came back."""
    over = []
    for reading in readings:
        # Only the rest of the reading's sentence is searched: a search to the end of the
        # text for every reading made "39.5 " x 1,600 take seconds (make bench-adversarial).
        stop = SENTENCE_BREAK.search(text, reading.end)
        match = lexicon.illness_over.search(text, reading.end, stop.start() if stop else len(text))
        if match and not lexicon.illness_back.search(text, match.end()):
            over.append(reading)
    return over


def _defined(lexicon: SafetyLexicon, doc: Any) -> Set[int]:
    """Start offsets of phrases inside a question about where a sign begins ("what
    counts as a fever?", "how high does a temperature need to be before I call?"): the
    lexicon's sign_definition_questions. Only the phrases inside the question itself;
    a reading or a sign elsewhere in the message still counts."""
    text = doc.text
    spans = [
        m.span()
        for m in lexicon.sign_definition.finditer(text)
        if not HAD_ONE.match(text, m.end(), m.end() + 60)
    ]
    return {
        e.start_char
        for e in doc.ents
        if e.label_ not in lexicon.emergency_categories
        and any(start <= e.start_char and e.end_char <= end for start, end in spans)
    }


def _current_category(
    lexicon: SafetyLexicon, ent: Any, over: Set[int], facts: MessageFacts, finding: Finding
) -> Optional[str]:
    """The sign a matched phrase reports now, or None.

    A sign mentioned but not current is added to the finding's set_aside, so that a
    classifier's escalation for it can be withdrawn; so is the reason of a calm phrase
    ("gave me chills" at a film, "feeling great") that is not negated.
    """
    category = ent.label_
    if category == IGNORE:
        # "the yellow fever jab", "flu season": a sign word that names no sign. Recorded,
        # so that a classifier's escalation read from the word alone can be withdrawn.
        finding.set_aside.append(NOT_A_SIGN)
        return None
    if category.startswith(CALM):
        # Only a negation close before it ("not feeling great"): "No fever or anything,
        # I'm fine" denies the fever, not the being fine.
        if not modified_by(lexicon, ent, NEGATED, CALM_NEGATION_REACH):
            finding.set_aside.append(category[len(CALM) :])
        return None
    if ent.start_char in over:
        finding.set_aside.append(category)  # "...cleared right up", "I'm grand now"
        return None
    if (
        category not in (ILLNESS, TEMPERATURE_WORD)
        and HAD_ONE.match(ent.doc.text, ent.sent.end_char, ent.sent.end_char + 60)
        and not modified_by(lexicon, ent, NEGATED)
    ):
        return category  # "is a rash a reason to call? I have one now"
    if asked_about(lexicon, ent) or not is_current(
        lexicon, ent, facts.takes_drug, facts.writer_off_drug
    ):
        finding.set_aside.append(category)
        return None
    if category == ILLNESS:
        return None  # "I've got a cold": the signs that come with it decide
    if category in (FEVER, TEMPERATURE_WORD) and facts.only_normal_readings:
        finding.set_aside.append(FEVER)
        return None
    if category == TEMPERATURE_WORD:
        # "temperature" alone: a fever only with a high reading or "I have a temperature".
        if not (facts.fever_reading or has_modifier(ent, "PRESENT")):
            return None
        category = FEVER
    if category == COUGH and facts.short_cough:
        finding.set_aside.append(COUGH)  # "since this morning": too short to be a sign
        return None
    return category


def _add_sign(
    lexicon: SafetyLexicon, finding: Finding, category: str, ent: Any, offset: int
) -> None:
    """Records a current sign or emergency, its phrase and its entity."""
    emergency = category in lexicon.emergency_categories
    target = finding.emergencies if emergency else finding.signs
    if category not in target:
        target.append(category)
    finding.phrases.append(ent.text)
    finding.entities.append(
        {
            "entity": "emergency_sign" if emergency else "infection_sign",
            "value": category,
            "start": ent.start_char + offset,
            "end": ent.end_char + offset,
            "extractor": EXTRACTOR,
        }
    )


def _add_measurement_entities(finding: Finding) -> None:
    """Durations, then temperatures (in °C), as entities for the actions to quote."""
    for duration in finding.durations:
        finding.entities.append(
            {
                "entity": "duration",
                "value": duration.text,
                "days": duration.days,  # what the escalation record keeps (not the words)
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


_DEFAULT: List[SafetyLexicon] = []


def _default_lexicon() -> SafetyLexicon:
    if not _DEFAULT:
        _DEFAULT.append(SafetyLexicon(DEFAULT_LEXICON))
    return _DEFAULT[0]


def iter_lexicon_phrases(path: Path = DEFAULT_LEXICON) -> Iterable[str]:
    """The plain phrases of the lexicon (regular-expression entries left out)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in SIGN_SECTIONS:
        for phrases in data[section].values():
            yield from (p for p in phrases if isinstance(p, str))
