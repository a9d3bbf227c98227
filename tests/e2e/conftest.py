"""One set of real servers for the whole e2e session (the model loads once)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.servers import MODEL, Servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    running = Servers(workdir=tmp_path_factory.mktemp("servers"))
    running.start_actions()
    running.start_rasa()
    yield running
    running.stop()
