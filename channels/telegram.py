"""Telegram, written for this project instead of Rasa's TelegramInput.

The stock connector (aiogram 2.15 with the pinned aiohttp) fails every update with "Event
loop is closed", calls getMe on each message and never checks Telegram's secret token
(../shared/FACTS.md). This channel:
- accepts an update only with the right `X-Telegram-Bot-Api-Secret-Token` header (the
  `secret_token` given to setWebhook), compared in constant time; otherwise 401;
- handles each `update_id` once: Telegram re-sends an update it did not get a 200 for,
  and a retried "I have a fever" must not escalate twice. Ids seen by this process are
  remembered (bounded), and the conversation's stored events are checked too, so a
  retry that reaches another server or a restarted one is not handled again. Its stored
  replies are sent again instead: a retry means the first answer may not have arrived;
- replies through the Bot API (`sendMessage`) with aiohttp, after the turn is stored
  (channels/turn.py `relayed_turn`), each reply retried; when one still cannot be sent
  Telegram gets a 503, so it re-sends the update and the replies go out then; buttons
  become a one-time reply keyboard whose presses come back as text;
- reads a photo's or a file's caption as the message; answers `/start` (the first thing
  every Telegram user sends) with the greeting; does not take an edited message as a
  new report (a second escalation and record) but asks for a new message;
- shares the patient-channel guarantees: "/intent" is text, failures get a reply, and a
  conversation a nurse has taken over still gets one (channels/paused.py).
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn import (
    MAX_MESSAGE_CHARS,
    RecentIds,
    Retry,
    deliver,
    id_problem,
    incoming_text,
    relayed_turn,
)
from clinic.wording import SAFETY_LINE

logger = logging.getLogger(__name__)

TELEGRAM_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_TEXT_LIMIT = 4096  # Bot API limit for one message
REMEMBERED_UPDATES = 10_000
NOT_TEXT_REPLY = f"I can only read text messages. Please type your question. {SAFETY_LINE}"
EDITED_REPLY = (
    "I can't take in changes to a message you already sent. If something has changed, "
    f"please send it as a new message. {SAFETY_LINE}"
)
UPDATE_ID_KEY = "telegram_update_id"
START_COMMAND = re.compile(r"^\s*/start(?:@\w+)?(?:\s|$)", re.IGNORECASE)
GREETING = "hello"  # what /start means: the assistant introduces itself


class TelegramOutput(OutputChannel):
    """Sends replies with the Bot API's sendMessage."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, token: str, api_url: str, timeout_s: float = 10.0) -> None:
        self._send_url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.sent = 0  # messages sent, so the channel knows whether the bot replied

    async def _send(self, payload: Dict[str, Any]) -> None:
        async with aiohttp.ClientSession(timeout=self._timeout) as session, session.post(
            self._send_url, json=payload
        ) as reply:
            if reply.status != 200:
                # The token is part of the URL: never log the URL.
                raise RuntimeError(f"Telegram sendMessage answered {reply.status}")
            self.sent += 1

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for start in range(0, max(len(text), 1), TELEGRAM_TEXT_LIMIT):
            await self._send(
                {"chat_id": recipient_id, "text": text[start : start + TELEGRAM_TEXT_LIMIT]}
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = [[{"text": str(button.get("title", ""))}] for button in buttons]
        await self._send(
            {
                "chat_id": recipient_id,
                "text": text,
                "reply_markup": {"keyboard": keyboard, "one_time_keyboard": True},
            }
        )


def update_message(update: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], bool]:
    """The message of an update and whether it is an edit; (None, False) for other types."""
    for key, edited in (("message", False), ("edited_message", True)):
        message = update.get(key)
        if isinstance(message, dict):
            return message, edited
    return None, False


def patient_text(message: Dict[str, Any]) -> Optional[str]:
    """The text of a message, or the caption of a photo or file; None when neither."""
    for key in ("text", "caption"):
        value = message.get(key)
        if isinstance(value, str) and value.strip():
            if len(value) > MAX_MESSAGE_CHARS:
                return None  # longer than Telegram itself allows
            return GREETING if START_COMMAND.match(value) else incoming_text(value)
    return None


