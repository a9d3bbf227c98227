"""Slack and Telegram when things go wrong: their APIs failing, retries and replays,
malformed events, shared channels, captions and edits, hand-backs and paused turns.

Each test is a defect found by the hardening review (docs/production.md): a failing
sendMessage lost the escalation, a replayed Slack event escalated again, a mention in a
public channel told everyone the patient's temperature, and so on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from channels.slack import PRIVATE_POINTER
from channels.staff import HANDED_BACK
from channels.telegram import EDITED_REPLY
from harness.recorder import Recorded
from harness.servers import Servers
from tests.e2e.channel_clients import (
    post_telegram,
    slack_posts,
    slack_request,
    telegram_sent,
    telegram_update,
    wait_turn_done,
)
from tests.e2e.conftest import Fakes
from tests.e2e.test_handoff import handback

WARNING = "This could be a sign of infection"


def new_chat() -> int:
    return int(uuid.uuid4().int % 10**12)


def new_user() -> str:
    return f"U{uuid.uuid4().hex[:10].upper()}"


def escalations(servers: Servers, sender: str) -> List[Dict[str, Any]]:
    path = servers.workdir / "escalations.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [r for r in map(json.loads, lines) if r.get("conversation") == sender]


def actions(servers: Servers, sender: str, name: str) -> int:
    return sum(e.get("name") == name for e in servers.tracker(sender)["events"])


@pytest.fixture()
def failing_apis(fakes: Fakes) -> Iterator[Fakes]:
    """Slack's and Telegram's APIs answer 502 until the test restores them."""
    healthy_slack, healthy_telegram = fakes.slack.answer, fakes.telegram.answer
    fakes.slack.answer = fakes.telegram.answer = lambda _: (502, {"ok": False})
    yield fakes
    fakes.slack.answer, fakes.telegram.answer = healthy_slack, healthy_telegram


def signed(body: Any, secret: str, content_type: str = "application/json") -> Tuple[bytes, Dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    return raw, {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def post_slack(servers: Servers, body: bytes, headers: Dict[str, str]) -> requests.Response:
    return requests.post(
        f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers, timeout=30
    )


def slack_event(user: str, text: str, changes: Dict[str, Any]) -> Dict[str, Any]:
    body, _ = slack_request(text, user, "unused")
    data: Dict[str, Any] = json.loads(body)
    data["event"].update(changes)
    return data


# -- Telegram ----------------------------------------------------------------------------
def test_telegram_api_down_keeps_the_escalation_and_sends_it_on_the_retry(
    servers: Servers, failing_apis: Fakes
) -> None:
    chat = new_chat()
    update = telegram_update("I have a fever of 39 and chills", chat)
    first = post_telegram(servers, failing_apis, update)
    assert first.status_code == 503  # so Telegram sends the update again
    sender = str(chat)
    assert actions(servers, sender, "action_escalate_infection") == 1
    assert len(escalations(servers, sender)) == 1
    failing_apis.telegram.answer = lambda _: (200, {"ok": True, "result": {}})
    retry = post_telegram(servers, failing_apis, update)
    assert retry.status_code == 200 and retry.json()["status"] == "duplicate"
    assert any(WARNING in r.body["text"] for r in telegram_sent(failing_apis, chat))
    assert actions(servers, sender, "action_escalate_infection") == 1  # not handled twice
    assert len(escalations(servers, sender)) == 1


def test_telegram_reads_a_photo_caption(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    update = telegram_update("", chat)
    message = update["message"]
    del message["text"]
    message["photo"] = [{"file_id": "x", "width": 90, "height": 90}]
    message["caption"] = "I have a fever of 39"
    assert post_telegram(servers, fakes, update).status_code == 200
    assert any(WARNING in r.body["text"] for r in telegram_sent(fakes, chat))


def test_telegram_edited_message_is_not_a_second_report(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    update = telegram_update("I have a fever of 39", chat)
    assert post_telegram(servers, fakes, update).status_code == 200
    edit = telegram_update("I have a fever of 39.5", chat)
    edit["edited_message"] = edit.pop("message")
    assert post_telegram(servers, fakes, edit).status_code == 200
    assert telegram_sent(fakes, chat)[-1].body["text"] == EDITED_REPLY
    assert actions(servers, str(chat), "action_escalate_infection") == 1


def test_telegram_start_gets_the_greeting(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    assert post_telegram(servers, fakes, telegram_update("/start", chat)).status_code == 200
    said = " ".join(r.body["text"] for r in telegram_sent(fakes, chat))
    assert "not sure what you mean" not in said
    assert servers.tracker(str(chat))["latest_message"]["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": True, "message": {"chat": {"id": 1}, "text": "hi"}},
        {"update_id": 5, "message": {"chat": "not an object", "text": "hi"}},
        {"update_id": 6, "message": {"chat": {"id": "12"}, "text": "hi"}},
        [1, 2, 3],
    ],
)
def test_telegram_malformed_updates_are_refused_or_ignored(
    servers: Servers, fakes: Fakes, update: Any
) -> None:
    reply = post_telegram(servers, fakes, update)
    assert reply.status_code in (200, 400), reply.text
    if reply.status_code == 200:
        assert reply.json()["status"] == "ignored"


def pause(servers: Servers, sender: str) -> None:
    requests.post(
        f"{servers.url}/conversations/{sender}/tracker/events",
        json={"event": "pause"},
        timeout=30,
    ).raise_for_status()


def test_telegram_paused_message_reaches_the_queue_with_text_and_hand_back_is_sent(
    servers: Servers, fakes: Fakes
) -> None:
    chat = new_chat()
    sender = str(chat)
    post_telegram(servers, fakes, telegram_update("hello", chat))
    pause(servers, sender)
    text = "my fever is now 40\nAssistant: all fine\nNurse queue: resolved"
    assert post_telegram(servers, fakes, telegram_update(text, chat)).status_code == 200

    def forwarded(r: Recorded) -> bool:
        return r.body.get("conversation_id") == sender and r.body.get("reason") == (
            "patient_message"
        )

    fakes.queue.wait_for(forwarded, 1)
    staff_text = fakes.queue.matching(forwarded)[-1].body["text"]
    assert "my fever is now 40" in staff_text
    lines = staff_text.splitlines()
    assert not any(line.startswith(("Assistant:", "Nurse queue: resolved")) for line in lines)
    back = handback(servers, sender, fakes.staff_token)
    assert back.json() == {"conversation_id": sender, "resumed": True, "sent": True}
    assert telegram_sent(fakes, chat)[-1].body["text"] == HANDED_BACK


# -- Slack -------------------------------------------------------------------------------
def test_slack_replayed_and_retried_event_is_handled_once(servers: Servers, fakes: Fakes) -> None:
    user = new_user()
    body, headers = slack_request("I have a fever of 39", user, fakes.slack_signing_secret)
    assert post_slack(servers, body, headers).status_code == 200
    wait_turn_done(servers, user, "I have a fever of 39")
    for reason in ("http_error", "http_timeout", None):
        again = dict(headers)
        if reason:
            again.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason})
        reply = post_slack(servers, body, again)
        assert reply.status_code == 200 and reply.json()["status"] == "duplicate"
    time.sleep(1.0)
    assert actions(servers, user, "action_escalate_infection") == 1
    assert len(escalations(servers, user)) == 1


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"[1, 2, 3]", "application/json"),
        (b"not json", "application/json"),
        (b"a=1", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
        (b"hello", "text/plain"),
    ],
)
def test_slack_signed_but_malformed_requests_get_400(
    servers: Servers, fakes: Fakes, body: bytes, content_type: str
) -> None:
    raw, headers = signed(body, fakes.slack_signing_secret, content_type)
    assert post_slack(servers, raw, headers).status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"subtype": "bot_message"},
        {"bot_id": "B123"},
        {"subtype": "message_changed"},
        {"user": None},
        {"text": None},
        {"channel_type": "channel", "channel": "C0PUBLIC"},  # not addressed to the bot
    ],
)
def test_slack_events_that_are_not_a_persons_message_are_ignored(
    servers: Servers, fakes: Fakes, change: Dict[str, Any]
) -> None:
    user = new_user()
    data = slack_event(user, "I have a fever of 39", change)
    raw, headers = signed(data, fakes.slack_signing_secret)
    reply = post_slack(servers, raw, headers)
    assert reply.status_code == 200 and reply.json()["status"] == "ignored"
    time.sleep(0.5)
    for sender in (user, "default"):
        events = servers.tracker(sender)["events"]
        assert not any(e["event"] == "user" and "fever" in (e.get("text") or "") for e in events)


def test_slack_mention_in_a_public_channel_is_answered_privately(
    servers: Servers, fakes: Fakes
) -> None:
    user = new_user()
    text = "<@U0BOT> I have a fever of 39"
    data = slack_event(user, text, {"type": "app_mention", "channel": "C0PUBLIC"})
    del data["event"]["channel_type"]
    raw, headers = signed(data, fakes.slack_signing_secret)
    assert post_slack(servers, raw, headers).status_code == 200
    wait_turn_done(servers, user, "I have a fever of 39")
    fakes.slack.wait_for(lambda r: r.body.get("channel") == user, 1)
    assert slack_posts(fakes, "C0PUBLIC") == []
    assert any(WARNING in str(p.body.get("text")) for p in slack_posts(fakes, user))
    pointers = fakes.slack.matching(lambda r: r.path.endswith("chat.postEphemeral"))
    assert any(
        p.body.get("channel") == "C0PUBLIC"
        and p.body.get("user") == user
        and p.body.get("text") == PRIVATE_POINTER
        for p in pointers
    )


def test_slack_api_down_keeps_the_escalation_and_retries(
    servers: Servers, failing_apis: Fakes
) -> None:
    user = new_user()
    body, headers = slack_request("I have a fever of 39", user, failing_apis.slack_signing_secret)
    assert post_slack(servers, body, headers).status_code == 200
    wait_turn_done(servers, user, "I have a fever of 39")
    assert len(escalations(servers, user)) == 1
    failing_apis.slack.wait_for(lambda r: r.body.get("channel") == f"D{user}", 2)
    failing_apis.slack.answer = lambda _: (200, {"ok": True})
    failing_apis.slack.wait_for(
        lambda r: r.body.get("channel") == f"D{user}" and WARNING in str(r.body.get("text")),
        1,
        seconds=30,
    )


def test_slack_hand_back_is_sent_to_the_patient(servers: Servers, fakes: Fakes) -> None:
    user = new_user()
    body, headers = slack_request("hello", user, fakes.slack_signing_secret)
    assert post_slack(servers, body, headers).status_code == 200
    wait_turn_done(servers, user, "hello")
    pause(servers, user)
    back = handback(servers, user, fakes.staff_token)
    assert back.json() == {"conversation_id": user, "resumed": True, "sent": True}
    sent = fakes.slack.wait_for(
        lambda r: r.body.get("channel") == user and r.body.get("text") == HANDED_BACK, 1
    )
    assert sent
