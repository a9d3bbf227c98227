"""Shared by the evaluation scripts: read NLU examples, run texts through a trained model."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The model refers to the project's custom components (components.*) by module path.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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


def parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    """The full NLU parse (classifiers, guard, safety detector) of each text, in order."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)  # Rasa logs every parse at DEBUG otherwise
    agent = Agent.load(str(model))

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())
