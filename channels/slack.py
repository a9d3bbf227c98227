"""Slack for patients: Slack's Events API in, chat.postMessage out.

Built on Rasa's SlackInput for its signature check and mention clean-up, with its own
webhook, because the stock one answers 500 to a signed JSON array or a form without a
`payload`, answers bot messages that carry no `bot_id`, stores an event without a user
under "default", handles retries and replays of one event again (one message, several
escalation records) and replies in the channel the message came from, which for a
mention in a public channel tells everyone in it what the patient reported.

This webhook:
- refuses what Slack did not sign or sign recently (400, as SlackInput does), then
  anything that is not a JSON object of Slack's shape (400), and ignores (200) events
  that are not a person's new message: bot messages, edits and other subtypes, events
  without a user or text;
- handles each `event_id` once: remembered in this process (bounded) and checked in the
  conversation's stored events, so a retry that reaches another server is dropped too;
- answers a direct message in that conversation, and a mention anywhere else in a direct
  message to the person, with only a short pointer (visible to them alone) in the
  channel: health details never go to a shared channel;
- runs the turn after Slack has its 200 (Slack wants one within 3 s), with the replies
  sent after the turn is stored and each retried (channels/turn.py `relayed_turn`);
- posts to a configurable Web API address (`slack_api_url`), so a proxy or the tests'
  loopback fake can stand in for Slack; buttons become text ("Reply with ...") since
  Slack buttons need an interactivity endpoint the clinic may not have set up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Optional, Set

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.turn import (
    MAX_MESSAGE_CHARS,
    TOO_LONG_REPLY,
    RecentIds,
    Retry,
    deliver,
    id_problem,
    incoming_text,
    relayed_turn,
)

logger = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
EVENT_ID_KEY = "slack_event_id"
REMEMBERED_EVENTS = 10_000
# A person's new message; "file_share" is one with a file attached, its text still theirs.
PERSON_SUBTYPES: FrozenSet[Optional[str]] = frozenset({None, "file_share", "thread_broadcast"})
MESSAGE_TYPES: FrozenSet[Optional[str]] = frozenset({"message", "app_mention"})
PRIVATE_POINTER = "I've answered you in a direct message, to keep your health details private."
# Slack has the 200 already: a reply can be retried for longer than a webhook could wait.
SLACK_RETRY = Retry(attempts=5, backoff_s=1.0)


def buttons_as_text(text: str, buttons: List[Dict[str, Any]]) -> str:
    options = " or ".join(f'"{button.get("title", "")}"' for button in buttons)
    return f"{text}\nReply with {options}." if buttons else text


class ClinicSlackBot(SlackBot):
    """SlackBot posting to a configurable Web API address, with buttons as text."""

    def __init__(
        self,
        token: str,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
        api_url: str = SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url)
        self.sent = 0  # messages posted, so the channel knows whether the bot replied

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        await super()._post_message(channel, **kwargs)
        self.sent += 1

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, buttons_as_text(text, buttons), **kwargs)

    async def point_to_direct_message(self, channel: str, user: str) -> None:
        """The short pointer in a shared channel, shown to that user only."""
        await self.client.chat_postEphemeral(channel=channel, user=user, text=PRIVATE_POINTER)


def plain_in(value: Any, allowed: FrozenSet[Optional[str]]) -> bool:
    """A string (or None) among the allowed: a list or object in a field is not."""
    return (value is None or isinstance(value, str)) and value in allowed


def person_message(body: Any) -> Optional[Dict[str, Any]]:
    """The event when the body is a person's new message to the bot, else None."""
    event = body.get("event") if isinstance(body, dict) else None
    if not isinstance(event, dict) or not plain_in(event.get("type"), MESSAGE_TYPES):
        return None
    if event.get("bot_id") or not plain_in(event.get("subtype"), PERSON_SUBTYPES):
        return None
    user, text = event.get("user"), event.get("text")
    if not isinstance(user, str) or id_problem(user) or not isinstance(text, str):
        return None
    return event if text.strip() else None