def stored_replies(events: List[Any], update_id: int) -> Optional[List[Dict[str, Any]]]:
    """The bot's replies to an update as stored, or None when the update is not stored."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if (event.metadata or {}).get(UPDATE_ID_KEY) == update_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered) and event.text:
            reply: Dict[str, Any] = {"text": event.text}
            if (event.data or {}).get("buttons"):
                reply["buttons"] = event.data["buttons"]
            replies.append(reply)
    return replies


class TelegramSecureInput(InputChannel):
    """Telegram webhook channel; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, access_token: str, secret_token: str, api_url: str) -> None:
        if not access_token or not secret_token:
            raise ValueError(
                "The Telegram channel needs access_token (TELEGRAM_TOKEN) and secret_token "
                "(TELEGRAM_SECRET_TOKEN); see README."
            )
        self.access_token = access_token
        self.secret_token = secret_token
        self.api_url = api_url
        self._recent = RecentIds(REMEMBERED_UPDATES)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            str(credentials.get("access_token") or ""),
            str(credentials.get("secret_token") or ""),
            str(credentials.get("api_url") or TELEGRAM_API_URL),
        )

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.api_url)

    def authentic(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    def first_sight(self, update_id: int) -> bool:
        """True the first time this process sees an update id (and remembers it)."""
        return self._recent.first_sight(update_id)

    @staticmethod
    async def stored(agent: Any, sender_id: str, update_id: int) -> Optional[List[Dict[str, Any]]]:
        """The stored replies to this update (another server, a restart), or None."""
        if agent is None or agent.tracker_store is None:
            return None
        tracker = await agent.tracker_store.retrieve(sender_id)
        return None if tracker is None else stored_replies(list(tracker.events), update_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_secure_webhook", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authentic(request):
                return response.json({"error": "bad or missing secret token"}, status=401)
            try:
                update = request.json
            except Exception:
                update = None
            update_id_value = update.get("update_id") if isinstance(update, dict) else None
            # bool is an int in Python; Telegram's ids are plain integers.
            if type(update_id_value) is not int:
                return response.json({"error": "not a Telegram update"}, status=400)
            assert isinstance(update, dict)
            message, edited = update_message(update)
            chat = (message or {}).get("chat")
            chat_id = chat.get("id") if isinstance(chat, dict) else None
            if message is None or chat_id is None:
                return response.json({"status": "ignored"})  # not a chat message
            sender = str(chat_id)
            if type(chat_id) is not int or id_problem(sender):
                return response.json({"error": "not a Telegram chat id"}, status=400)
            update_id = int(update["update_id"])
            agent = getattr(request.app.ctx, "agent", None)
            output = self.get_output_channel()
            replies = await self.stored(agent, sender, update_id)
            if not self.first_sight(update_id) or replies is not None:
                logger.info("Telegram update %s was already handled; replies sent again", update_id)
                if not await deliver(output, sender, replies or [], Retry()):
                    return response.json({"status": "not delivered"}, status=503)
                return response.json({"status": "duplicate"})
            if edited:
                delivered = await deliver(output, sender, [{"text": EDITED_REPLY}], Retry())
            else:
                delivered = await self.handle(on_new_message, agent, sender, message, update_id)
            if not delivered:
                # Telegram re-sends the update later; the replies go out then (see above).
                return response.json({"status": "not delivered"}, status=503)
            return response.json({"status": "ok"})

        return telegram

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        sender: str,
        message: Dict[str, Any],
        update_id: int,
    ) -> bool:
        """Handles one new message; True when every reply reached Telegram."""
        output = self.get_output_channel()
        text = patient_text(message)
        if text is None:
            return await deliver(output, sender, [{"text": NOT_TEXT_REPLY}], Retry())
        user_message = UserMessage(
            text, output, sender, input_channel=self.name(), metadata={UPDATE_ID_KEY: update_id}
        )
        return await relayed_turn(on_new_message, user_message, agent)
