"""AnswerConfidenceGuard: safety intents kept, weak answers and word-less input demoted."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic.content import CONTENT_DIR
from components.answer_guard import AnswerConfidenceGuard, has_words
from components.phrases import uncovered_pattern

CONFIG = {
    "retrieval_intent": "leaflet",
    "answer_threshold": 0.5,
    "safety_intents": ["emergency", "report_infection_sign"],
    "safety_threshold": 0.3,
}


def message(
    text: str,
    intent: str,
    confidence: float,
    ranking: Optional[List[Dict[str, Any]]] = None,
    answer_confidence: Optional[float] = None,
) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", ranking or [{"name": intent, "confidence": confidence}])
    if answer_confidence is not None:
        msg.set(
            "response_selector",
            {"leaflet": {"response": {"confidence": answer_confidence}}},
            add_to_output=True,
        )
    return msg


def run(msg: Message) -> str:
    AnswerConfidenceGuard(CONFIG).process([msg])
    return msg.get("intent")["name"]


def test_confident_intent_with_a_weak_answer_is_a_fallback():
    assert run(message("storage?", "leaflet", 0.99, answer_confidence=0.2)) == "nlu_fallback"


def test_confident_answer_is_kept():
    assert run(message("storage?", "leaflet", 0.99, answer_confidence=0.9)) == "leaflet"


def test_leaflet_intent_without_a_selector_result_is_a_fallback():
    assert run(message("storage?", "leaflet", 0.99)) == "nlu_fallback"


def test_fallback_keeps_a_plausible_safety_intent():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.6},
        {"name": "leaflet", "confidence": 0.45},
        {"name": "report_infection_sign", "confidence": 0.4},
    ]
    assert run(message("feel rough", "nlu_fallback", 0.6, ranking)) == "report_infection_sign"


def test_fallback_ignores_an_implausible_safety_intent():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.6},
        {"name": "report_infection_sign", "confidence": 0.1},
    ]
    assert run(message("hmm", "nlu_fallback", 0.6, ranking)) == "nlu_fallback"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "?!...", "👍"])
def test_messages_without_words_are_a_fallback(text):
    assert not has_words(text)
    assert run(message(text, "greet", 0.99)) == "nlu_fallback"


def test_other_scripts_count_as_words():
    assert has_words("привет") and has_words("你好")


@pytest.mark.parametrize(
    "text",
    [
        "is it ok to take allopurinol and aza together",
        "can I have a glass of wine on imuran",
        "does azathioprine cause skin cancer",
    ],
)
def test_a_section_answer_about_an_uncovered_topic_is_out_of_scope(text):
    assert run(message(text, "leaflet", 0.95, answer_confidence=0.9)) == "out_of_scope"


def test_an_unsure_message_about_an_uncovered_topic_is_out_of_scope():
    # "what about sunscreen?" after a section answer got that section as a follow-up.
    said = "and sorry, what about sunscreen? do I need it"
    assert run(message(said, "nlu_fallback", 0.6)) == "out_of_scope"
    assert run(message("and sorry, what about that? do I need it", "nlu_fallback", 0.6)) == (
        "nlu_fallback"
    )


@pytest.mark.parametrize(
    "text", ["can I take it with prednisone", "is methotrexate an option instead"]
)
def test_drugs_the_leaflet_names_are_still_answered(text):
    assert run(message(text, "leaflet", 0.95, answer_confidence=0.9)) == "leaflet"


class Token:
    def __init__(self, text: str) -> None:
        self.text = text


def tokenised(text: str, intent: str, answer_confidence: float = 0.9) -> Message:
    msg = message(text, intent, 0.99, answer_confidence=answer_confidence)
    msg.set("text_tokens", [Token(t) for t in text.split()])
    return msg


def test_words_never_seen_in_training_are_not_understood():
    guard = AnswerConfidenceGuard(CONFIG, vocabulary={"how", "store", "imuran"})
    gibberish = tokenised("zorp blam quix", "leaflet")
    known = tokenised("how store imuran", "leaflet")
    guard.process([gibberish, known])
    assert gibberish.get("intent")["name"] == "nlu_fallback"
    assert known.get("intent")["name"] == "leaflet"


def test_one_known_word_is_enough():
    guard = AnswerConfidenceGuard(CONFIG, vocabulary={"imuran"})
    msg = tokenised("imuran storij", "leaflet")
    guard.process([msg])
    assert msg.get("intent")["name"] == "leaflet"


def with_drugs(msg: Message, section: str, *drugs: Dict[str, Any]) -> Message:
    msg.set("entities", [{"entity": "drug", **d} for d in drugs], add_to_output=True)
    selector = msg.get("response_selector") or {"leaflet": {"response": {"confidence": 0.9}}}
    selector["leaflet"]["response"]["intent_response_key"] = f"leaflet/{section}"
    msg.set("response_selector", selector, add_to_output=True)
    return msg


def test_a_section_answer_about_another_medicine_is_the_other_drug_reply():
    msg = with_drugs(
        message("how do I store my tacrolimus", "leaflet", 0.95, answer_confidence=0.9),
        "storage",
        {"value": "Tacrolimus", "text": "tacrolimus"},
    )
    assert run(msg) == "other_drug"
    assert msg.get("other_drugs") == ["tacrolimus"]


def test_a_medicine_the_sources_name_keeps_its_section_even_when_the_classifier_doubts():
    msg = with_drugs(
        message("is methotrexate better", "nlu_fallback", 0.6, answer_confidence=0.9),
        "alternatives",
        {"value": "Methotrexate", "text": "methotrexate"},
    )
    assert run(msg) == "leaflet"


def test_azathioprine_named_alone_does_not_lift_a_doubted_answer():
    # "is coffee ok with azathioprine" once got the how-to-take section: naming the drug
    # itself was read as a medicine the sources name, lifting the classifier's doubt.
    msg = with_drugs(
        message("is coffee ok with azathioprine", "nlu_fallback", 0.6, answer_confidence=0.8),
        "how_to_take",
        {"value": "Azathioprine", "text": "azathioprine"},
    )
    assert run(msg) == "out_of_scope"  # coffee: a topic the leaflet does not cover


def test_the_same_medicine_in_another_section_is_not_answered():
    msg = with_drugs(
        message("how do I store methotrexate", "leaflet", 0.95, answer_confidence=0.9),
        "storage",
        {"value": "Methotrexate", "text": "methotrexate"},
    )
    assert run(msg) == "other_drug"


@pytest.mark.parametrize("intent", ["leaflet", "nlu_fallback", "bot_challenge", "greet"])
def test_a_request_for_a_person_reaches_the_handoff(intent):
    msg = message("can somebody from the team call me back", intent, 0.9, answer_confidence=0.9)
    assert run(msg) == "request_human"


@pytest.mark.parametrize("intent", ["emergency", "report_infection_sign"])
def test_a_safety_intent_is_never_turned_into_a_handoff(intent):
    assert run(message("I need a nurse, I have a fever of 39", intent, 0.9)) == intent


@pytest.mark.parametrize(
    "text, uncovered",
    [
        ("can I take the pill with imuran", True),
        ("I'm on the pill, is that ok", True),
        ("if the pill make me sick in the first week what do I do", False),
        ("can she crush the pill into yoghurt", False),
        ("is it safe to take her to the park", False),
        ("shes growing like a weed", False),
    ],
)
def test_the_contraceptive_pill_is_uncovered_but_this_tablet_is_not(
    text: str, uncovered: bool
) -> None:
    pattern = uncovered_pattern(CONTENT_DIR / "uncovered_topics.yml")
    assert bool(pattern.search(text)) is uncovered


def test_coffee_a_tablet_is_swallowed_with_is_no_uncovered_topic():
    # Batches 37-38: "is it ok to swallow em down with my coffee or does it gotta be water"
    # is how to take it; "is coffee ok with azathioprine" stays a topic the leaflet leaves out.
    taken = message(
        "once a day? and can i swallow em with my coffee or does it gotta be water",
        "leaflet",
        0.9,
        answer_confidence=0.8,
    )
    assert run(taken) == "leaflet"
    drink = message("can I still drink coffee on this", "leaflet", 0.9, answer_confidence=0.8)
    assert run(drink) == "out_of_scope"


def test_a_steroid_with_only_relation_words_is_still_another_drug():
    # "taper", "go away" relate a medicine to this one, but the moon face is prednisone's.
    msg = with_drugs(
        message(
            "how long does the pred moon face take to go down after a taper",
            "other_drug",
            1.0,
            answer_confidence=0.3,
        ),
        "side_effects",
        {"value": "Prednisolone", "text": "pred"},
    )
    assert run(msg) == "other_drug"


def test_a_steroid_asked_about_on_its_own_is_still_another_drug():
    msg = with_drugs(
        message("does prednisolone give you a moon face", "other_drug", 1.0, answer_confidence=0.9),
        "combination",
        {"value": "Prednisolone", "text": "prednisolone"},
    )
    assert run(msg) == "other_drug"


def test_a_steroid_next_to_a_medicine_the_sources_do_not_name_is_another_drug():
    msg = with_drugs(
        message(
            "can I take prednisone and tacrolimus with my azathioprine",
            "other_drug",
            1.0,
            answer_confidence=0.5,
        ),
        "combination",
        {"value": "Prednisone", "text": "prednisone"},
        {"value": "Tacrolimus", "text": "tacrolimus"},
        {"value": "Azathioprine", "text": "azathioprine"},
    )
    assert run(msg) == "other_drug"
