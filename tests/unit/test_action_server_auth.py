"""The action server's shared secret (actions/server.py): what it accepts, how it compares,
when it refuses to start, and that nothing starts the action server without it.
The server itself, over HTTP: tests/e2e/test_action_server_auth.py."""

from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import List

import pytest

import actions.server as server
from actions.server import MIN_TOKEN_CHARS, TOKEN_VARIABLE, TokenError, authorised, load_token

ROOT = Path(__file__).resolve().parents[2]
GOOD = "k" * MIN_TOKEN_CHARS


def test_a_long_enough_secret_is_used_as_is() -> None:
    assert load_token({TOKEN_VARIABLE: GOOD}) == GOOD


@pytest.mark.parametrize(
    "environ, fragment",
    [
        ({}, "is not set"),
        ({TOKEN_VARIABLE: ""}, "is empty"),
        ({TOKEN_VARIABLE: "changeme"}, f"8 characters; it must be at least {MIN_TOKEN_CHARS}"),
        ({TOKEN_VARIABLE: "k" * (MIN_TOKEN_CHARS - 1)}, "at least"),
        ({TOKEN_VARIABLE: GOOD + "\n"}, "whitespace"),
    ],
)
def test_a_missing_empty_or_short_secret_is_refused_saying_what_to_do(
    environ: dict, fragment: str
) -> None:
    with pytest.raises(TokenError) as refused:
        load_token(environ)
    message = str(refused.value)
    assert fragment in message and TOKEN_VARIABLE in message
    assert "secrets.token_urlsafe" in message  # how to make one


@pytest.mark.parametrize(
    "header, ok",
    [
        (f"Bearer {GOOD}", True),
        (None, False),
        ("", False),
        (GOOD, False),  # the scheme is part of it
        (f"Bearer {GOOD[:-1]}", False),
        (f"Bearer {GOOD}x", False),
        (f"bearer {GOOD}", False),
        ("Bearer ", False),
        (f"Bearer {GOOD}é", False),  # non-ASCII must not raise (compared as bytes)
    ],
)
def test_only_the_exact_bearer_secret_is_authorised(header: str, ok: bool) -> None:
    assert authorised(header, GOOD) is ok


def test_the_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[tuple] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(server.hmac, "compare_digest", spy)
    assert authorised(f"Bearer {GOOD}", GOOD) and not authorised("Bearer nope", GOOD)
    assert len(calls) == 2


@pytest.mark.parametrize("value", [None, "", "too-short"])
def test_the_server_refuses_to_start_without_a_good_secret(
    value: str, capsys: pytest.CaptureFixture
) -> None:
    environ = {} if value is None else {TOKEN_VARIABLE: value}
    assert server.main(["--port", "1"], environ=environ) == 2  # before listening
    assert f"ERROR: {TOKEN_VARIABLE}" in capsys.readouterr().err


# `python -m rasa_sdk`, `"-m", "rasa_sdk"`, `rasa_sdk --actions` and `run-actions` all start
# rasa-sdk's own server, which takes calls from anyone.
UNGUARDED_START = re.compile(
    r"""-m['",\s]+rasa_sdk\b|rasa_sdk['",\s]+--actions|\brasa\s+run\s+actions\b"""
)


def test_every_place_starts_the_action_server_through_the_guarded_entry_point() -> None:
    places = [ROOT / "Makefile", *(ROOT / "scripts").rglob("*"), *(ROOT / "harness").rglob("*"),
              *(ROOT / "deploy").rglob("*"), *(ROOT / "tests" / "e2e").rglob("*.py")]  # fmt: skip
    found = []
    for path in places:
        if path.is_file() and path.suffix in {"", ".py", ".sh", ".yml", ".yaml", ".in"}:
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if UNGUARDED_START.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
    assert "-m actions" in (ROOT / "scripts" / "run.sh").read_text()
    assert '"-m", "actions"' in (ROOT / "harness" / "servers.py").read_text()


def test_the_check_finds_an_unguarded_start() -> None:
    assert UNGUARDED_START.search('.venv/bin/python -m rasa_sdk --actions actions --port "$P"')
    assert UNGUARDED_START.search('[str(BIN / "python"), "-m", "rasa_sdk", "--port", "1"]')
    assert UNGUARDED_START.search("rasa run actions --port 5055")
    assert not UNGUARDED_START.search(".venv/bin/python -m actions --port 5055")
