"""DIET's and the ResponseSelector's scores computed in numpy (rasa_patches/numpy_inference.py)
equal TensorFlow's on the real model, message by message, and change no answer."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

import rasa_patches
from harness.nlu import load_examples
from harness.servers import MODEL
from rasa_patches.numpy_inference import SCORER

ROOT = Path(__file__).resolve().parents[2]
# float32 arithmetic in another order than TF's: differences of a few units in the 7th
# digit. A wrong layer, weight or activation moves scores by far more than this.
TOLERANCE = 1e-5
ODD_INPUTS = ["", "   ", "🙂🙂🙂", "/greet", "¿Puedo tomar azatioprina con comida?", "x" * 5000]


def held_out_texts() -> List[str]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    return [text for text, _ in load_examples(ROOT / "tests" / "heldout" / "nlu_heldout.yml")]


def summary(parsed: Dict[str, Any]) -> Tuple[List[Any], List[Any], Any]:
    selector = parsed.get("response_selector", {}).get("leaflet", {})
    return (
        [(i["name"], i["confidence"]) for i in parsed["intent_ranking"]],
        [(r["intent_response_key"], r["confidence"]) for r in selector.get("ranking", [])],
        parsed["intent"]["name"],
    )


def test_numpy_scores_equal_tensorflows_for_every_message() -> None:
    texts = held_out_texts() + ODD_INPUTS
    assert rasa_patches.install()
    ours = DIETClassifier._predict
    rasas = inspect.unwrap(ours)
    assert rasas is not ours
    pairs: Dict[str, List[Tuple[np.ndarray, np.ndarray]]] = {}
    fallbacks: List[str] = []

    def both(self: Any, message: Any) -> Any:
        theirs = rasas(self, message)
        mine = ours(self, message)
        if self.__dict__.get(SCORER) is None:
            pytest.fail(f"{type(self).__name__} was not given a numpy scorer")
        if set(mine or {}) == {"i_scores"}:
            pairs.setdefault(type(self).__name__, []).append((mine["i_scores"], theirs["i_scores"]))
        else:
            fallbacks.append(message.get("text"))
        return theirs

    agent = Agent.load(str(MODEL))
    try:
        DIETClassifier._predict = both  # type: ignore[method-assign]
        for text in texts:
            asyncio.run(agent.parse_message(text))
    finally:
        DIETClassifier._predict = ours  # type: ignore[method-assign]

    assert set(pairs) == {"DIETClassifier", "ResponseSelector"}
    for name, found in pairs.items():
        assert len(found) >= len(texts) - len(ODD_INPUTS), name
        worst = 0.0
        for mine, theirs in found:
            assert mine.shape == theirs.shape and mine.dtype == theirs.dtype, name
            worst = max(worst, float(np.abs(mine - theirs).max()))
            assert mine.argmax() == theirs.argmax() or (
                abs(theirs[0, mine.argmax()] - theirs.max()) <= TOLERANCE
            ), name
        assert worst <= TOLERANCE, f"{name}: scores differ by up to {worst}"
    # messages without any word go Rasa's own way (and still get an answer)
    assert set(fallbacks) <= {"", "   ", "🙂🙂🙂"}


def test_numpy_scoring_changes_no_understanding() -> None:
    texts = held_out_texts() + ODD_INPUTS
    assert rasa_patches.install()
    ours = DIETClassifier._predict
    agent = Agent.load(str(MODEL))

    async def parse_all() -> List[Tuple[List[Any], List[Any], Any]]:
        return [summary(await agent.parse_message(text)) for text in texts]

    try:
        DIETClassifier._predict = inspect.unwrap(ours)  # type: ignore[method-assign]
        before = asyncio.run(parse_all())
    finally:
        DIETClassifier._predict = ours  # type: ignore[method-assign]
    after = asyncio.run(parse_all())
    assert len(after) == len(before) > 300
    for text, (i_after, r_after, top_after), (i_before, r_before, top_before) in zip(
        texts, after, before
    ):
        assert top_after == top_before, text  # the same final intent, thresholds included
        for ranked_after, ranked_before in ((i_after, i_before), (r_after, r_before)):
            assert len(ranked_after) == len(ranked_before), text
            for (name_a, conf_a), (name_b, conf_b) in zip(ranked_after, ranked_before):
                assert abs(conf_a - conf_b) <= TOLERANCE, text
                if name_a != name_b:  # only a near-tie may swap places
                    assert abs(dict(ranked_before)[name_a] - conf_b) <= TOLERANCE, text
    assert len({top for _, _, top in after}) > 5  # varied, not one answer
