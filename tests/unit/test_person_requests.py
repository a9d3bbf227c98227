"""Ways of asking for a person (content/handoff_phrases.yml), and advice questions that
only mention one."""

from __future__ import annotations

import pytest

from clinic.content import CONTENT_DIR
from components.phrases import PersonRequests

REQUESTS = PersonRequests(CONTENT_DIR / "handoff_phrases.yml")


@pytest.mark.parametrize(
    "text",
    [
        "could I please speak with an actual nurse",
        "is there a pharmacist I could talk to tomorrow",
        "get someone from the kidney team to ring me back",
        "is it possible to have a pharmacist ring me about his list",
        "still nobody has called me about my bloods, this is ridiculous",
        "I'd like to book an appointment with my specialist",
        "when does the live chat open",
        "I want to make a complaint about how I was treated",
        "can I talk to one of the rheumatology nurses",
        "do you have someone who speaks in Polish",
        "transfer me to a human",
        "aye fine, get me a nurse then",
        "can I have a nurse please, this is going nowhere",
    ],
)
def test_requests_for_a_person_are_found(text: str) -> None:
    assert REQUESTS.find(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "should I talk to my doctor before stopping it",
        "do I have to speak to my doctor before a flu jab",
        "how do I store the tablets",
        "can I have a glass of wine",
        "what does a live vaccine mean",
        "I have a temperature of 38.5",
        "can I get the nurse's leaflet about vaccines somewhere",
    ],
)
def test_advice_and_other_questions_are_not_requests(text: str) -> None:
    assert REQUESTS.find(text) is None
