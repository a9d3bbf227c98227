"""Whether one matched phrase is current: the ConText modifiers and the lexicon's rules.

A sign counts when it is not negated, not asked about, not hypothetical or in the past, and
not someone else's (unless that person takes the drug). Emergencies differ on purpose, as
the lexicon's `emergency_context` says: someone else's emergency is still one ("my husband
collapsed"); a negation must be close to the phrase ("I don't know what to do, she swallowed
some tablets" is not a denial); and thoughts of self-harm count even when phrased as a
question or an "if" ("what's the point of going on", "if I just wasn't around").
"""

from __future__ import annotations

import re
from typing import Any, Optional

from components.safety.lexicon import SafetyLexicon

NEGATED = "NEGATED_EXISTENCE"
FAMILY = "FAMILY"
GOING_ROUND = "GOING_ROUND"  # "chickenpox going round the school": nobody's sign
PRESENT = "PRESENT"
WORDS = re.compile(r"[a-z]+")


def asked_about(lexicon: SafetyLexicon, span: Any) -> bool:
    """A question about signs in general: 'is a rash a reason to call?'.

    Its sentence opens with a question word (after any greeting; the "?" is often not
    typed), and neither it nor the words right after it speak of the user or a patient
    ("...? I have one now"). Thoughts of self-harm are never only a question.
    """
    if span is None:
        return False
    if span.label_ in lexicon.emergency.questions_and_ifs_count:
        return False
    sentence = span.sent
    following = span.doc[sentence.end : sentence.end + 12]  # "...? I have one now"
    return is_question(lexicon, sentence) and not speaks_of_someone(
        lexicon, sentence.text + " " + following.text
    )


def is_question(lexicon: SafetyLexicon, sentence: Any) -> bool:
    """The sentence opens with a question word, after any greeting or filler."""
    words = [t.lower_ for t in sentence if not t.is_punct]
    while words and words[0] in lexicon.leading_filler:
        words = words[1:]
    return bool(words) and words[0] in lexicon.question_openers


def speaks_of_someone(lexicon: SafetyLexicon, text: str) -> bool:
    """A first-person or patient word, leaving out "for someone like me" and the like."""
    text = lexicon.generic_self.sub(" ", text.lower())
    return any(w in lexicon.first_person for w in WORDS.findall(text))


def has_modifier(ent: Any, category: str) -> bool:
    return any(mod.category == category for mod in ent._.modifiers)


def modified_by(
    lexicon: SafetyLexicon, ent: Any, category: str, reach: Optional[int] = None
) -> bool:
    """A cue of this category applies to the phrase: not across a switch to the user ("no
    fever and I've got a sore throat") and, with a reach, at most that many words away."""
    for mod in ent._.modifiers:
        if mod.category != category:
            continue
        start, end = mod.modifier_span
        before = end <= ent.start
        gap = ent.start - end if before else start - ent.end
        if before and lexicon.subject_switch.search(ent.doc[end : ent.start].text):
            continue
        if (
            category == FAMILY
            and before
            and lexicon.reported_own_sign.search(ent.doc[end : ent.end].text)
        ):
            continue  # "my flatmate has said me that my eyes have become yellow"
        if reach is None or gap <= reach:
            return True
    return False


def is_current(
    lexicon: SafetyLexicon, ent: Any, takes_drug: bool, writer_off_drug: bool = False
) -> bool:
    """Not negated, not someone else's, and not hypothetical or past unless a PRESENT cue
    ("I have", "since") says otherwise; emergencies as the module docstring says. When
    the user says they are not on the drug (`writer_off_drug`), their own signs (those
    of no one else named) are not a patient's."""
    rules = lexicon.emergency
    emergency = ent.label_ in lexicon.emergency_categories
    if modified_by(lexicon, ent, NEGATED, rules.negation_reach if emergency else None):
        return False
    if not emergency and modified_by(lexicon, ent, GOING_ROUND):
        return False
    family = modified_by(lexicon, ent, FAMILY)
    if writer_off_drug and not emergency and not family:
        return False
    if family and not takes_drug and not (emergency and rules.someone_else_counts):
        return False
    if has_modifier(ent, PRESENT):
        return True
    if ent.label_ in rules.questions_and_ifs_count:
        return not ent._.is_historical
    return not (ent._.is_hypothetical or ent._.is_historical)
