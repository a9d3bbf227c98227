"""Two per-message costs in Rasa 3.6.21 that only need to be paid once.

Measured with py-spy on the running server (docs/benchmarks.md):
- every custom action's reply is checked with `jsonschema.validate`, which first
  re-validates the (constant) schema itself against its meta-schema: 9% of the server's
  CPU under a realistic mix, about 20 ms per custom-action turn. Here the validator is
  built once and reused; the check itself, and its error, are unchanged.
- every stored event read back from the tracker store finds its class by walking all
  subclasses of Event: 4-6% of the CPU, growing with the conversation. Here the lookup
  is remembered per type name; an unknown name still goes the original way (and errors
  the same).
`apply()` is called when the patient REST channel starts (it is always configured), is
idempotent, and refuses to patch any Rasa version but the one it was measured on.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Optional, Type

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

logger = logging.getLogger(__name__)
PATCHED_VERSION = "3.6.21"
_applied = False


def _cached_action_result_validator() -> Callable[[Any, Dict[str, Any]], bool]:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every action
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # the same message Rasa gives
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                "the format visit https://rasa.com/docs/rasa/custom-actions"
            )
            raise e

    return validate_action_result


def _cached_resolve_by_type() -> Callable[..., Optional[Type[Event]]]:
    original = Event.resolve_by_type
    known: Dict[str, Type[Event]] = {}

    def resolve_by_type(
        type_name: str, default: Optional[Type[Event]] = None
    ) -> Optional[Type[Event]]:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    return resolve_by_type


def apply() -> bool:
    """Installs both speed-ups once; False (and a warning) on another Rasa version."""
    global _applied
    if _applied:
        return True
    if rasa.__version__ != PATCHED_VERSION:
        logger.warning(
            "Rasa %s is not %s: per-message speed-ups not applied (see %s)",
            rasa.__version__,
            PATCHED_VERSION,
            __name__,
        )
        return False
    RemoteAction._validate_action_result = _cached_action_result_validator()
    Event.resolve_by_type = staticmethod(_cached_resolve_by_type())
    _applied = True
    return True
