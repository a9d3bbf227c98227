"""A long unsure message is read again from the sentence that asks
(rasa_patches/long_message.py). Sentences written for these tests."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.core.channels.channel import UserMessage

from clinic.sentences import asking_sentence_start, is_question
from rasa_patches.long_message import focus_on_the_question
from tests.unit.test_two_questions import parse_of, parser

STORY = (
    "Sorry, this is long. I started the tablets ten days ago and my sister keeps telling "
    "me to push through, and my flatmate says her cousin had the same thing, and I have "
    "exams all week and I have not slept properly. "
)
QUESTION = "How long does the queasy feeling usually last?"


def test_the_asking_sentence_is_the_last_with_a_question_mark():
    text = STORY + QUESTION + " Thanks so much."
    assert text[asking_sentence_start(text) :].startswith(QUESTION)


@pytest.mark.parametrize(
    "sentence, asks",
    [
        ("how do i get enough before we go", True),
        ("So can I double up tonight", True),
        ("Anyway, all is well with the tablets.", False),
        ("is it normal?", True),
    ],
)
def test_a_question_is_a_question_mark_or_a_question_word_first(sentence: str, asks: bool):
    assert is_question(sentence) is asks


@pytest.mark.asyncio
@pytest.mark.parametrize("whole", ["nlu_fallback", "out_of_scope"])
async def test_an_unsure_long_message_gets_its_question_answered(whole: str):
    parse = parser({QUESTION: parse_of("nausea")})
    message = UserMessage(STORY + QUESTION, sender_id="s")
    result = await focus_on_the_question(message, parse_of(None, whole), parse)
    key = result["response_selector"]["leaflet"]["response"]["intent_response_key"]
    assert key == "leaflet/nausea"
    assert result["text"] == ""  # the whole message's own parse text is kept


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text, whole, asked",
    [
        # A confident reading, an escalation or a person request is never read again.
        (STORY + QUESTION, parse_of("storage"), parse_of("nausea")),
        (STORY + QUESTION, parse_of(None, "report_infection_sign"), parse_of("nausea")),
        (STORY + QUESTION, parse_of(None, "request_human"), parse_of("nausea")),
        # A short message, a story with no question, or a question with no section.
        (QUESTION, parse_of(None, "nlu_fallback"), parse_of("nausea")),
        (STORY + "Anyway, all is well now.", parse_of(None, "nlu_fallback"), parse_of("nausea")),
        (STORY + QUESTION, parse_of(None, "nlu_fallback"), parse_of(None, "nlu_fallback")),
    ],
)
async def test_everything_else_keeps_the_whole_message(
    text: str, whole: Dict[str, Any], asked: Dict[str, Any]
):
    parse = parser({QUESTION: asked, "Anyway, all is well now.": asked})
    result = await focus_on_the_question(UserMessage(text, sender_id="s"), whole, parse)
    assert result is whole
