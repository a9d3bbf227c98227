"""Durable record of every infection escalation, for clinical review.

One JSON object per line, appended and fsync'ed before the action replies, so a record is
on disk even if the server dies a moment later. The record holds what triggered the
escalation (the matched phrases, signs, temperatures, durations, the rule), not the whole
message: patient text stays in the tracker store only.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

DEFAULT_PATH = Path("logs") / "escalations.jsonl"


def record_path() -> Path:
    return Path(os.environ.get("ESCALATION_LOG", DEFAULT_PATH))


def escalation_record(
    latest_message: Dict[str, Any], sender_id: str, now: datetime
) -> Dict[str, Any]:
    """What to keep about one escalation, from the parse data of the triggering message."""
    entities: List[Dict[str, Any]] = latest_message.get("entities") or []
    safety: Dict[str, Any] = latest_message.get("safety") or {}
    text: str = latest_message.get("text") or ""

    def values(kind: str) -> List[str]:
        return [str(e.get("value")) for e in entities if e.get("entity") == kind]

    phrases = safety.get("phrases") or [
        text[e["start"] : e["end"]]
        for e in entities
        if e.get("entity") == "infection_sign" and "start" in e and "end" in e
    ]
    return {
        "time": now.isoformat(),
        "conversation": sender_id,
        "rule": safety.get("rule") or "classifier",
        "intent": (latest_message.get("intent") or {}).get("name"),
        "classifier_intent": safety.get("classifier_intent"),
        "signs": values("infection_sign"),
        "temperatures": values("temperature"),
        "durations": values("duration"),
        "phrases": phrases,
    }


def append_record(record: Dict[str, Any], path: Optional[Path] = None) -> Path:
    """Appends one line and forces it to disk."""
    path = path or record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return path
