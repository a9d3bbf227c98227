"""Live-chat hours: edges, weekends and daylight-saving changes, with fixed clocks.

US daylight saving in 2026 starts Sunday 8 March and ends Sunday 1 November, so 09:00 in
New York is 14:00 UTC in winter and 13:00 UTC in summer.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from clinic.hours import (
    SettingsError,
    describe_day,
    format_clock,
    load_settings,
    parse_settings,
)
from tests.unit.conftest import utc


@pytest.mark.parametrize(
    "now, is_open",
    [
        (utc(2026, 1, 5, 13, 59), False),  # Monday 08:59 EST
        (utc(2026, 1, 5, 14, 0), True),  # Monday 09:00 EST: opens on the minute
        (utc(2026, 1, 5, 19, 59), True),  # Monday 14:59 EST
        (utc(2026, 1, 5, 20, 0), False),  # Monday 15:00 EST: closed on the minute
        (utc(2026, 1, 9, 17, 0), True),  # Friday noon
        (utc(2026, 1, 10, 17, 0), False),  # Saturday noon
        (utc(2026, 1, 11, 17, 0), False),  # Sunday noon
        (utc(2026, 7, 6, 13, 0), True),  # Monday 09:00 EDT (summer)
        (utc(2026, 7, 6, 12, 59), False),  # Monday 08:59 EDT
        (utc(2026, 7, 6, 19, 0), False),  # Monday 15:00 EDT
    ],
)
def test_is_open_at_the_edges(settings, now, is_open):
    assert settings.live_chat.is_open(now) is is_open


def test_friday_after_closing_opens_monday(settings):
    opening = settings.live_chat.next_opening(utc(2026, 1, 9, 20, 0))  # Fri 15:00 EST
    assert opening is not None
    assert (opening.weekday(), opening.time()) == (0, time(9, 0))
    assert opening.date().isoformat() == "2026-01-12"


def test_next_opening_across_spring_forward(settings):
    # Friday 6 March 16:00 EST -> Monday 9 March 09:00 EDT, which is 13:00 UTC, not 14:00.
    opening = settings.live_chat.next_opening(utc(2026, 3, 6, 21, 0))
    assert opening is not None
    assert opening.astimezone().utcoffset() is not None
    assert opening.isoformat() == "2026-03-09T09:00:00-04:00"


def test_next_opening_across_fall_back(settings):
    # Friday 30 October 16:00 EDT -> Monday 2 November 09:00 EST (14:00 UTC).
    opening = settings.live_chat.next_opening(utc(2026, 10, 30, 20, 0))
    assert opening is not None
    assert opening.isoformat() == "2026-11-02T09:00:00-05:00"


def test_hours_stay_local_on_the_change_weekend(settings):
    # Monday after spring-forward: 09:00 local is open, 08:30 local is not.
    assert settings.live_chat.is_open(utc(2026, 3, 9, 13, 0))
    assert not settings.live_chat.is_open(utc(2026, 3, 9, 12, 30))


def test_before_opening_the_same_day(settings):
    now = utc(2026, 1, 6, 12, 0)  # Tuesday 07:00 EST
    opening = settings.live_chat.next_opening(now)
    assert opening is not None and describe_day(opening, now) == "today"


def test_closes_at_is_local_close(settings):
    closes = settings.live_chat.closes_at(utc(2026, 1, 6, 15, 0))
    assert closes is not None and closes.time() == time(15, 0)
    assert settings.live_chat.closes_at(utc(2026, 1, 10, 15, 0)) is None


def test_naive_datetime_is_rejected(settings):
    with pytest.raises(ValueError):
        settings.live_chat.is_open(datetime(2026, 1, 5, 10, 0))


def test_custom_hours_from_yaml(tmp_path: Path):
    path = tmp_path / "clinic.yml"
    path.write_text(
        "live_chat:\n  timezone: Europe/London\n  timezone_label: UK time\n"
        "  hours:\n    saturday: ['10:00', '12:30']\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.live_chat.is_open(utc(2026, 1, 10, 10, 0))  # Saturday 10:00 GMT
    assert not settings.live_chat.is_open(utc(2026, 1, 12, 10, 0))  # Monday
    assert format_clock(settings.live_chat.hours[5][1]) == "12:30 p.m."


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"live_chat": {"hours": {"funday": ["09:00", "10:00"]}}}, "unknown day"),
        ({"live_chat": {"hours": {"monday": ["9am", "10:00"]}}}, "not a time"),
        ({"live_chat": {"hours": {"monday": ["15:00", "09:00"]}}}, "opens after it closes"),
        ({"live_chat": {"hours": {"monday": ["09:00"]}}}, "expected [open, close]"),
        ({"live_chat": {"timezone": "Mars/Olympus"}}, "timezone"),
    ],
)
def test_bad_settings_say_what_is_wrong(raw, message):
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_settings(raw)


@pytest.mark.parametrize(
    "clock, text", [(time(9, 0), "9 a.m."), (time(15, 0), "3 p.m."), (time(12, 30), "12:30 p.m.")]
)
def test_format_clock(clock, text):
    assert format_clock(clock) == text
