"""Request validation and command neutralising of the patient REST channel."""

from __future__ import annotations

import pytest

from channels.patient_rest import MAX_SENDER_CHARS, neutralise_commands, parse_request


@pytest.mark.parametrize(
    "typed, handled",
    [
        ("/greet", "greet"),
        ("  //report_infection_sign", "report_infection_sign"),
        ('/leaflet{"x": 1}', 'leaflet{"x": 1}'),
        ("how do I store it? 1/2 tablet", "how do I store it? 1/2 tablet"),
    ],
)
def test_typed_commands_become_text(typed, handled):
    assert neutralise_commands(typed) == handled


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
