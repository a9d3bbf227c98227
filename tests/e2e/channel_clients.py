"""Send one message through each patient channel the way its real client would.

Each `send_*` returns the reply texts the user would see, read from where that channel
delivers them: the HTTP reply (REST, widget) or the loopback fake of the outside API
(Slack's chat.postMessage, Telegram's sendMessage).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any, Dict, List, Optional, Tuple

import requests

from harness.recorder import Recorded
from harness.servers import Servers
from tests.e2e.conftest import Fakes

_update_ids = itertools.count(int(time.time()))


def slack_request(
    text: str, user: str, secret: str, timestamp: Optional[int] = None
) -> Tuple[bytes, Dict[str, str]]:
    """A direct-message event as Slack's Events API sends it, signed with `secret`."""
    event = {
        "token": "verification-token",
        "team_id": "T0CLINIC",
        "api_app_id": "A0IMURAN",
        "type": "event_callback",
        "event_id": f"Ev{user}{time.time_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "U0BOT"}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
            "channel": f"D{user}",
        },
    }
    body = json.dumps(event).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    return body, headers


def wait_turn_done(servers: Servers, sender: str, text: str, seconds: float = 60) -> Dict:
    """The tracker once the bot has finished the turn for `text` (or paused on it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reply = requests.get(f"{servers.url}/conversations/{sender}/tracker", timeout=10)
        if reply.ok:
            tracker = reply.json()
            events = tracker["events"]
            users = [i for i, e in enumerate(events) if e["event"] == "user"]
            if users and events[users[-1]].get("text") == text:
                after = events[users[-1] + 1 :]
                listening = after and after[-1].get("name") == "action_listen"
                if listening or tracker.get("paused"):
                    return dict(tracker)
        time.sleep(0.1)
    raise AssertionError(f"the turn for {text!r} did not finish within {seconds} s")


def slack_posts(fakes: Fakes, channel: str) -> List[Recorded]:
    return fakes.slack.matching(
        lambda r: r.path.endswith("chat.postMessage") and r.body.get("channel") == channel
    )


def send_slack(servers: Servers, fakes: Fakes, user: str, text: str) -> List[str]:
    before = len(slack_posts(fakes, f"D{user}"))
    body, headers = slack_request(text, user, fakes.slack_signing_secret)
    reply = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers)
    assert reply.status_code == 200, reply.text
    tracker = wait_turn_done(servers, user, text)
    # Replies are posted after the turn is stored (channels/turn.py relayed_turn); the
    # held reply of a paused conversation is not a stored bot event.
    # Rasa's Slack output posts each blank-line-separated part of a reply on its own
    # (rasa/core/channels/slack.py send_text_message), so count parts, not bot events.
    events = tracker["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    replies = sum(
        len(str(e.get("text") or "").strip().split("\n\n"))
        for e in events[last_user:]
        if e["event"] == "bot"
    )
    expected = before + (replies or 1 if tracker.get("paused") else replies)
    fakes.slack.wait_for(  # a predicate, not slack_posts: the recorder's lock is held
        lambda r: r.path.endswith("chat.postMessage") and r.body.get("channel") == f"D{user}",
        expected,
    )
    return [str(post.body.get("text")) for post in slack_posts(fakes, f"D{user}")[before:]]


def telegram_update(text: str, chat_id: int, update_id: Optional[int] = None) -> Dict[str, Any]:
    return {
        "update_id": next(_update_ids) if update_id is None else update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"},
            "text": text,
        },
    }


def telegram_sent(fakes: Fakes, chat_id: int) -> List[Recorded]:
    return fakes.telegram.matching(
        lambda r: r.path.endswith("/sendMessage") and r.body.get("chat_id") == str(chat_id)
    )


def post_telegram(
    servers: Servers, fakes: Fakes, update: Dict[str, Any], secret: Optional[str] = None
) -> requests.Response:
    token = fakes.telegram_secret if secret is None else secret
    headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
    return requests.post(
        f"{servers.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60
    )


def send_telegram(servers: Servers, fakes: Fakes, chat_id: int, text: str) -> List[str]:
    before = len(telegram_sent(fakes, chat_id))
    reply = post_telegram(servers, fakes, telegram_update(text, chat_id))
    assert reply.status_code == 200, reply.text
    return [str(r.body.get("text")) for r in telegram_sent(fakes, chat_id)[before:]]


def send_widget(servers: Servers, sender: str, text: str) -> List[Dict[str, Any]]:
    reply = requests.post(
        f"{servers.url}/webhooks/widget/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json())


def send_rest(servers: Servers, sender: str, text: str) -> List[str]:
    return [str(m.get("text")) for m in servers.send(sender, text)]
