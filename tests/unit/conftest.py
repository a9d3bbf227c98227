"""Fixtures for action tests: fixed clocks, a dispatcher and a tracker factory."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.hours import ClinicSettings, load_settings


@pytest.fixture
def settings() -> ClinicSettings:
    """The shipped defaults (content/clinic.yml): Mon-Fri 09:00-15:00 America/New_York."""
    return load_settings()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    def factory(
        text: str = "hello",
        intent: str = "greet",
        slots: Optional[Dict[str, Any]] = None,
        events: Optional[List[Dict[str, Any]]] = None,
        **parse_data: Any,
    ) -> Tracker:
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
        latest.update(parse_data)
        return Tracker(
            sender_id="test-user",
            slots=slots or {},
            latest_message=latest,
            events=events or [],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return factory


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def escalation_log(tmp_path, monkeypatch):
    """Every test writes escalation records to its own file, never into the repo."""
    path = tmp_path / "escalations.jsonl"
    monkeypatch.setenv("ESCALATION_LOG", str(path))
    return path
