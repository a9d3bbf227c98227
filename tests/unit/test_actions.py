"""Custom actions, run with a CollectingDispatcher, a tracker and a fixed clock."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.escalation import ActionEscalateInfection
from actions.handoff import ActionHandoff
from tests.unit.conftest import utc

ROOT = Path(__file__).resolve().parents[2]

IN_HOURS = utc(2026, 1, 7, 16, 0)  # Wednesday 11:00 EST
SATURDAY = utc(2026, 1, 10, 16, 0)  # Saturday 11:00 EST
FRIDAY_CLOSING = utc(2026, 1, 9, 20, 0)  # Friday 15:00 EST, the closing minute
FRIDAY_LAST_MINUTE = utc(2026, 1, 9, 19, 59)  # Friday 14:59 EST
THURSDAY_EVENING = utc(2026, 1, 8, 23, 0)  # Thursday 18:00 EST
MONDAY_EARLY = utc(2026, 1, 12, 12, 0)  # Monday 07:00 EST


async def run(action, dispatcher, tracker):
    events = await action.run(dispatcher, tracker, {})
    texts = [m["text"] for m in dispatcher.messages]
    return events, texts


def test_action_names_are_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert ActionHandoff().name() in domain["actions"]
    assert ActionEscalateInfection().name() in domain["actions"]


@pytest.mark.asyncio
async def test_handoff_in_hours_offers_the_live_chat(settings, dispatcher, make_tracker):
    action = ActionHandoff(clock=lambda: IN_HOURS, settings=settings)
    events, texts = await run(action, dispatcher, make_tracker("can i talk to a nurse"))
    assert events == []
    assert len(texts) == 1
    assert "live chat now, until 3 p.m. Eastern Time" in texts[0]
    assert "closed" not in texts[0]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "now, when",
    [
        (SATURDAY, "on Monday at 9 a.m. Eastern Time"),
        (FRIDAY_CLOSING, "on Monday at 9 a.m. Eastern Time"),
        (THURSDAY_EVENING, "tomorrow at 9 a.m. Eastern Time"),
        (MONDAY_EARLY, "today at 9 a.m. Eastern Time"),
    ],
)
async def test_handoff_out_of_hours_says_when_and_what_to_do(
    settings, dispatcher, make_tracker, now, when
):
    action = ActionHandoff(clock=lambda: now, settings=settings)
    _, texts = await run(action, dispatcher, make_tracker("i need a person"))
    assert len(texts) == 1
    assert "closed" in texts[0]
    assert f"opens again {when}" in texts[0]
    assert "call your doctor right away" in texts[0]
    assert "911" in texts[0]


@pytest.mark.asyncio
async def test_handoff_last_open_minute_is_in_hours(settings, dispatcher, make_tracker):
    action = ActionHandoff(clock=lambda: FRIDAY_LAST_MINUTE, settings=settings)
    _, texts = await run(action, dispatcher, make_tracker("nurse please"))
    assert "live chat now" in texts[0]


@pytest.mark.asyncio
async def test_escalation_in_hours_offers_the_nurse(settings, dispatcher, make_tracker):
    action = ActionEscalateInfection(clock=lambda: IN_HOURS, settings=settings)
    events, texts = await run(
        action, dispatcher, make_tracker("i have a fever", "report_infection_sign")
    )
    assert events == []
    assert len(texts) == 1
    assert "nurse" in texts[0] and "until 3 p.m. Eastern Time" in texts[0]
    assert "Call your doctor first" in texts[0]


@pytest.mark.asyncio
async def test_escalation_after_hours_does_not_wait_for_the_chat(
    settings, dispatcher, make_tracker
):
    action = ActionEscalateInfection(clock=lambda: SATURDAY, settings=settings)
    _, texts = await run(action, dispatcher, make_tracker("chills", "report_infection_sign"))
    assert "closed" in texts[0]
    assert "on Monday at 9 a.m. Eastern Time" in texts[0]
    assert "call your doctor's office now" in texts[0]
    assert "911" in texts[0]


def test_the_action_server_registers_exactly_the_domain_actions():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert sorted(executor.actions) == sorted(domain["actions"])
