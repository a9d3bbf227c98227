"""Small parts of the channels: message kinds, widget history, Telegram dedup, Slack
buttons as text, the active-credentials filter, and the nurse handoff decisions."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa_sdk.events import ConversationPaused

from actions.nurse_handoff import hand_to_nurse
from channels.slack import buttons_as_text
from channels.telegram import REMEMBERED_UPDATES, TelegramSecureInput
from channels.widget import WidgetInput, allowed_origins, history_messages
from clinic.message_kind import message_kind
from clinic.nurse_queue import QueueConfig
from deploy.active_credentials import active_channels
from harness.recorder import Recorder
from tests.unit.conftest import utc

TUESDAY_NOON_ET = utc(2026, 1, 13, 17, 0)


@pytest.mark.parametrize(
    "text, metadata, kind",
    [
        ("⚠️ This could be...", {"utter_action": "utter_infection_warning"}, "urgent"),
        ("🚨 This sounds like an emergency", {"utter_action": "utter_emergency"}, "emergency"),
        (
            'Source: Cleveland Clinic leaflet, "Storage"',
            {"utter_action": "utter_leaflet"},
            "citation",
        ),
        ("I've passed your conversation...", {"kind": "notice"}, "notice"),
        ("Keep it at room temperature.", {"utter_action": "utter_leaflet/storage"}, "answer"),
        ("anything", {"kind": "<script>"}, "answer"),  # unknown kinds are not trusted
    ],
)
def test_message_kind(text: str, metadata: Dict[str, Any], kind: str) -> None:
    assert message_kind(text, metadata) == kind


def test_history_splits_paragraphs_and_keeps_kinds_and_buttons() -> None:
    events = [
        UserUttered("how do I store it?"),
        ActionExecuted("utter_leaflet"),
        BotUttered(
            "Keep it cool.\n\nSource: leaflet", metadata={"utter_action": "utter_leaflet/storage"}
        ),
        UserUttered("??"),
        BotUttered("Sorry?", data={"buttons": [{"title": "A", "payload": "a"}]}),
    ]
    assert history_messages(events) == [
        {"from": "user", "text": "how do I store it?"},
        {"from": "bot", "text": "Keep it cool.", "kind": "answer"},
        {"from": "bot", "text": "Source: leaflet", "kind": "citation"},
        {"from": "user", "text": "??"},
        {
            "from": "bot",
            "text": "Sorry?",
            "kind": "answer",
            "buttons": [{"title": "A", "payload": "a"}],
        },
    ]


@pytest.mark.parametrize(
    "sender, ok",
    [("0f8e2c1a9b7d4e6f8a1b2c3d4e5f6a7b", True), ("default", False), ("a" * 15, False),
     ("a/b" * 8, False), ("a" * 129, False)],
)  # fmt: skip
def test_widget_sender_must_be_a_random_id(sender: str, ok: bool) -> None:
    assert (WidgetInput(origins=[]).validate_sender(sender) is None) is ok


def test_allowed_origins_parsing() -> None:
    env = {"WIDGET_ALLOWED_ORIGINS": " https://clinic.example/ ,https://b.example"}
    assert allowed_origins(env) == ["https://clinic.example", "https://b.example"]
    assert allowed_origins({}) == []


def test_telegram_remembers_update_ids_within_a_bound() -> None:
    channel = TelegramSecureInput("123:token", "secret-token-123", "http://127.0.0.1:9")
    assert channel.first_sight(1) and not channel.first_sight(1)
    for update_id in range(2, REMEMBERED_UPDATES + 3):
        channel.first_sight(update_id)
    assert channel.first_sight(1)  # forgotten after the bound: memory stays bounded


def test_telegram_needs_both_secrets() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_SECRET_TOKEN"):
        TelegramSecureInput.from_credentials({"access_token": "123:token"})


def test_slack_buttons_as_text() -> None:
    buttons = [{"title": "How do I store it?"}, {"title": "Talk to a nurse"}]
    assert buttons_as_text("Sorry?", buttons) == (
        'Sorry?\nReply with "How do I store it?" or "Talk to a nurse".'
    )


def test_active_credentials_keeps_configured_channels_only() -> None:
    channels = {
        "rest": {},
        "slack": {"slack_token": "${SLACK_TOKEN}", "slack_api_url": "${SLACK_API_URL}"},
        "telegram": {"access_token": "${TELEGRAM_TOKEN}"},
    }
    active, missing = active_channels(channels, {"SLACK_TOKEN": "xoxb"})
    # The optional API address is dropped (default applies), the value stays a reference.
    assert active == {"rest": {}, "slack": {"slack_token": "${SLACK_TOKEN}"}}
    assert missing == {"telegram": ["TELEGRAM_TOKEN"]}


@pytest.fixture()
def queue() -> Any:
    recorder = Recorder(answer=lambda _: (202, {})).start()
    yield recorder
    recorder.stop()


@pytest.mark.asyncio
async def test_handoff_without_a_queue_leaves_the_reply_to_the_caller(
    settings, dispatcher, make_tracker
) -> None:
    events = await hand_to_nurse(
        dispatcher, make_tracker(), "asked_for_person", settings, TUESDAY_NOON_ET,
        QueueConfig(url=None),
    )  # fmt: skip
    assert events is None and dispatcher.messages == []


@pytest.mark.asyncio
async def test_handoff_queued_pauses(settings, dispatcher, make_tracker, queue) -> None:
    config = QueueConfig(url=f"{queue.url}/q", attempts=1, timeout_s=2)
    events = await hand_to_nurse(
        dispatcher, make_tracker(), "asked_for_person", settings, TUESDAY_NOON_ET, config
    )
    assert events == [ConversationPaused()]
    assert dispatcher.messages[0]["kind"] == "notice"
    assert queue.requests[0].body["reason"] == "asked_for_person"


@pytest.mark.asyncio
async def test_handoff_queue_failure_is_told_and_does_not_pause(
    settings, dispatcher, make_tracker, queue
) -> None:
    queue.answer = lambda _: (500, {})
    config = QueueConfig(url=f"{queue.url}/q", attempts=2, timeout_s=2, backoff_s=0)
    events = await hand_to_nurse(
        dispatcher, make_tracker(), "infection_signs", settings, TUESDAY_NOON_ET, config
    )
    said: List[str] = [m["text"] for m in dispatcher.messages]
    assert events == [] and len(queue.requests) == 2
    assert "couldn't reach the nurse team" in said[0] and "call your doctor" in said[0]
