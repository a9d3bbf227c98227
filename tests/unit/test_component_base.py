"""BuiltComponent: Rasa's create/load written once; what a component stored comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from components.base import BuiltComponent


class Remembers(BuiltComponent):
    def __init__(self, stored_text: Optional[str]) -> None:
        self.stored_text = stored_text

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "Remembers":
        return cls((stored / "x.txt").read_text() if stored else None)


class StoresNothing(Remembers):
    stores_nothing = True


CONTEXT = ExecutionContext(GraphSchema({}))


def test_created_before_training_with_nothing_stored(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    made = Remembers.create({}, storage, Resource("r"), CONTEXT)
    assert made.stored_text is None


def test_loaded_from_what_training_stored(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("r")
    with storage.write_to(resource) as folder:
        (folder / "x.txt").write_text("kept")
    assert Remembers.load({}, storage, resource, CONTEXT).stored_text == "kept"


def test_a_component_that_stores_nothing_loads_without_a_folder(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    assert StoresNothing.load({}, storage, Resource("none"), CONTEXT).stored_text is None
