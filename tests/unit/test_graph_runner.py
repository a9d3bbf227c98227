"""SequentialGraphRunner gives what Rasa's DaskGraphRunner gives, on the same graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from rasa_patches.graph_runner import SequentialGraphRunner

CALLS: List[str] = []


class Step(GraphComponent):
    """Adds its config's `add` to the sum of its inputs, and records that it ran."""

    def __init__(self, config: Dict[str, Any], name: Optional[str]) -> None:
        self.add = config.get("add", 0)
        self.name = name

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "Step":
        return cls(config, execution_context.node_name)

    def run(self, **inputs: Any) -> int:
        CALLS.append(str(self.name))
        if self.add == "fail":
            raise ValueError("this step fails")
        return int(sum(inputs.values())) + int(self.add)


def node(needs: Dict[str, str], add: Any = 0, target: bool = False) -> SchemaNode:
    return SchemaNode(
        needs=needs, uses=Step, constructor_name="create", fn="run", config={"add": add},
        eager=True, is_target=target,
    )  # fmt: skip


# a diamond: x -> (double, plus_ten) -> total, and an unrelated branch from y
SCHEMA = GraphSchema(
    {
        "double": node({"a": "__x__", "b": "__x__"}),
        "plus_ten": node({"a": "__x__"}, add=10),
        "total": node({"a": "double", "b": "plus_ten"}, target=True),
        "other": node({"a": "__y__"}, add=1, target=True),
        "broken": node({"a": "__x__"}, add="fail"),
    }
)


def runners(tmp_path: Path) -> List[GraphRunner]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=SCHEMA, model_id="test")
    return [
        cls.create(SCHEMA, storage, context, []) for cls in (DaskGraphRunner, SequentialGraphRunner)
    ]


def test_same_results_for_every_target_choice(tmp_path: Path) -> None:
    dask, ours = runners(tmp_path)
    cases = [
        ({"__x__": 3}, ["total"]),
        ({"__x__": 3, "__y__": 5}, None),  # the schema's targets
        ({"__x__": 3}, ["double", "plus_ten"]),
        ({"__x__": 3}, ["__x__", "total"]),  # an input asked for as a target
        ({"__x__": 3, "plus_ten": 100}, ["total"]),  # an input named like a node wins
    ]
    for inputs, targets in cases:
        expected = dask.run(inputs=inputs, targets=targets)
        assert ours.run(inputs=inputs, targets=targets) == expected
        assert ours.run(inputs=inputs, targets=targets) == expected  # the cached plan
    assert ours.run(inputs={"__x__": 3}, targets=["total"]) == {"total": 3 + 3 + 3 + 10}


def test_only_the_needed_nodes_run_each_after_its_inputs(tmp_path: Path) -> None:
    _, ours = runners(tmp_path)
    CALLS.clear()
    ours.run(inputs={"__x__": 1}, targets=["total"])
    assert sorted(CALLS) == ["double", "plus_ten", "total"] and CALLS[-1] == "total"


def test_errors_are_rasas(tmp_path: Path) -> None:
    for runner in runners(tmp_path):
        with pytest.raises(GraphComponentException):  # a failing component, as with dask
            runner.run(inputs={"__x__": 1}, targets=["broken"])
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"__x__": "total"}, targets=["total"])
        # A missing input: the node gets the bare name, which GraphNode refuses.
        with pytest.raises(GraphRunError, match="Missing input"):
            runner.run(inputs={}, targets=["total"])
