"""Nurse handoff in live-chat hours: the summary reaches the clinic's queue (a receiver on
loopback), the bot pauses but never leaves the user in silence, and staff hand back."""

from __future__ import annotations

import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests

from harness.recorder import Recorded
from harness.servers import Servers
from tests.e2e.channel_clients import send_telegram, send_widget
from tests.e2e.conftest import Fakes

QUEUED = "passed your conversation to the clinic's nurse team"
HELD = "A nurse has your conversation"
WARNING = "This could be a sign of infection"


@pytest.fixture()
def queue(open_clinic: Servers, fakes: Fakes) -> Iterator[Fakes]:
    fakes.queue.clear()
    fakes.queue.answer = lambda _: (202, {"queued": True})
    yield fakes
    fakes.queue.answer = lambda _: (202, {"queued": True})


def queued_for(fakes: Fakes, conversation: str, reason: str) -> List[Recorded]:
    return fakes.queue.matching(
        lambda r: r.body.get("conversation_id") == conversation and r.body.get("reason") == reason
    )


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text")) for r in replies)


def handback(servers: Servers, conversation: str, token: str) -> requests.Response:
    return requests.post(
        f"{servers.url}/webhooks/staff/handback",
        json={"conversation_id": conversation},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_asking_for_a_nurse_queues_pauses_holds_and_hands_back(
    open_clinic: Servers, queue: Fakes
) -> None:
    servers, sender = open_clinic, uuid.uuid4().hex
    send_widget(servers, sender, "how should I store imuran?")
    replies = send_widget(servers, sender, "can I talk to a nurse please")
    assert QUEUED in texts(replies) and replies[0]["kind"] == "notice"

    [request] = queued_for(queue, sender, "asked_for_person")
    assert request.headers["Authorization"] == f"Bearer {queue.queue_token}"
    assert request.headers["Idempotency-Key"]
    summary = request.body
    assert summary["channel"] == "widget"
    assert summary["transcript"][0] == {
        "from": "user",
        "text": "how should I store imuran?",
        "time": summary["transcript"][0]["time"],
    }
    assert servers.tracker(sender)["paused"] is True

    # Paused: no bot answer, but never silence, and the nurse gets the message.
    held = send_widget(servers, sender, "ok thanks, I'll wait")
    assert [m["kind"] for m in held] == ["notice"] and HELD in held[0]["text"]
    queue.queue.wait_for(lambda r: r.body.get("reason") == "patient_message"
                         and r.body.get("conversation_id") == sender)  # fmt: skip

    # Safety does not wait for the nurse.
    urgent = send_widget(servers, sender, "now I have a fever of 39 and chills")
    assert urgent[0]["kind"] == "urgent" and WARNING in urgent[0]["text"]
    assert HELD in urgent[-1]["text"]

    history = requests.get(f"{servers.url}/webhooks/widget/history", params={"sender": sender})
    assert history.json()["paused"] is True

    # Only staff can hand back; then the assistant answers again.
    assert handback(servers, sender, "not-the-token").status_code == 401
    back = handback(servers, sender, queue.staff_token)
    assert back.status_code == 200 and back.json()["resumed"] is True
    assert servers.tracker(sender)["paused"] is False
    answer = send_widget(servers, sender, "what should I do if I miss a dose?")
    assert "dose" in texts(answer) and HELD not in texts(answer)
    assert servers.last_turn(sender)[-2]["metadata"]["utter_action"].endswith("/missed_dose")


def test_reported_sign_in_hours_goes_to_the_nurse_with_a_summary(
    open_clinic: Servers, queue: Fakes
) -> None:
    servers, sender = open_clinic, f"e2e-{uuid.uuid4().hex[:12]}"
    replies = servers.send(sender, "I have a fever of 38.6 and a bad cough")
    assert WARNING in replies[0]["text"]
    assert QUEUED in texts(replies)
    [request] = queued_for(queue, sender, "infection_signs")
    summary = request.body
    assert "a fever" in summary["signs"] and "a cough" in summary["signs"]
    assert summary["temperatures"] and summary["channel"] == "rest"
    assert "Nurse queue: infection_signs" in summary["text"]
    assert servers.tracker(sender)["paused"] is True


def test_queue_down_is_retried_then_told_to_the_user(open_clinic: Servers, queue: Fakes) -> None:
    servers, sender = open_clinic, f"e2e-{uuid.uuid4().hex[:12]}"
    queue.queue.answer = lambda _: (503, {"error": "down"})
    replies = servers.send(sender, "I need to speak to a nurse")
    attempts = queued_for(queue, sender, "asked_for_person")
    assert len(attempts) == 3  # HANDOFF_WEBHOOK_ATTEMPTS default
    assert len({r.headers["Idempotency-Key"] for r in attempts}) == 1
    said = texts(replies)
    assert "couldn't reach the nurse team" in said and "call your doctor" in said
    assert servers.tracker(sender)["paused"] is False  # nobody is coming: keep answering
    assert "room temperature" in texts(servers.send(sender, "how do I store imuran?"))


def test_telegram_user_is_not_left_in_silence_while_paused(
    open_clinic: Servers, queue: Fakes
) -> None:
    servers, chat = open_clinic, int(uuid.uuid4().int % 10**12)
    assert QUEUED in "\n".join(send_telegram(servers, queue, chat, "talk to a nurse please"))
    held = send_telegram(servers, queue, chat, "hello? anyone there")
    assert held and HELD in held[0]
