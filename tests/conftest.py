"""Shared by every test directory."""

from __future__ import annotations

from typing import Iterator

import pytest

from components.safety import detection

# Tests of what the safety detector concludes must not depend on how busy the machine is:
# a verdict read past the real time budget would turn into "unread" (escalate), which is
# a speed question for `make bench-detector`. Tests of the budget pass `budget_s` itself.
GENEROUS_BUDGET_S = 60.0


@pytest.fixture(autouse=True)
def _detector_budget_lifted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(detection, "BUDGET_S", GENEROUS_BUDGET_S)
    yield
