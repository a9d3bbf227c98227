"""The detector's bounds: a message is read in pieces, long repeats are cut down, and a
message that cannot be read within the time budget escalates rather than passing.

Why: medspaCy's matching grows with the square of a message's hits, and one 20 KB message
of repeated signs used to hold the server for a minute (docs/production.md). Speed itself
is measured by `python -m scripts.bench_adversarial`, never here.
"""

from __future__ import annotations

from components.safety import detect
from components.safety.detection import (
    INFECTION_INTENT,
    LONGEST_RUN,
    PIECE_TOKENS,
    _default_lexicon,
    collapse_repeats,
    pieces,
    reading_order,
    tame,
)

FILLER = "Today I went to the shops and then I came home and made some tea. "


def test_repeats_are_cut_to_three_but_numbers_are_kept() -> None:
    assert collapse_repeats("fever " * 3300) == "fever " * 3
    assert collapse_repeats("😷🤒" * 5000) == "😷🤒" * 3
    assert collapse_repeats("no, " * 5000) == "no, " * 3
    assert collapse_repeats("my temp was 100000 and 38.888888") == (
        "my temp was 100000 and 38.888888"
    )
    assert collapse_repeats("I feel awful") == "I feel awful"


def test_long_runs_without_a_space_are_broken() -> None:
    run = "".join(chr(0x1F300 + (i * 7919) % 700) for i in range(1000))
    tamed = tame(run)
    assert max(len(part) for part in tamed.split()) <= LONGEST_RUN
    assert tamed.replace(" ", "") == run


def test_pieces_cover_the_text_in_order_and_are_bounded() -> None:
    lexicon = _default_lexicon()
    text = FILLER * 60 + "word " * 700
    spans = pieces(lexicon, text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    for start, end in spans:
        assert len(lexicon.nlp.make_doc(text[start:end])) <= PIECE_TOKENS
    # Cut after a sentence where there is one.
    assert text[spans[0][1] - 2 : spans[0][1]] == ". "


def test_a_short_message_is_one_piece_and_the_last_piece_is_read_second() -> None:
    assert pieces(_default_lexicon(), "I have a fever") == [(0, 14)]
    assert reading_order([(0, 1), (1, 2), (2, 3), (3, 4)]) == [(0, 1), (3, 4), (1, 2), (2, 3)]


def test_a_sign_at_the_end_of_a_long_message_is_found_with_its_offsets() -> None:
    text = FILLER * 40 + "Sorry for rambling, the point is I have a fever and chills."
    finding = detect(text)
    assert finding.intent == INFECTION_INTENT and not finding.unread
    assert "fever" in finding.signs
    normalised = _default_lexicon().normalise(tame(text))
    spans = [(e["start"], e["end"]) for e in finding.entities if e["entity"] == "infection_sign"]
    assert normalised[spans[0][0] : spans[0][1]] == "fever"


def test_negation_still_works_inside_a_long_message() -> None:
    finding = detect(FILLER * 40 + "I have no fever at all.")
    assert finding.intent is None and "fever" in finding.set_aside


def test_a_message_not_read_in_time_escalates() -> None:
    finding = detect(FILLER * 20 + "nothing to report", budget_s=0.0)
    assert finding.unread and finding.intent == INFECTION_INTENT


def test_a_message_read_in_time_is_not_unread() -> None:
    finding = detect(FILLER * 20 + "nothing to report")
    assert not finding.unread and finding.intent is None
