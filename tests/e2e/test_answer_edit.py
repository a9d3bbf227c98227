"""An edited answer reaches patients with the next reply: no retraining, no restart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List

import pytest

from harness.servers import Servers


@pytest.fixture()
def answers(servers: Servers) -> Iterator[Path]:
    path = Path(servers.extra_env["LEAFLET_ANSWERS_FILE"])
    original = path.read_text(encoding="utf-8")
    yield path
    path.write_text(original, encoding="utf-8")
    bump(path)


def bump(path: Path) -> None:
    """A later modification time, even on a file system with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def texts(servers: Servers, sender: str, message: str) -> List[str]:
    return [str(reply.get("text", "")) for reply in servers.send(sender, message)]


def test_an_edited_answer_is_in_the_next_reply(servers: Servers, answers: Path) -> None:
    before = texts(servers, "e2e-edit-1", "how should I store imuran?")
    assert any("Keep Imuran at room temperature." in t for t in before), before
    text = answers.read_text(encoding="utf-8")
    answers.write_text(
        text.replace("Keep Imuran at room temperature.", "Store Imuran at room temperature."),
        encoding="utf-8",
    )
    bump(answers)
    after = texts(servers, "e2e-edit-2", "how should I store imuran?")
    assert any("Store Imuran at room temperature." in t for t in after), after
    assert any(t.startswith("Source:") for t in after), after


def test_a_broken_edit_leaves_patients_the_previous_answer(servers: Servers, answers: Path) -> None:
    before = texts(servers, "e2e-edit-3", "how should I store imuran?")
    assert any("Keep Imuran at room temperature." in t for t in before), before
    answers.write_text("responses: [this is not finished", encoding="utf-8")
    bump(answers)
    reply = texts(servers, "e2e-edit-4", "how should I store imuran?")
    assert any("Keep Imuran at room temperature." in t for t in reply), reply
    log = (servers.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Leaflet answers NOT updated" in log
