"""The clinic's live-chat hours: loaded from YAML, evaluated in the clinic's time zone.

All arithmetic happens on local wall-clock times of the clinic's zone (zoneinfo), so the
hours stay 09:00-15:00 local across daylight-saving changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

from clinic.content import CONTENT_DIR

DEFAULT_SETTINGS_PATH = CONTENT_DIR / "clinic.yml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead to look for the next opening; a clinic closed for longer has no live chat.
MAX_DAYS_AHEAD = 14


class SettingsError(ValueError):
    """The clinic settings file is missing something or holds a wrong value."""


@dataclass(frozen=True)
class LiveChatHours:
    """Opening hours per weekday (0 = Monday) as local [open, close) times."""

    timezone: ZoneInfo
    timezone_label: str
    hours: Mapping[int, Tuple[time, time]]

    def local(self, now: datetime) -> datetime:
        """`now` (timezone-aware) as the clinic's local time."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(self.timezone)

    def is_open(self, now: datetime) -> bool:
        """True from the opening minute up to, not including, the closing minute."""
        local = self.local(now)
        span = self.hours.get(local.weekday())
        return span is not None and span[0] <= local.time() < span[1]

    def closes_at(self, now: datetime) -> Optional[datetime]:
        """Today's closing time when open now, else None."""
        if not self.is_open(now):
            return None
        local = self.local(now)
        return datetime.combine(local.date(), self.hours[local.weekday()][1], self.timezone)

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """The next opening strictly after `now` (local time), or None within two weeks."""
        local = self.local(now)
        for offset in range(MAX_DAYS_AHEAD + 1):
            day: date = local.date() + timedelta(days=offset)
            span = self.hours.get(day.weekday())
            if span is None:
                continue
            opening = datetime.combine(day, span[0], self.timezone)
            if opening > local:
                return opening
        return None


@dataclass(frozen=True)
class ClinicSettings:
    """Everything the actions need to know about the clinic."""

    clinic_name: str
    live_chat: LiveChatHours
    live_chat_url: str
    emergency_number: str
    crisis_line: str = "988"
    poison_control: str = "1-800-222-1222"


def _parse_time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise SettingsError(f"{where}: '{value}' is not a time like 09:00") from exc


def parse_settings(raw: Dict[str, Any]) -> ClinicSettings:
    """Validates a settings mapping (as read from YAML) and builds the settings."""
    chat = raw.get("live_chat") or {}
    try:
        zone = ZoneInfo(str(chat.get("timezone", "America/New_York")))
    except Exception as exc:  # zoneinfo raises several types for a bad key
        raise SettingsError(f"live_chat.timezone: {exc}") from exc
    hours: Dict[int, Tuple[time, time]] = {}
    for day_name, span in (chat.get("hours") or {}).items():
        key = str(day_name).lower()
        if key not in WEEKDAYS:
            raise SettingsError(f"live_chat.hours: unknown day '{day_name}'")
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise SettingsError(f"live_chat.hours.{key}: expected [open, close]")
        opens = _parse_time(span[0], f"live_chat.hours.{key}")
        closes = _parse_time(span[1], f"live_chat.hours.{key}")
        if not opens < closes:
            raise SettingsError(f"live_chat.hours.{key}: opens after it closes")
        hours[WEEKDAYS.index(key)] = (opens, closes)
    return ClinicSettings(
        clinic_name=str(raw.get("clinic_name", "the clinic")),
        live_chat=LiveChatHours(
            timezone=zone,
            timezone_label=str(chat.get("timezone_label", str(zone))),
            hours=hours,
        ),
        live_chat_url=str(chat.get("url") or ""),
        emergency_number=str(raw.get("emergency_number", "911")),
        crisis_line=str(raw.get("crisis_line", "988")),
        poison_control=str(raw.get("poison_control", "1-800-222-1222")),
    )


def load_settings(path: Optional[Path] = None) -> ClinicSettings:
    """Reads the settings file (CLINIC_SETTINGS, else content/clinic.yml)."""
    path = path or Path(os.environ.get("CLINIC_SETTINGS", DEFAULT_SETTINGS_PATH))
    with open(path, encoding="utf-8") as handle:
        return parse_settings(yaml.safe_load(handle) or {})


@lru_cache(maxsize=1)
def default_settings() -> ClinicSettings:
    """Settings read once per action-server process."""
    return load_settings()


def format_clock(moment: time) -> str:
    """09:00 -> '9 a.m.', 15:30 -> '3:30 p.m.' (the leaflet's own style)."""
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def describe_day(moment: datetime, now: datetime) -> str:
    """'today', 'tomorrow' or 'on Monday', relative to `now` in the moment's zone."""
    today = now.astimezone(moment.tzinfo).date()
    days = (moment.date() - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {moment.strftime('%A')}" if days < 7 else f"on {moment.strftime('%A %B %-d')}"


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
