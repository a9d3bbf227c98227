"""Two questions in one message: where a message splits, which parse answers first, and
the action that sends the second answer."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.core.channels.channel import UserMessage
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.second_question import ActionAnswerSecondQuestion
from rasa_patches.two_questions import ENTITY, add_second_question, questions


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "how do I store it and what if I miss a dose",
            ["how do I store it", "what if I miss a dose"],
        ),
        (
            "Should he take it with food? And also what should he do when he forgets one?",
            ["Should he take it with food", "what should he do when he forgets one?"],
        ),
        ("can i have the flu jab? how long before it starts working", None),
        ("where do I keep my tablets; can I take them on holiday", None),
    ],
)
def test_a_message_of_two_questions_splits_where_the_second_begins(text, parts):
    got = questions(text)
    if parts is None:  # the split point is found; the exact parts are not the point
        assert len(got) == 2 and all(len(p.split()) >= 3 for p in got)
    else:
        assert got == parts


@pytest.mark.parametrize(
    "text",
    [
        "how do I store it",
        "what if I forget and take it late",  # "and take": not a question word
        "how long does it take? any idea",  # "any idea": under three words
    ],
)
def test_one_question_does_not_split(text):
    assert questions(text) == []


def parse_of(section: str | None, intent: str = "leaflet") -> Dict[str, Any]:
    selector = {}
    if section:
        key = f"leaflet/{section}"
        selector = {"leaflet": {"response": {"intent_response_key": key}}}
    return {
        "text": "",
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "response_selector": selector,
    }


def parser(sections: Dict[str, Any]):
    async def parse(message: UserMessage) -> Dict[str, Any]:
        return sections[message.text]

    return parse


@pytest.mark.asyncio
async def test_both_sections_answered_first_in_order():
    whole = parse_of("missed_dose")  # the model picked the second question's section
    parse = parser(
        {"how do I store it": parse_of("storage"), "what if I miss a dose": parse_of("missed_dose")}
    )
    message = UserMessage("how do I store it and what if I miss a dose", sender_id="s")
    result = await add_second_question(message, whole, parse)
    key = result["response_selector"]["leaflet"]["response"]["intent_response_key"]
    assert key == "leaflet/storage"
    second = [e for e in result["entities"] if e["entity"] == ENTITY]
    assert [e["value"] for e in second] == ["missed_dose"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "first, second",
    [
        (parse_of("storage"), parse_of("storage")),  # the same section once is enough
        (parse_of("storage"), parse_of(None, "nlu_fallback")),  # the guard was unsure
        (parse_of("storage"), parse_of(None, "report_infection_sign")),
    ],
)
async def test_no_second_answer_unless_both_parts_get_different_sections(first, second):
    parse = parser({"how do I store it": first, "what if I miss a dose": second})
    message = UserMessage("how do I store it and what if I miss a dose", sender_id="s")
    result = await add_second_question(message, parse_of("storage"), parse)
    assert not [e for e in result["entities"] if e["entity"] == ENTITY]


@pytest.mark.asyncio
async def test_a_turn_that_is_not_a_leaflet_answer_is_never_split():
    async def parse(message: UserMessage) -> Dict[str, Any]:
        raise AssertionError("parsed a part of an escalation")

    message = UserMessage("I have a fever of 39 and what do I do with my tablets", sender_id="s")
    escalation = parse_of(None, "report_infection_sign")
    assert await add_second_question(message, escalation, parse) is escalation


def tracker_with(entities) -> Tracker:
    latest = {"text": "x", "intent": {"name": "leaflet"}, "entities": entities}
    return Tracker("s", {}, latest, [], False, None, {}, "action_listen")


DOMAIN = {"responses": {"utter_leaflet/missed_dose": [{"text": "..."}]}}


@pytest.mark.asyncio
async def test_the_action_sends_the_second_section_answer():
    dispatcher = CollectingDispatcher()
    tracker = tracker_with([{"entity": ENTITY, "value": "missed_dose"}])
    assert await ActionAnswerSecondQuestion().run(dispatcher, tracker, DOMAIN) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_leaflet/missed_dose"]


@pytest.mark.asyncio
@pytest.mark.parametrize("entities", [[], [{"entity": ENTITY, "value": "not_a_section"}]])
async def test_the_action_sends_nothing_without_a_known_second_section(entities):
    dispatcher = CollectingDispatcher()
    await ActionAnswerSecondQuestion().run(dispatcher, tracker_with(entities), DOMAIN)
    assert dispatcher.messages == []
