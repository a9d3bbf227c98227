"""Every leaflet section answered, cited, readable and in the project's own words."""

from __future__ import annotations

import re

import pytest
import textstat
import yaml

from clinic.hours import load_settings
from clinic.wording import fill
from tests.content.sections import (
    CONTRACT,
    ROOT,
    SECTION_IDS,
    SOURCES,
    contract_section_ids,
    leaflet_answers,
    normalise,
)

ANSWERS = leaflet_answers()
CITATION = re.compile(
    r'^Source: (?:(?:Cleveland Clinic leaflet on Imuran|Azathioprine overview), "[^"]+"'
    r"(?: \(tips\))?(?:; )?)+$"
)
MAX_WORDS = 120  # a phone screen or two; the warning-signs list is the longest
MIN_FLESCH = 60.0
COPY_NGRAM = 8  # no run of this many words may be copied from a source


def body_and_citation(text: str) -> tuple:
    body, _, citation = text.rpartition("\n\nSource: ")
    return body.strip(), "Source: " + citation.strip()


def test_section_list_matches_the_contract():
    if not CONTRACT.exists():
        pytest.skip(f"{CONTRACT} not present (it ships beside the repo in CI)")
    assert contract_section_ids() == SECTION_IDS


def test_every_section_has_exactly_one_answer():
    assert sorted(ANSWERS) == sorted(SECTION_IDS)


@pytest.mark.parametrize("section", SECTION_IDS)
def test_answer_cites_its_source(section):
    body, citation = body_and_citation(ANSWERS[section])
    assert body, "answer body missing"
    assert CITATION.match(citation), citation


@pytest.mark.parametrize("section", SECTION_IDS)
def test_answer_is_readable_on_a_phone(section):
    body, _ = body_and_citation(ANSWERS[section])
    words = len(body.split())
    assert words <= MAX_WORDS, f"{words} words"
    score = textstat.flesch_reading_ease(body)
    assert score >= MIN_FLESCH, f"Flesch reading ease {score:.1f}"


@pytest.mark.parametrize("section", ["side_effects", "nausea"])
def test_side_effect_answers_end_with_when_to_call(section):
    body, _ = body_and_citation(ANSWERS[section])
    last_sentence = re.split(r"(?<=[.!?])\s+", body.strip())[-1].lower()
    assert "call your doctor" in last_sentence, last_sentence


def test_warning_signs_answer_names_the_threshold_and_says_call():
    body, _ = body_and_citation(ANSWERS["infection_warning_signs"])
    assert "38 °C" in body and "100 °F" in body
    assert "call your doctor right away" in body.lower()


@pytest.mark.parametrize("section", SECTION_IDS)
def test_answer_is_in_our_own_words(section):
    if not SOURCES.exists():
        pytest.skip(f"{SOURCES} not present (it ships beside the repo in CI)")
    source_words = " ".join(
        normalise(p.read_text(encoding="utf-8")) for p in sorted(SOURCES.glob("*.txt"))
    ).split()
    source_ngrams = {
        tuple(source_words[i : i + COPY_NGRAM]) for i in range(len(source_words) - COPY_NGRAM)
    }
    body, _ = body_and_citation(ANSWERS[section])
    words = normalise(body).split()
    copied = [
        " ".join(words[i : i + COPY_NGRAM])
        for i in range(len(words) - COPY_NGRAM + 1)
        if tuple(words[i : i + COPY_NGRAM]) in source_ngrams
    ]
    assert not copied, copied


def test_every_plain_response_is_readable():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in domain["responses"].items():
        for variation in variations:
            shown = fill(variation["text"], load_settings())  # as a patient sees it
            score = textstat.flesch_reading_ease(shown)
            assert score >= MIN_FLESCH, f"{name}: Flesch {score:.1f}"


@pytest.mark.parametrize("name", ["utter_clarify", "utter_out_of_scope"])
def test_fallback_replies_say_who_to_ask_or_what_to_do(name):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    text = domain["responses"][name][0]["text"].lower()
    if name == "utter_clarify":
        assert "signs of infection" in text and "call your doctor" in text
    else:
        assert "pharmacist" in text and "doctor" in text


def test_the_reply_to_other_languages_is_readable_and_says_what_to_do():
    data = yaml.safe_load((ROOT / "content" / "languages.yml").read_text(encoding="utf-8"))
    shown = fill(" ".join(data["reply"].split()), load_settings())
    assert textstat.flesch_reading_ease(shown) >= MIN_FLESCH
    assert "911" in shown and "call your doctor" in shown and "interpreter" in shown
    # Every line in another language gives the emergency number too.
    for code, line in data["lines"].items():
        assert "{emergency_number}" in line, code
