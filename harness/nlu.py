"""Read NLU examples, and run texts through a trained model the way the server does
(with `rasa_patches.install()`, so the gates score the inference path patients get)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, label) pairs from a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        for line in block["examples"].splitlines():
            text = line.strip()
            if text.startswith("- "):
                pairs.append((text[2:].strip(), block["intent"]))
    return pairs


def load_agent(model: Path, generator: Any = None) -> Any:
    """The model loaded as the server loads it: every run-time change installed first
    (and, given one, the server's response generator, e.g. for whole turns)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    import rasa_patches

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)  # Rasa logs every parse at DEBUG otherwise
    rasa_patches.install()
    return Agent.load(str(model), generator=generator)


def parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    """The full NLU parse (classifiers, guard, safety detector) of each text, in order."""
    agent = load_agent(model)

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())
