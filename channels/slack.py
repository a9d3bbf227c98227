"""Slack for patients, on top of Rasa's SlackInput (which checks Slack's signature).

What it adds, and why:
- `slack_api_url` (default Slack's own): where replies are posted, so a proxy or the
  tests' loopback fake of Slack's Web API can stand in for Slack.
- Buttons degrade to text ("Reply with: ..."): Slack buttons need an interactivity
  endpoint the clinic may not have set up, and a patient must always see the options.
- A typed "/intent" is text (as on every patient channel), a failure gets a reply, and a
  conversation a nurse has taken over still gets a reply (channels/paused.py).
Forged, unsigned and stale (> 5 min) requests are refused by SlackInput itself (400).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from channels.turn import id_problem, neutralise_commands, patient_turn

SLACK_API_URL = "https://slack.com/api/"


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


class ClinicSlackInput(SlackInput):
    """SlackInput with the patient-channel guarantees; see the module docstring."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ClinicSlackInput)
        channel.api_url = str((credentials or {}).get("slack_api_url") or SLACK_API_URL)
        return channel

    api_url: str = SLACK_API_URL

    def get_output_channel(
        self, channel: Optional[str] = None, thread_id: Optional[str] = None
    ) -> OutputChannel:
        return ClinicSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: Optional[str],
        metadata: Optional[Dict],
    ) -> Any:
        agent = getattr(request.app.ctx, "agent", None)
        if id_problem(sender_id):  # no user (stored under "default"), or a forged id
            return response.text("")

        async def handle(message: UserMessage) -> None:
            # Slack gets its 200 before this runs (SlackInput handles in the background),
            # so a failure here can only be told to the user through Slack itself.
            await patient_turn(on_new_message, message, agent)

        return await super().process_message(
            request, handle, neutralise_commands(text), sender_id, metadata
        )
