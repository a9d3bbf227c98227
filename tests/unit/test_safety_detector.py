"""The deterministic safety net: what escalates, what does not, and why.

A small probe set for the mechanisms (negation, hypotheticals, history, relatives,
temperatures, lexicon exclusions). The held-out NLU set measures recall on unseen text.
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.safety import (
    InfectionSignDetector,
    detect,
    iter_lexicon_phrases,
    read_temperatures,
)

MUST_ESCALATE = [
    ("I have a fever", "fever"),
    ("Fever 38,5 and chills", "fever"),
    ("🤒 38.9", "fever"),
    ("temp 101.5F", "fever"),
    ("I don't have a cough but my throat hurts", "sore_throat"),
    ("my son takes azathioprine and has a fever", "fever"),
    ("I have diarrhea, is it a side effect?", "vomiting_or_diarrhoea"),
    ("ive had a cough for 4 days now", "cough"),
    ("burning when i pee since yesterday", "urinary"),
    ("my poop is black and tarry", "urine_or_stool_change"),
]
MUST_NOT_ESCALATE = [
    "no fever",
    "what if I get a fever?",
    "I had a fever two years ago",
    "my wife has a sore throat",
    "is a sore throat a sign of infection?",
    "my temp is 37.2",
    "what temperature should I store it at",
    "can I get the flu jab",
    "does imuran cause bruising",
    "is the yellow fever jab ok with aza",
    "my coworker has the flu, what should i do since im on azathioprine",
    "how should I store imuran",
]
EMERGENCIES = [
    ("i dont want to live anymore", "self_harm"),
    ("cant catch my breath even sitting still", "breathing"),
    ("my toddler swallowed some of my pills", "overdose"),
    ("he collapsed in the kitchen", "fainting"),
]


@pytest.mark.parametrize("text, sign", MUST_ESCALATE)
def test_current_signs_escalate(text, sign):
    finding = detect(text)
    assert finding.intent == "report_infection_sign"
    assert sign in finding.signs


@pytest.mark.parametrize("text", MUST_NOT_ESCALATE)
def test_negated_asked_past_or_other_people_do_not_escalate(text):
    assert detect(text).intent is None


@pytest.mark.parametrize("text, category", EMERGENCIES)
def test_emergencies(text, category):
    finding = detect(text)
    assert finding.intent == "emergency"
    assert category in finding.emergencies


def test_im_not_suicidal_is_not_an_emergency():
    assert detect("im not suicidal, just tired of the nausea").intent is None


def test_sign_at_the_end_of_a_long_message():
    text = "I have a question about my tablets. " * 140 + "Also I have had chills all night."
    assert len(text) > 5000
    assert "sweats_or_chills" in detect(text).signs


@pytest.mark.parametrize(
    "text, celsius, over",
    [
        ("38.5", 38.5, True),
        ("38,2 C", 38.2, True),
        ("37.9°C", 37.9, False),
        ("100.4 F", 38.0, True),
        ("99 degrees F", 37.2, False),
        ("102", 38.9, True),
    ],
)
def test_temperature_readings(text, celsius, over):
    readings = read_temperatures(text, 38.0, 100.0)
    assert len(readings) == 1
    assert readings[0].celsius == pytest.approx(celsius, abs=0.05)
    assert readings[0].over_threshold is over


def test_doses_and_ages_are_not_temperatures():
    assert read_temperatures("I take 50 mg twice a day", 38.0, 100.0) == []
    assert read_temperatures("I am 12 years old", 38.0, 100.0) == []


def test_lexicon_has_every_leaflet_sign_family():
    phrases = set(iter_lexicon_phrases())
    for must in (
        "fever",
        "chills",
        "rash",
        "sore throat",
        "cough",
        "white patches",
        "diarrhea",
        "vomiting",
        "bloody urine",
        "black stools",
        "bruising",
    ):
        assert must in phrases


def test_component_overrides_the_classifier_and_lists_the_signs():
    detector = InfectionSignDetector({"lexicon": None})
    message = Message(data={"text": "I have a fever of 38.7 and chills"})
    message.set("intent", {"name": "leaflet", "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": "leaflet", "confidence": 0.97}])
    detector.process([message])
    assert message.get("intent")["name"] == "report_infection_sign"
    values = {(e["entity"], e["value"]) for e in message.get("entities")}
    assert ("infection_sign", "fever") in values
    assert ("infection_sign", "sweats_or_chills") in values
    assert ("temperature", "38.7 °C") in values
    assert message.get("safety")["classifier_intent"] == "leaflet"


def test_component_keeps_an_emergency_from_the_classifier():
    detector = InfectionSignDetector({"lexicon": None})
    message = Message(data={"text": "fever and I can't breathe"})
    message.set("intent", {"name": "emergency", "confidence": 0.9}, add_to_output=True)
    detector.process([message])
    assert message.get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "text, sign",
    [
        ("i have a fevr and sore throte", "fever"),
        ("my daughter taeks azathioprine and has come out in a rash", "skin_rash"),
        ("dad's on iumran and is up every hour to urinate and it stings", "urinary"),
        ("38.6 this morning", "fever"),
        ("the cough I've had since saturday isn't going away", "cough"),
        ("CAN'T STOP SHIVERING", "sweats_or_chills"),
        ("my throat is really sore", "sore_throat"),
        ("it's agony when I go for a wee", "urinary"),
    ],
)
def test_typos_case_lay_words_and_caregivers_escalate(text, sign):
    assert sign in detect(text).signs


@pytest.mark.parametrize(
    "text",
    [
        "I DONT HAVE A FEVER, JUST A QUESTION ABOUT STORAGE",
        "havent had any chills",
        "last wniter I had the flu",
        "hello, how long does a cough have to last before it's a concern",
        "tickly cough since this afternoon",
        "my sister has a fever, should I visit her while I'm on aza?",
        "37.1 this morning",
        "never had a problem with my throat",
    ],
)
def test_contractions_cue_typos_questions_and_short_coughs_do_not(text):
    assert detect(text).intent is None


def test_set_aside_signs_are_reported():
    finding = detect("I don't have a fever")
    assert finding.intent is None and "fever" in finding.set_aside


def test_component_withdraws_a_classifier_escalation_for_a_negated_sign():
    detector = InfectionSignDetector({"lexicon": None})
    message = Message(data={"text": "I don't have a fever but can I take it with food?"})
    ranking = [
        {"name": "report_infection_sign", "confidence": 0.95},
        {"name": "out_of_scope", "confidence": 0.04},
    ]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking)
    detector.process([message])
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("safety")["rule"].startswith("classifier escalation withdrawn")
