"""Slack, Telegram and the widget's channel over real HTTP, with the outside APIs faked on
loopback; and the same safety messages through every channel."""

from __future__ import annotations

import time
import uuid
from typing import Callable, Dict, List

import pytest
import requests

from harness.servers import Servers
from tests.e2e.channel_clients import (
    post_telegram,
    send_rest,
    send_slack,
    send_telegram,
    send_widget,
    slack_posts,
    slack_request,
    telegram_sent,
    telegram_update,
)
from tests.e2e.conftest import Fakes

WARNING = "This could be a sign of infection"
EMERGENCY = "This sounds like an emergency"


def new_id() -> str:
    return uuid.uuid4().hex


def new_chat() -> int:
    return int(time.time_ns() % 10**12)


def actions_after_last_user(servers: Servers, sender: str) -> List[str]:
    turn = servers.last_turn(sender)
    return [e["name"] for e in turn if e["event"] == "action" and e["name"] != "action_listen"]


# -- Slack -------------------------------------------------------------------------------
def test_slack_signed_event_gets_the_answer(servers: Servers, fakes: Fakes) -> None:
    user = f"U{new_id()[:10].upper()}"
    texts = send_slack(servers, fakes, user, "how should I store imuran?")
    assert any("room temperature" in t for t in texts), texts
    assert any(t.startswith("Source:") for t in texts), texts
    post = slack_posts(fakes, f"D{user}")[0]
    assert post.headers.get("Authorization") == "Bearer xoxb-test-token"


@pytest.mark.parametrize("forgery", ["wrong secret", "unsigned", "stale", "tampered body"])
def test_slack_refuses_requests_it_cannot_trust(
    servers: Servers, fakes: Fakes, forgery: str
) -> None:
    user = f"U{new_id()[:10].upper()}"
    text = "I have a fever of 39"
    if forgery == "wrong secret":
        body, headers = slack_request(text, user, "not-the-signing-secret")
    elif forgery == "unsigned":
        body, headers = slack_request(text, user, fakes.slack_signing_secret)
        del headers["X-Slack-Signature"], headers["X-Slack-Request-Timestamp"]
    elif forgery == "stale":  # correctly signed, but 10 minutes old: a replay
        old = int(time.time()) - 600
        body, headers = slack_request(text, user, fakes.slack_signing_secret, timestamp=old)
    else:
        body, headers = slack_request(text, user, fakes.slack_signing_secret)
        body = body.replace(b"fever of 39", b"fever of 41")
    reply = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers)
    assert reply.status_code == 400
    time.sleep(0.5)
    assert slack_posts(fakes, f"D{user}") == []
    assert not any(e["event"] == "user" for e in servers.tracker(user)["events"])


def test_slack_buttons_degrade_to_text(servers: Servers, fakes: Fakes) -> None:
    user = f"U{new_id()[:10].upper()}"
    texts = send_slack(servers, fakes, user, "qwzx blorp")
    joined = "\n".join(texts)
    assert "not sure what you mean" in joined
    assert 'Reply with "How do I store it?"' in joined
    posts = slack_posts(fakes, f"D{user}")
    assert all("blocks" not in post.body for post in posts)


