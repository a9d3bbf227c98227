"""`make shell`, README's terminal chat, driven in a real terminal (a pty) as a new user
would: no channel variables set, no library warnings on screen, and it answers."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness.servers import ROOT, free_port

CHANNEL_VARIABLES = re.compile(r"^(SLACK_|TELEGRAM_|STAFF_API_TOKEN|HANDOFF_WEBHOOK)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][A-Z0-9]|\r")
PROMPT = "Your input ->"


class Terminal:
    """A process on a pseudo-terminal; everything it prints is kept, colours removed."""

    def __init__(self, command: list, env: dict) -> None:
        self.fd, child = pty.openpty()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=child, stdout=child, stderr=child,
            start_new_session=True,
        )  # fmt: skip
        os.close(child)
        self.screen = ""

    def read_until(self, text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while text not in self.screen:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown in {seconds} s:\n{self.screen[-3000:]}")
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:  # the process closed the terminal
                    break
                self.screen += ANSI.sub("", chunk)
        return self.screen

    def type(self, text: str) -> None:
        os.write(self.fd, (text + "\r").encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.fd)


@pytest.fixture
def shell(tmp_path: Path) -> Terminal:
    env = {k: v for k, v in os.environ.items() if not CHANNEL_VARIABLES.match(k)}
    env.update(
        RASA_PORT=str(free_port()),
        ACTIONS_PORT=str(free_port()),
        LOG_DIR=str(tmp_path / "logs"),
        TRACKER_DB=str(tmp_path / "shell.db"),
        ESCALATION_LOG=str(tmp_path / "escalations.jsonl"),
        TERM="xterm",
    )
    env.pop("MAKEFLAGS", None)
    env.pop("PYTHONWARNINGS", None)
    terminal = Terminal(["make", "--no-print-directory", "shell"], env)
    yield terminal
    terminal.close()


def test_make_shell_answers_without_channel_secrets_or_warnings(shell: Terminal) -> None:
    screen = shell.read_until(PROMPT, 240)
    assert "Warning" not in screen and "warn(" not in screen, screen
    assert "SLACK_TOKEN" not in screen
    shell.type("how should I store imuran?")
    screen = shell.read_until("room temperature", 60)
    shell.type("I have a fever of 38.6")
    screen = shell.read_until("call your doctor right away", 60)
    assert "Warning" not in screen and "Traceback" not in screen, screen
    shell.type("/stop")
    shell.proc.wait(timeout=60)
