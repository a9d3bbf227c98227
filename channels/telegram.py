"""Telegram, written for this project instead of Rasa's TelegramInput.

The stock connector (aiogram 2.15 with the pinned aiohttp) fails every update with "Event
loop is closed", calls getMe on each message and never checks Telegram's secret token
(../shared/FACTS.md). This channel:
- accepts an update only with the right `X-Telegram-Bot-Api-Secret-Token` header (the
  `secret_token` given to setWebhook), compared in constant time; otherwise 401;
- handles each `update_id` once: Telegram re-sends an update it did not get a 200 for,
  and a retried "I have a fever" must not escalate twice. Ids seen by this process are
  remembered (bounded), and the conversation's stored events are checked too, so a
  retry that reaches another server or a restarted one is also dropped;
- replies through the Bot API (`sendMessage`) with aiohttp; buttons become a one-time
  reply keyboard whose presses come back as text;
- shares the patient-channel guarantees: "/intent" is text, failures get a reply, and a
  conversation a nurse has taken over still gets one (channels/paused.py).
"""

from __future__ import annotations

import hmac
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn import MAX_MESSAGE_CHARS, id_problem, neutralise_commands, patient_turn
from clinic.wording import SAFETY_LINE

logger = logging.getLogger(__name__)

TELEGRAM_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_TEXT_LIMIT = 4096  # Bot API limit for one message
REMEMBERED_UPDATES = 10_000
NOT_TEXT_REPLY = f"I can only read text messages. Please type your question. {SAFETY_LINE}"
UPDATE_ID_KEY = "telegram_update_id"


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


def update_message(update: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The message of an update (new or edited), or None for other update types."""
    message = update.get("message") or update.get("edited_message")
    return message if isinstance(message, dict) else None


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
        self._seen: "OrderedDict[int, None]" = OrderedDict()

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
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > REMEMBERED_UPDATES:
            self._seen.popitem(last=False)
        return True

    @staticmethod
    async def already_handled(agent: Any, sender_id: str, update_id: int) -> bool:
        """Whether the stored conversation already has this update (another server, restart)."""
        if agent is None or agent.tracker_store is None:
            return False
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return False
        return any(
            isinstance(event, UserUttered)
            and (event.metadata or {}).get(UPDATE_ID_KEY) == update_id
            for event in tracker.events
        )

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
            message = update_message(update)
            chat_id = ((message or {}).get("chat") or {}).get("id")
            if message is None or chat_id is None:
                return response.json({"status": "ignored"})  # not a chat message
            sender = str(chat_id)
            if type(chat_id) is not int or id_problem(sender):
                return response.json({"error": "not a Telegram chat id"}, status=400)
            update_id = int(update["update_id"])
            agent = getattr(request.app.ctx, "agent", None)
            if not self.first_sight(update_id) or await self.already_handled(
                agent, sender, update_id
            ):
                logger.info("Telegram update %s was already handled; ignored", update_id)
                return response.json({"status": "duplicate"})
            await self.handle(on_new_message, agent, sender, message, update_id)
            # Always 200 once handled: a non-200 makes Telegram retry the update.
            return response.json({"status": "ok"})

        return telegram

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        sender: str,
        message: Dict[str, Any],
        update_id: int,
    ) -> None:
        output = self.get_output_channel()
        text = message.get("text")
        if not isinstance(text, str):
            try:
                await output.send_text_message(sender, NOT_TEXT_REPLY)
            except Exception:
                logger.exception("Could not tell the Telegram user to send text (chat %s)", sender)
            return
        user_message = UserMessage(
            neutralise_commands(text[:MAX_MESSAGE_CHARS]),
            output,
            sender,
            input_channel=self.name(),
            metadata={UPDATE_ID_KEY: update_id},
        )
        await patient_turn(on_new_message, user_message, agent)
