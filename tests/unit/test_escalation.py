"""action_escalate_infection: what was noticed, the durable record, a side question."""

from __future__ import annotations

import json

import pytest

from actions.escalation import ActionEscalateInfection, noticed_message, side_question
from tests.unit.conftest import utc

SATURDAY = utc(2026, 1, 10, 16, 0)
FEVER_PARSE = {
    "entities": [
        {"entity": "infection_sign", "value": "fever", "start": 9, "end": 14},
        {"entity": "infection_sign", "value": "sweats_or_chills", "start": 28, "end": 34},
        {"entity": "temperature", "value": "38.6 °C", "start": 18, "end": 22},
        {"entity": "duration", "value": "since Monday"},
    ],
    "safety": {
        "rule": "infection sign",
        "signs": ["fever", "sweats_or_chills"],
        "phrases": ["fever", "chills"],
        "classifier_intent": "leaflet",
    },
}


def test_noticed_lists_signs_temperature_and_since_when():
    text = noticed_message(FEVER_PARSE)
    assert text == (
        "I noticed: a fever, sweats or chills (38.6 °C), since Monday. "
        "Tell your doctor this when you call."
    )


def test_nothing_noticed_says_nothing():
    assert noticed_message({"entities": []}) is None


@pytest.mark.asyncio
async def test_escalation_writes_a_durable_record(
    settings, dispatcher, make_tracker, escalation_log
):
    tracker = make_tracker(
        "I have a fever of 38.6 and chills since Monday", "report_infection_sign", **FEVER_PARSE
    )
    await ActionEscalateInfection(clock=lambda: SATURDAY, settings=settings).run(
        dispatcher, tracker, {}
    )
    records = [json.loads(line) for line in escalation_log.read_text().splitlines()]
    assert len(records) == 1
    record = records[0]
    assert record["conversation"] == "test-user"
    assert record["rule"] == "infection sign"
    assert record["signs"] == ["fever", "sweats_or_chills"]
    assert record["temperatures"] == ["38.6 °C"]
    assert record["time"].startswith("2026-01-10T16:00")
    # No words of the message: not the whole of it, not the matched phrases, not the
    # duration as written ("since Monday"), which the detector gave no number of days.
    assert "text" not in record and "phrases" not in record
    assert record["duration_days"] == [] and "Monday" not in json.dumps(record)


@pytest.mark.asyncio
async def test_order_noticed_then_guidance(settings, dispatcher, make_tracker):
    tracker = make_tracker("fever", "report_infection_sign", **FEVER_PARSE)
    await ActionEscalateInfection(clock=lambda: SATURDAY, settings=settings).run(
        dispatcher, tracker, {}
    )
    texts = [m.get("text") for m in dispatcher.messages]
    assert texts[0].startswith("I noticed: a fever")
    assert "call your doctor's office now" in texts[1]


@pytest.mark.asyncio
async def test_a_leaflet_question_next_to_the_sign_is_answered_last(
    settings, dispatcher, make_tracker
):
    parse = dict(FEVER_PARSE)
    parse["response_selector"] = {
        "leaflet": {"response": {"intent_response_key": "leaflet/storage", "confidence": 0.8}}
    }
    tracker = make_tracker("fever 38.6, and how do I store it?", "report_infection_sign", **parse)
    await ActionEscalateInfection(clock=lambda: SATURDAY, settings=settings).run(
        dispatcher, tracker, {}
    )
    assert dispatcher.messages[-1]["response"] == "utter_leaflet/storage"


def test_no_side_question_when_the_answer_is_weak_or_about_the_signs():
    weak = {
        "text": "fever, and the dose?",
        "response_selector": {
            "leaflet": {"response": {"intent_response_key": "leaflet/dose", "confidence": 0.3}}
        },
    }
    signs = {
        "text": "fever, what are the signs?",
        "response_selector": {
            "leaflet": {
                "response": {
                    "intent_response_key": "leaflet/infection_warning_signs",
                    "confidence": 0.9,
                }
            }
        },
    }
    statement = {
        "text": "I have a fever",
        "response_selector": {
            "leaflet": {"response": {"intent_response_key": "leaflet/dose", "confidence": 0.9}}
        },
    }
    assert side_question(weak) is None
    assert side_question(signs) is None
    assert side_question(statement) is None


@pytest.mark.asyncio
async def test_record_failure_does_not_silence_the_guidance(
    settings, dispatcher, make_tracker, monkeypatch, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("ESCALATION_LOG", str(blocker / "cannot" / "be" / "here.jsonl"))
    tracker = make_tracker("fever", "report_infection_sign", **FEVER_PARSE)
    await ActionEscalateInfection(clock=lambda: SATURDAY, settings=settings).run(
        dispatcher, tracker, {}
    )
    assert any("call your doctor" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_sign_name_from_outside_is_never_echoed():
    forged = {"entities": [{"entity": "infection_sign", "value": "<b>FORGED</b>"}]}
    text = noticed_message(forged) or ""
    assert "FORGED" not in text and "<b>" not in text
    assert "a symptom to tell your doctor about" in text
