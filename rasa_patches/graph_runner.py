"""Runs Rasa's prediction graph in a fixed order instead of through dask.

Rasa 3.6 runs its model graph with `DaskGraphRunner` on every message, twice or more:
once to understand the message and once per predicted action. For each run it rebuilds
the minimal schema for the requested targets (a recursive walk and a new GraphSchema),
builds a dask task graph from it and hands that to dask's synchronous scheduler, which
orders, tracks and executes the tasks one by one in this same thread. Our graph has no
parallel work (dask's `get` is the synchronous one), so all of that only decides an order
that never changes for the same targets. py-spy showed that bookkeeping as a share of the
server's samples under load worth taking out (the figure: docs/benchmarks.md).

`SequentialGraphRunner` implements Rasa's own `GraphRunner` interface: it works out the
order once per set of targets (a topological order of the same minimal schema), then
calls the same `GraphNode` objects with the same arguments dask would pass (each
dependency's `(node name, output)` pair, an input as `(input name, value)`, and the bare
name of anything that has no value, which `GraphNode` reports as Rasa does). Results,
errors and hooks are Rasa's: a node's exception propagates as it does with dask's
synchronous scheduler, and a `RuntimeError` becomes `GraphRunError` as in
`DaskGraphRunner.run`. Training still uses dask (`rasa.model_training` is not touched).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphNode, GraphNodeHook, GraphSchema
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.storage import ModelStorage


class SequentialGraphRunner(GraphRunner):
    """`GraphRunner` that calls the graph's nodes in a cached topological order."""

    def __init__(
        self,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> None:
        self._graph_schema = graph_schema
        self._execution_context = execution_context
        self._instantiated_nodes: Dict[str, GraphNode] = {
            name: GraphNode.from_schema_node(name, node, model_storage, execution_context, hooks)
            for name, node in graph_schema.nodes.items()
        }
        self._plans: Dict[Tuple[str, ...], List[Tuple[str, Tuple[str, ...]]]] = {}

    @classmethod
    def create(
        cls,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> "SequentialGraphRunner":
        return cls(graph_schema, model_storage, execution_context, hooks)

    def _plan(self, targets: Tuple[str, ...]) -> List[Tuple[str, Tuple[str, ...]]]:
        """The nodes `targets` need, each after its dependencies, with their needs."""
        cached = self._plans.get(targets)
        if cached is not None:
            return cached
        # (Rasa validates a graph as acyclic when it is built; minimal_graph_schema relies
        # on that too.)
        nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
        plan: List[Tuple[str, Tuple[str, ...]]] = []
        done: set = set()

        def visit(name: str) -> None:
            if name in done or name not in nodes:
                return  # an input placeholder, or already placed
            needs = tuple(nodes[name].needs.values())
            for dependency in needs:
                visit(dependency)
            done.add(name)
            plan.append((name, needs))

        for name in nodes:  # the schema's own order breaks ties, as a stable rule
            visit(name)
        self._plans[targets] = plan
        return plan

    def run(
        self,
        inputs: Optional[Dict[str, Any]] = None,
        targets: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        """Runs the graph (see `GraphRunner.run`); the same results as Rasa's runner."""
        run_targets = targets if targets else self._graph_schema.target_names
        plan = self._plan(tuple(run_targets))
        values: Dict[str, Any] = {}
        for input_name, input_value in (inputs or {}).items():
            if isinstance(input_value, str) and input_value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            values[input_name] = (input_name, input_value)
        try:
            for name, needs in plan:
                if name in values:
                    continue  # an input named like a node replaces it, as in dask's graph
                node = self._instantiated_nodes[name]
                values[name] = node(*(values.get(need, need) for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)
