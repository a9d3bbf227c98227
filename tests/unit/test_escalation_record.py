"""Escalation records: structured fields only, where LOG_DIR says, and erased and expired
with the conversations (`python -m scripts.conversations erase|retention`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa

from actions.escalation_record import (
    append_record,
    erase_records,
    escalation_record,
    expire_records,
    log_lock,
    record_path,
    sign_ids,
)
from clinic.names import SIGN_NAMES
from persistence.conversations import EVENTS
from tests.unit.conftest import utc

ROOT = Path(__file__).resolve().parents[2]
NOW = utc(2026, 3, 2, 9, 30)
CANARY = "zebracanary42gap"


def parse(text: str, **extra: Any) -> Dict[str, Any]:
    """Parse data as the NLU pipeline leaves it for a message about white mouth patches."""
    start = text.index("white")
    end = text.index("mouth") + len("mouth")
    data: Dict[str, Any] = {
        "text": text,
        "intent": {"name": "report_infection_sign", "confidence": 1.0},
        "entities": [
            {
                "entity": "infection_sign",
                "value": "mouth_white_patches",
                "start": start,
                "end": end,
            },
            {"entity": "temperature", "value": "38.6 °C", "start": 0, "end": 4},
            {"entity": "duration", "value": f"since {CANARY} monday", "days": 7.0},
        ],
    }
    data.update(extra)
    return data


TEXT = f"38.6 and white {CANARY} patches in my mouth since monday"
SAFETY = {
    "rule": "infection sign",
    "signs": ["mouth_white_patches"],
    "phrases": [f"white {CANARY} patches in my mouth", "38.6"],
    "classifier_intent": "leaflet",
}


@pytest.mark.parametrize(
    "latest",
    [parse(TEXT, safety=SAFETY), parse(TEXT)],  # the detector's phrases; entity spans only
    ids=["matched-phrases", "entity-spans"],
)
def test_a_record_holds_no_words_of_the_message(latest: Dict[str, Any]) -> None:
    record = escalation_record(latest, "c1", NOW)
    assert CANARY not in json.dumps(record)
    assert "in my mouth" not in json.dumps(record)
    assert "monday" not in json.dumps(record).lower()
    assert set(record) == {
        "time",
        "conversation",
        "rule",
        "intent",
        "classifier_intent",
        "signs",
        "temperatures",
        "duration_days",
    }


def test_a_record_keeps_the_structured_fields() -> None:
    record = escalation_record(parse(TEXT, safety=SAFETY), "c1", NOW)
    assert record == {
        "time": "2026-03-02T09:30:00+00:00",
        "conversation": "c1",
        "rule": "infection sign",
        "intent": "report_infection_sign",
        "classifier_intent": "leaflet",
        "signs": ["mouth_white_patches"],
        "temperatures": ["38.6 °C"],
        "duration_days": [7.0],
    }


def test_values_the_detector_cannot_produce_are_never_copied() -> None:
    """A forged action call (the action server's address is private, but still)."""
    forged = {
        "text": "whatever",
        "intent": {"name": f"my {CANARY}"},
        "entities": [
            {"entity": "infection_sign", "value": f"<b>{CANARY}</b>"},
            {"entity": "temperature", "value": f"38.6 °C {CANARY}"},
            {"entity": "temperature", "value": "99.0 °C"},
            {"entity": "duration", "value": CANARY},  # no number of days: no duration
            {"entity": "duration", "value": "x", "days": 5551234567},
            {"entity": "duration", "value": "x", "days": float("nan")},
        ],
        "safety": {"rule": f"Rule {CANARY}!", "classifier_intent": 42},
    }
    record = escalation_record(forged, "c1", NOW)
    assert CANARY not in json.dumps(record)
    assert record["signs"] == ["unlisted"] and record["temperatures"] == []
    assert record["intent"] == "unlisted" and record["rule"] == "unlisted"
    assert record["classifier_intent"] == "unlisted"
    assert record["duration_days"] == [365.0]  # capped: too coarse to carry a number


def test_sign_ids_are_the_lexicons_categories() -> None:
    assert set(SIGN_NAMES) <= sign_ids()
    assert "fever" in sign_ids() and "breathing" not in sign_ids()  # an emergency, not a sign


def test_the_default_path_is_in_log_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ESCALATION_LOG")
    monkeypatch.delenv("LOG_DIR", raising=False)
    assert record_path() == Path("logs") / "escalations.jsonl"
    monkeypatch.setenv("LOG_DIR", str(tmp_path / "instance-2"))
    assert record_path() == tmp_path / "instance-2" / "escalations.jsonl"
    monkeypatch.setenv("ESCALATION_LOG", str(tmp_path / "chosen.jsonl"))
    assert record_path() == tmp_path / "chosen.jsonl"


def lines(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def record_of(conversation: str, when: Any = NOW) -> Dict[str, Any]:
    return escalation_record(parse(TEXT, safety=SAFETY), conversation, when)


def test_erase_removes_one_conversations_records_only(escalation_log: Path) -> None:
    for conversation in ("a", "b", "a", "c"):
        append_record(record_of(conversation))
    os.chmod(escalation_log, 0o640)
    assert erase_records("a") == 2
    assert [r["conversation"] for r in lines(escalation_log)] == ["b", "c"]
    assert escalation_log.stat().st_mode & 0o777 == 0o640  # the file's mode is kept
    assert erase_records("a") == 0
    assert not [p for p in escalation_log.parent.iterdir() if p.name.startswith(".escal")]


def test_erase_with_no_log_yet_does_nothing(tmp_path: Path) -> None:
    assert erase_records("a", tmp_path / "none" / "escalations.jsonl") == 0
    assert not (tmp_path / "none").exists()


def test_a_rewrite_keeps_unreadable_lines_unless_they_name_the_conversation(
    escalation_log: Path,
) -> None:
    append_record(record_of("b"))
    with open(escalation_log, "ab") as handle:  # lines cut short by crashes
        handle.write(b'{"time": "2026-01-01T00:00:00+00:00", "conversation": "a", "ru\n')
        handle.write(b'{"time": "2026-01-01T00:00:00+00:00", "conver')
    append_record(record_of("c"))  # starts on a line of its own
    assert erase_records("a") == 1
    text = escalation_log.read_text()
    assert '"conversation": "a"' not in text and '"conver\n' in text
    assert [json.loads(line)["conversation"] for line in text.splitlines()[::2]] == ["b", "c"]


def test_a_rewrite_drops_the_text_older_records_held(escalation_log: Path) -> None:
    older = {**record_of("b"), "phrases": [f"white {CANARY} patches"], "durations": ["since x"]}
    append_record(older)
    append_record(record_of("a"))
    assert erase_records("a") == 1
    assert CANARY not in escalation_log.read_text()
    assert lines(escalation_log) == [{k: v for k, v in older.items() if k in record_of("b")}]


def test_retention_removes_records_older_than_the_days(escalation_log: Path) -> None:
    append_record(record_of("old", NOW - timedelta(days=40)))
    append_record(record_of("recent", NOW - timedelta(days=1)))
    append_record({"conversation": "undated"})
    assert expire_records(30, now=NOW) == 1
    assert [r["conversation"] for r in lines(escalation_log)] == ["recent", "undated"]
    with pytest.raises(ValueError):
        expire_records(0, now=NOW)


def test_an_append_waits_for_a_rewrite_in_progress(escalation_log: Path) -> None:
    append_record(record_of("a"))
    with log_lock(escalation_log):  # what a rewrite holds
        writer = threading.Thread(target=append_record, args=(record_of("b"),))
        writer.start()
        time.sleep(0.3)
        assert writer.is_alive() and "b" not in [r["conversation"] for r in lines(escalation_log)]
    writer.join(5)
    assert [r["conversation"] for r in lines(escalation_log)] == ["a", "b"]


WRITER = """
import sys
from pathlib import Path
from actions.escalation_record import append_record
path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    append_record({"conversation": f"{name}-{i}", "time": "2026-03-02T09:30:00+00:00"}, path)
"""


def test_no_append_from_another_process_is_lost_during_erases(escalation_log: Path) -> None:
    """The action server appends while `make erase` rewrites the file, again and again."""
    per_writer = 300
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(escalation_log), name, str(per_writer)], cwd=ROOT
        )
        for name in ("w1", "w2")
    ]
    erased = 0
    while any(w.poll() is None for w in writers):
        append_record({"conversation": "victim", "time": NOW.isoformat()})
        erased += erase_records("victim")
    assert all(w.wait(60) == 0 for w in writers)
    erased += erase_records("victim")
    kept = [r["conversation"] for r in lines(escalation_log)]
    expected = {f"{name}-{i}" for name in ("w1", "w2") for i in range(per_writer)}
    assert sorted(kept) == sorted(expected)  # every record once, none lost
    assert erased > 0


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A tracker database (the default endpoints.yml's SQLite, at $TRACKER_DB)."""
    db = tmp_path / "tracker.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    EVENTS.metadata.create_all(engine, tables=[EVENTS])
    with engine.begin() as connection:
        for sender in ("a", "b"):
            row = {"sender_id": sender, "type_name": "user", "timestamp": time.time()}
            connection.execute(EVENTS.insert(), {**row, "data": "{}"})
    return db


def run_command(database: Path, *args: str, **env: str) -> str:
    """`python -m scripts.conversations ...` as `make erase` / `make retention` run it."""
    environment = {k: v for k, v in os.environ.items() if k not in ("ESCALATION_LOG", "LOG_DIR")}
    environment.update(TRACKER_DB=str(database), SQLALCHEMY_SILENCE_UBER_WARNING="1", **env)
    done = subprocess.run(
        [sys.executable, "-m", "scripts.conversations", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_erase_command_erases_the_escalation_records_in_log_dir(
    database: Path, tmp_path: Path
) -> None:
    log = tmp_path / "logs" / "escalations.jsonl"
    for conversation in ("a", "b", "a"):
        append_record(record_of(conversation), log)
    out = run_command(database, "erase", "a", LOG_DIR=str(tmp_path / "logs"))
    assert "1 events deleted" in out and "2 escalation records deleted" in out
    assert [r["conversation"] for r in lines(log)] == ["b"]


def test_the_retention_command_expires_escalation_records(database: Path, tmp_path: Path) -> None:
    log = tmp_path / "escalations.jsonl"
    now = datetime.now(timezone.utc)
    for conversation, age in (("older", 400), ("old", 40), ("recent", 1)):
        append_record(record_of(conversation, now - timedelta(days=age)), log)
    out = run_command(
        database, "retention", "--days", "30", "--escalation-days", "365", ESCALATION_LOG=str(log)
    )
    assert "Deleted 1 escalation record(s) older than 365 days" in out
    assert [r["conversation"] for r in lines(log)] == ["old", "recent"]
    run_command(database, "retention", "--days", "30", ESCALATION_LOG=str(log))
    assert [r["conversation"] for r in lines(log)] == ["recent"]