class ClinicSlackInput(SlackInput):
    """SlackInput with its own webhook; see the module docstring."""

    api_url: str = SLACK_API_URL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recent = RecentIds(REMEMBERED_EVENTS)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ClinicSlackInput)
        channel.api_url = str((credentials or {}).get("slack_api_url") or SLACK_API_URL)
        return channel

    def get_output_channel(
        self, channel: Optional[str] = None, thread_id: Optional[str] = None
    ) -> OutputChannel:
        """Posts to `channel`, else to the recipient itself: a user id is their direct
        message with the bot."""
        return ClinicSlackBot(self.slack_token, channel, thread_id, self.proxy, self.api_url)

    def addressed(self, event: Dict[str, Any]) -> bool:
        """A direct message, a mention, or a message in the channel the clinic set up;
        not everything said in every channel the bot is in."""
        return (
            event.get("channel_type") == "im"
            or event.get("type") == "app_mention"
            or (bool(self.slack_channel) and event.get("channel") == self.slack_channel)
        )

    @staticmethod
    async def stored(agent: Any, user: str, event_id: str) -> bool:
        """Whether the conversation already holds this event (another server, a restart)."""
        if agent is None or agent.tracker_store is None:
            return False
        tracker = await agent.tracker_store.retrieve(user)
        return tracker is not None and any(
            isinstance(e, UserUttered) and (e.metadata or {}).get(EVENT_ID_KEY) == event_id
            for e in tracker.events
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack = Blueprint("slack_webhook", __name__)
        running: Set["asyncio.Task[Any]"] = set()

        @slack.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return response.text(
                    "Message is not properly signed with a valid X-Slack-Signature header",
                    status=400,
                )
            body = slack_body(request)
            if body is None:
                return response.json({"error": "not a Slack event"}, status=400)
            if body.get("type") == "url_verification":
                return response.json({"challenge": str(body.get("challenge", ""))})
            event = person_message(body)
            event_id = body.get("event_id")
            if event is None or not isinstance(event_id, str) or not self.addressed(event):
                return response.json({"status": "ignored"})
            agent = getattr(request.app.ctx, "agent", None)
            if not self._recent.first_sight(event_id) or await self.stored(
                agent, event["user"], event_id
            ):
                logger.info("Slack event %s was already handled; ignored", event_id)
                return response.json({"status": "duplicate"}, headers={"X-Slack-No-Retry": "1"})
            task = asyncio.create_task(self.handle(on_new_message, agent, body, event))
            running.add(task)  # a reference, so the task is not collected mid-turn
            task.add_done_callback(running.discard)
            return response.json({"status": "ok"})

        return slack

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        body: Dict[str, Any],
        event: Dict[str, Any],
    ) -> None:
        """One turn; in a shared channel, the pointer to the direct message first."""
        user = str(event["user"])
        channel = event.get("channel") if isinstance(event.get("channel"), str) else None
        direct = event.get("channel_type") == "im" and channel is not None
        output = self.get_output_channel(channel if direct else None)
        if not direct and channel is not None:
            try:
                assert isinstance(output, ClinicSlackBot)
                await output.point_to_direct_message(channel, user)
            except Exception as error:  # the answer itself still goes out below
                logger.warning("Slack pointer to a direct message failed: %s", type(error).__name__)
        if len(event["text"]) > MAX_MESSAGE_CHARS:
            await deliver(output, user, [{"text": TOO_LONG_REPLY}], SLACK_RETRY)
            return
        text = self._sanitize_user_message(event["text"], bot_users(body))
        message = UserMessage(
            incoming_text(text),
            output,
            user,
            input_channel=self.name(),
            metadata={EVENT_ID_KEY: body["event_id"]},
        )
        await relayed_turn(on_new_message, message, agent, SLACK_RETRY)


def slack_body(request: Request) -> Optional[Dict[str, Any]]:
    """The event as a JSON object, from a JSON body or an interactive form's `payload`."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
    try:
        if content_type == "application/json":
            body = json.loads(request.body or b"null")
        elif content_type == "application/x-www-form-urlencoded":
            body = json.loads(request.form.get("payload") or "null")
        else:
            return None
    except (ValueError, TypeError):
        return None
    return body if isinstance(body, dict) else None


def bot_users(body: Dict[str, Any]) -> List[str]:
    """The bot's own user ids, whose mentions are taken out of the text."""
    users = body.get("authed_users")
    if isinstance(users, list):
        return [u for u in users if isinstance(u, str)]
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        first = authorizations[0]
        user = first.get("user_id") if isinstance(first, dict) else None
        return [user] if isinstance(user, str) else []
    return []