# -- Telegram ----------------------------------------------------------------------------
def test_telegram_message_gets_the_answer(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    texts = send_telegram(servers, fakes, chat, "what should I do if I miss a dose?")
    assert texts and any("dose" in t for t in texts), texts
    assert fakes.telegram.requests[-1].path == "/bot123456:test-token/sendMessage"


@pytest.mark.parametrize("secret", ["", "wrong-secret"])
def test_telegram_refuses_a_missing_or_wrong_secret(
    servers: Servers, fakes: Fakes, secret: str
) -> None:
    chat = new_chat()
    reply = post_telegram(servers, fakes, telegram_update("I have a fever", chat), secret)
    assert reply.status_code == 401
    assert telegram_sent(fakes, chat) == []


def test_telegram_retried_update_escalates_once(servers: Servers, fakes: Fakes) -> None:
    """A retry is handled once; its stored replies are sent again, since Telegram only
    retries when it did not get the first answer's 200."""
    chat = new_chat()
    update = telegram_update("I have a fever of 38.7 and chills", chat)
    first = post_telegram(servers, fakes, update)
    retry = post_telegram(servers, fakes, update)
    assert first.status_code == retry.status_code == 200
    assert retry.json()["status"] == "duplicate"
    warnings = [r for r in telegram_sent(fakes, chat) if WARNING in r.body["text"]]
    assert len(warnings) == 2
    events = servers.tracker(str(chat))["events"]
    assert sum(e.get("name") == "action_escalate_infection" for e in events) == 1
    assert sum(e["event"] == "user" for e in events) == 1


def test_telegram_buttons_become_a_reply_keyboard(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    send_telegram(servers, fakes, chat, "qwzx blorp")
    keyboards = [
        r.body["reply_markup"] for r in telegram_sent(fakes, chat) if "reply_markup" in r.body
    ]
    assert keyboards and ["How do I store it?"] in [
        [key["text"] for key in row] for row in keyboards[0]["keyboard"]
    ]


def test_telegram_non_text_message_gets_a_kind_reply(servers: Servers, fakes: Fakes) -> None:
    chat = new_chat()
    update = telegram_update("", chat)
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "x"}
    assert post_telegram(servers, fakes, update).status_code == 200
    assert "only read text" in telegram_sent(fakes, chat)[0].body["text"]


# -- The widget's channel ----------------------------------------------------------------
def test_widget_channel_marks_kinds_and_keeps_history(servers: Servers) -> None:
    sender = new_id()
    answer = send_widget(servers, sender, "how should I store imuran?")
    assert [m["kind"] for m in answer][-1] == "citation"
    warning = send_widget(servers, sender, "I have a fever of 38.8")
    assert warning[0]["kind"] == "urgent" and WARNING in warning[0]["text"]
    history = requests.get(f"{servers.url}/webhooks/widget/history", params={"sender": sender})
    messages = history.json()["messages"]
    assert messages[0] == {"from": "user", "text": "how should I store imuran?"}
    assert [m["kind"] for m in messages if m["from"] == "bot"][: len(answer)] == [
        m["kind"] for m in answer
    ]
    assert any(m.get("kind") == "urgent" for m in messages)


@pytest.mark.parametrize("sender", ["default", "short", "../../etc", "x" * 200])
def test_widget_refuses_guessable_sender_ids(servers: Servers, sender: str) -> None:
    reply = requests.post(
        f"{servers.url}/webhooks/widget/webhook", json={"sender": sender, "message": "hi"}
    )
    assert reply.status_code == 400
    history = requests.get(f"{servers.url}/webhooks/widget/history", params={"sender": sender})
    assert history.status_code == 400


def test_widget_files_are_served_by_the_project(servers: Servers) -> None:
    script = requests.get(f"{servers.url}/webhooks/widget/widget.js")
    demo = requests.get(f"{servers.url}/webhooks/widget/demo")
    assert script.ok and "javascript" in script.headers["content-type"]
    assert demo.ok and "widget.js" in demo.text
    assert "default-src 'self'" in demo.headers["content-security-policy"]
    for page in (script.text, demo.text):  # no CDN, no outside fonts
        assert "googleapis" not in page and "cdn" not in page.lower()


# -- Same safety behaviour on every channel ----------------------------------------------
SAFETY_MESSAGES = [
    ("I have a fever of 38.9 and chills", WARNING),
    ("my throat is really sore and it hurts to swallow", WARNING),
    ("it burns when I pee", WARNING),
    ("my daughter swallowed some of my tablets", EMERGENCY),
]


def through(channel: str) -> Callable[[Servers, Fakes, str], List[str]]:
    def send(servers: Servers, fakes: Fakes, text: str) -> List[str]:
        if channel == "rest":
            return send_rest(servers, f"e2e-{new_id()}", text)
        if channel == "widget":
            return [m["text"] for m in send_widget(servers, new_id(), text)]
        if channel == "slack":
            return send_slack(servers, fakes, f"U{new_id()[:10].upper()}", text)
        return send_telegram(servers, fakes, new_chat(), text)

    return send


@pytest.mark.parametrize("channel", ["rest", "widget", "slack", "telegram"])
@pytest.mark.parametrize("text, expected", SAFETY_MESSAGES)
def test_the_same_escalation_on_every_channel(
    servers: Servers, fakes: Fakes, channel: str, text: str, expected: str
) -> None:
    texts = through(channel)(servers, fakes, text)
    assert texts and expected in texts[0], f"{channel}: {texts}"
    if expected == WARNING:  # then what was noticed and what to do now
        assert any("call your doctor" in t.lower() for t in texts[1:]), texts


def test_channels_give_identical_replies(servers: Servers, fakes: Fakes) -> None:
    text = "I've had a temperature of 101 since yesterday"
    replies: Dict[str, List[str]] = {
        channel: through(channel)(servers, fakes, text)
        for channel in ("rest", "widget", "slack", "telegram")
    }
    assert replies["rest"] == replies["widget"] == replies["slack"], replies
    assert "\n\n".join(replies["rest"]) == "\n\n".join(replies["telegram"]), replies
    assert any(WARNING in t for t in replies["rest"])
