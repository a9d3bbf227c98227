"""What to tell a user about the live chat right now: shared by handoff and escalation."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from datetime import datetime, timezone
from typing import Callable, Optional

from rasa_sdk import Action

from actions.clinic_hours import ClinicSettings, default_settings, describe_day, format_clock


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


def where_to_chat(settings: ClinicSettings) -> str:
    return settings.live_chat_url or "the clinic's web site"


def open_until(settings: ClinicSettings, now: datetime) -> str:
    """'3 p.m. Eastern Time' for an open chat (caller checks that it is open)."""
    closes = settings.live_chat.closes_at(now)
    assert closes is not None, "open_until() needs an open live chat"
    return f"{format_clock(closes.time())} {settings.live_chat.timezone_label}"


def next_opening_phrase(settings: ClinicSettings, now: datetime) -> str:
    """'on Monday at 9 a.m. Eastern Time', or a fallback when no opening is scheduled."""
    opening = settings.live_chat.next_opening(now)
    if opening is None:
        return "at a time not yet scheduled"
    when = describe_day(opening, now)
    return f"{when} at {format_clock(opening.time())} {settings.live_chat.timezone_label}"
