"""The base of the actions whose reply depends on the clinic's settings and the time."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from clinic.hours import ClinicSettings, default_settings


def utc_now() -> datetime:
    """The real clock; actions take a clock argument so tests can fix the time."""
    return datetime.now(timezone.utc)


class ClinicAction(Action, metaclass=ABCMeta):
    """An action whose reply depends on the clinic's settings and the time.

    Both are injectable so tests can fix the clock; abstract, so the action server does
    not register it as an action of its own.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] = utc_now,
        settings: Optional[ClinicSettings] = None,
    ) -> None:
        self._clock = clock
        self._settings = settings

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @property
    def settings(self) -> ClinicSettings:
        return self._settings or default_settings()

    def now(self) -> datetime:
        return self._clock()

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        """rasa-sdk's entry point: the settings and the time read once per turn."""
        return await self.respond(dispatcher, tracker, self.settings, self.now())

    @abstractmethod
    async def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        settings: ClinicSettings,
        now: datetime,
    ) -> List[EventType]:
        """What the action says and does, for these settings at this time."""
