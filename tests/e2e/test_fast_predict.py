"""The server's speed-ups (rasa_patches/speedups.py, rasa_patches/graph_runner.py) give
exactly Rasa's results on the real model: the direct TensorFlow call, the sequential graph
runner and the sparse features shared by both classifiers. The numpy scorer, which takes
most messages off TensorFlow, has its own tests (test_numpy_inference.py); the tests here
that are about TensorFlow turn it off."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.models import RasaModel

import rasa_patches
from harness.nlu import load_examples
from harness.servers import MODEL
from rasa_patches.graph_runner import SequentialGraphRunner

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
    assert rasa_patches.install()
    patched = RasaModel._rasa_predict
    original = inspect.unwrap(patched)
    numpy_scorer = DIETClassifier._predict

    async def parse_all() -> List[List[Any]]:
        return [summary(await agent.parse_message(text)) for text in texts]

    models: Dict[str, Any] = {}
    try:
        DIETClassifier._predict = inspect.unwrap(numpy_scorer)  # type: ignore[method-assign]
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
        DIETClassifier._predict = numpy_scorer  # type: ignore[method-assign]
    assert len(texts) > 300 and after == before
    assert set(models) == {"DIET", "DIET2BOW"}  # intent classifier and response selector
    for model in models.values():  # the direct call was used, not the fallback
        assert "_imuran_concrete" in model.__dict__
        assert "_imuran_direct_failed" not in model.__dict__


def test_the_graph_runner_and_shared_features_change_no_answer() -> None:
    """Every held-out message: the same understanding and the same next action, with the
    same policy probabilities, as with Rasa's dask runner and its own feature combining."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    texts = [text for text, _ in load_examples(ROOT / "tests" / "heldout" / "nlu_heldout.yml")]
    assert rasa_patches.install()
    agent = Agent.load(str(MODEL))
    processor = agent.processor
    assert processor is not None
    ours = processor.graph_runner
    assert isinstance(ours, SequentialGraphRunner)  # what the server loads
    dask = DaskGraphRunner.__new__(DaskGraphRunner)  # Rasa's runner over the same nodes
    dask._graph_schema = ours._graph_schema
    dask._instantiated_nodes = ours._instantiated_nodes
    dask._execution_context = ours._execution_context
    shared = Message.get_sparse_features
    original = inspect.unwrap(shared)
    assert original is not shared

    async def answers() -> List[List[Any]]:
        out = []
        for i, text in enumerate(texts):
            parsed = await processor.parse_message(UserMessage(text, sender_id=f"t{i}"))
            tracker = DialogueStateTracker.from_events(
                f"t{i}",
                [
                    ActionExecuted("action_listen"),
                    UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed),
                ],
                agent.domain.slots,
            )
            prediction = processor._predict_next_with_tracker(tracker)
            out.append([summary(parsed), prediction.policy_name, prediction.probabilities])
        return out

    try:
        processor.graph_runner = dask
        Message.get_sparse_features = original  # type: ignore[method-assign]
        before = asyncio.run(answers())
    finally:
        processor.graph_runner = ours
        Message.get_sparse_features = shared  # type: ignore[method-assign]
    after = asyncio.run(answers())
    assert len(texts) > 300 and after == before
    assert len({str(answer[0][2]) for answer in after}) > 5  # varied, not one answer


def models_of(agent: Agent) -> Dict[str, Any]:
    assert agent.processor is not None
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[attr-defined]
    found = {}
    for name, node in nodes.items():
        model = getattr(getattr(node, "_component", None), "model", None)
        if isinstance(model, RasaModel):
            found[name.split("_")[1].rstrip("0123456789")] = model
    return found


def test_models_loaded_for_serving_have_rasas_weights_and_answers() -> None:
    """The server builds its models without Rasa's one training step: the same weights
    to the last bit and the same understanding of every held-out message."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    texts = [text for text, _ in load_examples(ROOT / "tests" / "heldout" / "nlu_heldout.yml")]
    assert rasa_patches.install()
    serving = RasaModel.__dict__["load"]
    try:
        RasaModel.load = classmethod(inspect.unwrap(serving.__func__))  # type: ignore
        stock = Agent.load(str(MODEL))
    finally:
        RasaModel.load = serving  # type: ignore[method-assign]
    lean = Agent.load(str(MODEL))
    stock_models, lean_models = models_of(stock), models_of(lean)
    assert set(stock_models) == set(lean_models) == {"DIETClassifier", "ResponseSelector"}
    for name, model in lean_models.items():
        assert model.__dict__.get("_imuran_serving_load") is True  # not the fallback
        assert "_imuran_serving_load" not in stock_models[name].__dict__
        # no optimizer state (Rasa's load leaves two slots per weight behind)
        assert sum(v.numpy().size for v in model.optimizer.variables()) <= 1
        assert sum(v.numpy().size for v in stock_models[name].optimizer.variables()) > 10**6
        ours = {v.name: v.numpy() for v in model.weights}
        rasas = {v.name: v.numpy() for v in stock_models[name].weights}
        assert ours.keys() == rasas.keys() and len(ours) > 10
        for key, value in ours.items():
            assert value.shape == rasas[key].shape and (value == rasas[key]).all(), key

    async def parse_all(agent: Agent) -> List[List[Any]]:
        return [summary(await agent.parse_message(text)) for text in texts]

    numpy_scorer = DIETClassifier._predict
    try:  # through TensorFlow, whose graphs the two loads build differently
        DIETClassifier._predict = inspect.unwrap(numpy_scorer)  # type: ignore[method-assign]
        assert asyncio.run(parse_all(lean)) == asyncio.run(parse_all(stock))
    finally:
        DIETClassifier._predict = numpy_scorer  # type: ignore[method-assign]
