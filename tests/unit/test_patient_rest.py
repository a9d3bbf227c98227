"""Request validation of the patient REST channel, and what every patient channel does to
incoming text (commands neutralised, lone surrogates replaced)."""

from __future__ import annotations

import pytest

from channels.patient_rest import MAX_SENDER_CHARS, parse_request
from channels.turn import incoming_text


@pytest.mark.parametrize(
    "typed, handled",
    [
        ("/greet", "greet"),
        ("  //report_infection_sign", "report_infection_sign"),
        ('/leaflet{"x": 1}', 'leaflet{"x": 1}'),
        ("how do I store it? 1/2 tablet", "how do I store it? 1/2 tablet"),
        ("I have a fever of 39.5 \ud83d", "I have a fever of 39.5 \ufffd"),
        ("\udc00/greet", "\ufffd/greet"),
        ("fever 😷 and chills", "fever 😷 and chills"),
    ],
)
def test_typed_commands_become_text_and_half_characters_are_replaced(typed, handled):
    assert incoming_text(typed) == handled
    incoming_text(typed).encode("utf-8")  # what spaCy and the stores need


def test_a_valid_request():
    parsed, error = parse_request({"sender": "abc", "message": "hi", "metadata": {"a": 1}})
    assert error is None and parsed == ("abc", "hi", {"a": 1})


def test_missing_message_is_empty_text():
    parsed, error = parse_request({"sender": "abc"})
    assert error is None and parsed == ("abc", "", None)


@pytest.mark.parametrize(
    "body, fragment",
    [
        (None, "JSON object"),
        ([1, 2], "JSON object"),
        ({"message": "hi"}, "sender"),
        ({"sender": "", "message": "hi"}, "sender"),
        ({"sender": 5, "message": "hi"}, "sender"),
        ({"sender": "x" * (MAX_SENDER_CHARS + 1), "message": "hi"}, "at most"),
        ({"sender": "sur\ud800rogate", "message": "hi"}, "surrogate"),
        ({"sender": "nul\x00byte", "message": "hi"}, "control"),
        ({"sender": "two\nlines", "message": "hi"}, "control"),
        ({"sender": "abc", "message": 42}, "text"),
        ({"sender": "abc", "message": "hi", "metadata": "x"}, "metadata"),
    ],
)
def test_malformed_requests_are_explained(body, fragment):
    parsed, error = parse_request(body)
    assert parsed is None and error is not None and fragment in error
