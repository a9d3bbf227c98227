"""CONTRACT.md behaviours through the real REST channel, read back from the tracker."""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List

import pytest
import requests

from harness.servers import Servers


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def actions_of(turn: List[Dict[str, Any]]) -> List[str]:
    return [e["name"] for e in turn if e["event"] == "action" and e["name"] != "action_listen"]


def joined(replies: List[Dict[str, Any]]) -> str:
    """All reply texts of a turn (Rasa sends each paragraph as its own message)."""
    return "\n".join(str(r.get("text", "")) for r in replies)


def bot_events(turn: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [e for e in turn if e["event"] == "bot"]


@pytest.mark.parametrize(
    "message, section",
    [
        ("how should I store my imuran tablets?", "storage"),
        ("i forgot to take my azathioprine this morning", "missed_dose"),
        ("can I get a flu shot while on imuran", "vaccinations"),
        ("what are the side effects of azathioprine", "side_effects"),
    ],
)
def test_leaflet_answer_carries_its_section(servers: Servers, message, section):
    sender = new_sender()
    replies = servers.send(sender, message)
    turn = servers.last_turn(sender)
    bots = bot_events(turn)
    assert {b["metadata"].get("utter_action") for b in bots} == {f"utter_leaflet/{section}"}
    assert "\nSource: " in joined(replies)


def test_reported_fever_warns_then_escalates(servers: Servers):
    sender = new_sender()
    replies = servers.send(sender, "I have a fever of 38.9 and chills")
    turn = servers.last_turn(sender)
    assert actions_of(turn)[:2] == ["utter_infection_warning", "action_escalate_infection"]
    assert "call your doctor right away" in replies[0]["text"].lower()
    # The warning, what was noticed, then the nurse offer or after-hours guidance.
    assert len(replies) == 3
    assert replies[1]["text"].startswith("I noticed: a fever, sweats or chills (38.9 °C)")
    assert "live chat" in replies[2]["text"]
    user = turn[0]
    values = {(e["entity"], e["value"]) for e in user["parse_data"]["entities"]}
    assert ("infection_sign", "fever") in values and ("temperature", "38.9 °C") in values
    records = [
        json.loads(line)
        for line in (servers.workdir / "escalations.jsonl").read_text().splitlines()
    ]
    mine = [r for r in records if r["conversation"] == sender]
    assert len(mine) == 1 and mine[0]["signs"] == ["fever", "sweats_or_chills"]
    assert mine[0]["temperatures"] == ["38.9 °C"] and mine[0]["rule"]


def test_emergency(servers: Servers):
    sender = new_sender()
    replies = servers.send(sender, "my daughter swallowed a handful of my pills")
    assert "utter_emergency" in actions_of(servers.last_turn(sender))
    assert "911" in replies[0]["text"]


def test_asking_for_a_person_runs_the_handoff(servers: Servers):
    sender = new_sender()
    replies = servers.send(sender, "can I talk to a real nurse please")
    assert actions_of(servers.last_turn(sender)) == ["action_handoff"]
    assert "live chat" in replies[0]["text"]


@pytest.mark.parametrize(
    "message", ["can I drink beer while taking imuran", "what's the weather like tomorrow"]
)
def test_not_in_the_leaflet_is_said_honestly(servers: Servers, message):
    sender = new_sender()
    replies = servers.send(sender, message)
    turn = servers.last_turn(sender)
    assert actions_of(turn) == ["utter_out_of_scope"]
    assert "pharmacist" in replies[0]["text"]


def test_not_understood_gets_a_clarifying_reply_with_the_warning(servers: Servers):
    sender = new_sender()
    replies = servers.send(sender, "blorp fizzle wug")
    assert actions_of(servers.last_turn(sender)) == ["utter_clarify"]
    assert "signs of infection" in replies[0]["text"]


def test_no_stale_section_after_a_non_leaflet_turn(servers: Servers):
    sender = new_sender()
    servers.send(sender, "where do I keep imuran")
    servers.send(sender, "thanks!")
    bots = bot_events(servers.last_turn(sender))
    assert all(
        not str(b["metadata"].get("utter_action", "")).startswith("utter_leaflet/") for b in bots
    )


BAD_INPUTS = {
    "empty": "",
    "huge": "I have a question about my tablets and how to take them. " * 90,
    "emoji only": "😀😀😀",
    "other language": "¿Puedo tomar imuran con alcohol?",
    "typed intent": "/greet",
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_input_gets_a_kind_reply_and_the_conversation_continues(servers: Servers, kind):
    sender = new_sender()
    text = BAD_INPUTS[kind]
    replies = servers.send(sender, text)
    assert replies and all(r.get("text") for r in replies), replies
    follow_up = servers.send(sender, "how should I store imuran?")
    assert "room temperature" in joined(follow_up)
    users = [e for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert len(users) == 2  # nothing lost


def test_typed_intent_is_treated_as_text(servers: Servers):
    sender = new_sender()
    servers.send(sender, "/emergency")
    user = [e for e in servers.tracker(sender)["events"] if e["event"] == "user"][-1]
    assert user["text"] == "emergency"  # went through NLU, not Rasa's /intent shortcut


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b'{"message": "hi"}', 400),
        (b'{"sender": "x", "message": 42}', 400),
        (b"[1, 2, 3]", 400),
        # Rasa's SQL store exits the process on these ids (SQLite: a lone surrogate).
        (b'{"sender": "sur\\ud800rogate", "message": "hi"}', 400),
        (b'{"sender": "nul\\u0000byte", "message": "hi"}', 400),
        (b'{"sender": "log\\nforged line", "message": "hi"}', 400),
    ],
)
def test_malformed_requests_are_refused_with_an_explanation(servers: Servers, body, status):
    reply = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == status
    assert reply.json()["error"]
    assert servers.send(new_sender(), "hello")  # the server is still up and answering


def test_overlong_message_is_refused_kindly(servers: Servers):
    reply = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": new_sender(), "message": "a" * 20_001},
        timeout=30,
    )
    assert reply.status_code == 413
    assert "call your doctor" in reply.json()["text"]


def test_a_typed_intent_cannot_switch_off_the_safety_check(servers: Servers):
    sender = new_sender()
    servers.send(sender, "/greet I have a fever of 39 and chills")
    actions = actions_of(servers.last_turn(sender))
    assert actions[:2] == ["utter_infection_warning", "action_escalate_infection"]


def test_sign_next_to_a_question_escalates_first_then_answers(servers: Servers):
    sender = new_sender()
    replies = servers.send(
        sender, "I've had chills since last night, and how should I store imuran?"
    )
    turn = servers.last_turn(sender)
    assert actions_of(turn)[:2] == ["utter_infection_warning", "action_escalate_infection"]
    text = joined(replies)
    assert text.index("call your doctor right away") < text.index("room temperature")
    assert "I noticed: sweats or chills, since last night" in text
    answers = [b["metadata"].get("utter_action") for b in bot_events(turn)]
    assert "utter_leaflet/storage" in answers


def test_two_questions_in_one_message_get_both_answers_in_order(servers: Servers):
    sender = new_sender()
    replies = servers.send(sender, "how should I store my imuran and what if I miss a dose?")
    turn = servers.last_turn(sender)
    answers = [b["metadata"].get("utter_action") for b in bot_events(turn)]
    answers = [a for i, a in enumerate(answers) if a and a not in answers[:i]]
    assert answers == ["utter_leaflet/storage", "utter_leaflet/missed_dose"]
    assert actions_of(turn)[-1] == "action_answer_second_question"
    assert joined(replies).count("Source: ") == 2
