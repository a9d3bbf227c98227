"""Rasa's create/load plumbing for this project's graph components, written once.

A component says how it is built from its config and, when it was trained, from the
folder it stored in the model (`build`); Rasa's two entry points call it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="BuiltComponent")
PACKAGE = Path(__file__).resolve().parent


class BuiltComponent(GraphComponent):
    """A graph component built by `build(config, storage, resource, stored folder)`."""

    # A component that is not trained has no folder in the model (Rasa loads it anyway).
    stores_nothing = False

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Rasa's training cache (kept outside the clone, Makefile) reuses a trained node
        when its config and inputs are unchanged; what this project's components store
        also depends on their code, so any change to the package trains them again."""
        return _package_digest()

    @classmethod
    def build(
        cls: type[C],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> C:
        """`stored` is the component's folder in a trained model, None before training."""
        raise NotImplementedError

    @classmethod
    def create(
        cls: type[C],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls.build(config, model_storage, resource, None)

    @classmethod
    def load(
        cls: type[C],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        if cls.stores_nothing:
            return cls.build(config, model_storage, resource, None)
        with model_storage.read_from(resource) as directory:
            return cls.build(config, model_storage, resource, directory)


@lru_cache(maxsize=1)
def _package_digest() -> str:
    """The `components` package's source, hashed once per process (Rasa asks per node)."""
    digest = hashlib.sha256()
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()
