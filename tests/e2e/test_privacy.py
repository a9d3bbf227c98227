"""Privacy: no message text in the logs at the default level; export and erase one
conversation; delete conversations older than N days. All against the real servers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List

import requests

from harness.servers import ROOT, Servers

DAY = 86_400


def conversations(servers: Servers, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.conversations", *args],
        cwd=ROOT, env=servers.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def every_log(servers: Servers) -> List[Path]:
    logs = [
        p for p in servers.workdir.rglob("*") if p.is_file() and not p.name.startswith("tracker.db")
    ]
    assert any(p.name == "rasa.log" for p in logs) and any(p.name == "actions.log" for p in logs)
    return logs


def test_message_text_never_reaches_the_logs(servers: Servers) -> None:
    canary = f"zebracanary{uuid.uuid4().hex[:10]}"
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    for text in (f"how do I store imuran {canary}?",
                 f"I have a fever of 39 and {canary} chills",
                 f"white {canary} patches in my mouth",  # inside a matched phrase
                 f"can I talk to a nurse {canary}", f"/greet {canary}", canary):  # fmt: skip
        assert servers.send(sender, text)
    widget = requests.post(
        f"{servers.url}/webhooks/widget/webhook",
        json={"sender": uuid.uuid4().hex, "message": f"fever {canary}"},
        timeout=60,
    )
    assert widget.ok
    # The canary is stored (that is the tracker store's job)...
    assert canary in json.dumps(servers.tracker(sender)["events"])
    # ...but no log, and no escalation record, holds it.
    for log in every_log(servers):
        assert canary not in log.read_text(errors="replace"), f"message text leaked into {log}"


def test_export_then_erase_one_conversation(servers: Servers) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "how do I store imuran?")
    exported = conversations(servers, "export", sender)
    assert exported.returncode == 0, exported.stderr
    events = json.loads(exported.stdout)["events"]
    assert "how do I store imuran?" in [e.get("text") for e in events]
    other = f"privacy-{uuid.uuid4().hex[:8]}"
    servers.send(other, "hello")
    erased = conversations(servers, "erase", sender)
    assert erased.returncode == 0 and "events deleted" in erased.stdout
    assert conversations(servers, "export", sender).returncode == 1
    assert not [e for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert conversations(servers, "export", other).returncode == 0  # others untouched


def test_retention_deletes_only_old_conversations(servers: Servers) -> None:
    old, recent = (f"privacy-{uuid.uuid4().hex[:8]}" for _ in range(2))
    servers.send(old, "hello")
    servers.send(recent, "hello")
    with sqlite3.connect(servers.workdir / "tracker.db") as db:  # 40 days pass for `old`
        db.execute("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?",
                   (40 * DAY, old))  # fmt: skip
    result = conversations(servers, "retention", "--days", "30")
    assert result.returncode == 0, result.stderr
    assert conversations(servers, "export", old).returncode == 1
    assert conversations(servers, "export", recent).returncode == 0
