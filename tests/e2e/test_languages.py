"""Messages in a language the assistant does not read, through the real REST channel.

The sentences are written for the test (content/languages.yml has the reply's lines).
"""

from __future__ import annotations

from harness.servers import Servers
from tests.e2e.test_rest_contract import actions_of, joined, new_sender


def test_a_question_in_spanish_gets_the_language_reply_and_the_way_to_a_nurse(
    servers: Servers,
) -> None:
    sender = new_sender()
    replies = servers.send(sender, "¿Dónde tengo que guardar las pastillas? Hace mucho calor aquí")
    turn = servers.last_turn(sender)
    assert actions_of(turn) == ["utter_clarify"]
    assert turn[0]["parse_data"]["language"]["code"] == "es"
    text = joined(replies)
    assert "only read messages in English" in text and "911" in text
    assert "Solo puedo leer mensajes en inglés" in text  # the writer's language
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert [b["title"] for b in buttons] == ["Talk to a nurse"]
    # Pressing it is a handoff request like any other.
    servers.send(sender, buttons[0]["payload"])
    assert actions_of(servers.last_turn(sender)) == ["action_handoff"]


def test_a_language_without_a_line_gets_the_english_reply(servers: Servers) -> None:
    sender = new_sender()
    replies = servers.send(sender, "Habari, naomba kujua jinsi ya kuhifadhi dawa hizi nyumbani")
    turn = servers.last_turn(sender)
    assert actions_of(turn) == ["utter_clarify"]
    assert "only read messages in English" in joined(replies)


def test_a_sign_in_english_words_still_escalates_with_the_line(servers: Servers) -> None:
    sender = new_sender()
    replies = servers.send(sender, "mi hijo tiene fever 39.5 desde ayer y no quiere comer nada")
    turn = servers.last_turn(sender)
    assert actions_of(turn)[:2] == ["utter_infection_warning", "action_escalate_infection"]
    text = joined(replies)
    assert "call your doctor right away" in text.lower()
    assert "Solo puedo leer mensajes en inglés" in text


def test_english_with_a_few_words_of_another_language_stays_english(servers: Servers) -> None:
    sender = new_sender()
    replies = servers.send(
        sender, "my lola takes imuran and she has lagnat and chills since kagabi"
    )
    turn = servers.last_turn(sender)
    assert actions_of(turn)[:2] == ["utter_infection_warning", "action_escalate_infection"]
    assert "language" not in turn[0]["parse_data"]
    assert "only read messages in English" not in joined(replies)
