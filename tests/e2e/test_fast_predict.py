"""The direct TensorFlow call (channels/rasa_speedups.py) gives exactly Rasa's results."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from channels import rasa_speedups
from scripts.nlu_parse import load_examples
from tests.e2e.servers import MODEL

ROOT = Path(__file__).resolve().parents[2]


def summary(parsed: Dict[str, Any]) -> List[Any]:
    selector = parsed.get("response_selector", {}).get("leaflet", {})
    return [
        [(i["name"], i["confidence"]) for i in parsed["intent_ranking"]],
        [(r["intent_response_key"], r["confidence"]) for r in selector.get("ranking", [])],
        parsed["intent"]["name"],
    ]


def test_every_held_out_message_is_understood_exactly_as_before() -> None:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    texts = [text for text, _ in load_examples(ROOT / "tests" / "heldout" / "nlu_heldout.yml")]
    agent = Agent.load(str(MODEL))
    # Applied once per process (other tests may have done it): compare with what it wraps.
    assert rasa_speedups.apply() is True
    patched = RasaModel._rasa_predict
    original = inspect.unwrap(patched)

    async def parse_all() -> List[List[Any]]:
        return [summary(await agent.parse_message(text)) for text in texts]

    models: Dict[str, Any] = {}
    try:
        RasaModel._rasa_predict = original  # type: ignore[method-assign]
        before = asyncio.run(parse_all())
        assert patched is not original

        def counting(self: Any, batch_in: Any) -> Any:
            models[type(self).__name__] = self
            return patched(self, batch_in)

        RasaModel._rasa_predict = counting  # type: ignore[method-assign]
        after = asyncio.run(parse_all())
    finally:
        RasaModel._rasa_predict = patched  # type: ignore[method-assign]
    assert len(texts) > 300 and after == before
    assert set(models) == {"DIET", "DIET2BOW"}  # intent classifier and response selector
    for model in models.values():  # the direct call was used, not the fallback
        assert "_imuran_concrete" in model.__dict__
        assert "_imuran_direct_failed" not in model.__dict__
