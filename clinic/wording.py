"""The wording of the safety lines, in one place for every channel, action and response.

Responses in domain.yml and data/responses/ write `{safety_line}`, `{emergency_number}`,
`{crisis_line}` and `{poison_control}`; the server's response generator
(components/leaflet_nlg.py) fills them from here and from the clinic settings
(content/clinic.yml), so a clinic outside the US changes its numbers in one file.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping

from clinic.hours import ClinicSettings

SAFETY_LINE = (
    "If you have signs of infection, like a fever over 38 °C (100 °F), call your doctor "
    "right away."
)
FAILURE_REPLY = f"Sorry, something went wrong on my side. Please try again. {SAFETY_LINE}"
DONT_WAIT_FOR_NURSE = f"{SAFETY_LINE} Don't wait for the nurse."

PLACEHOLDER = re.compile(r"\{(safety_line|emergency_number|crisis_line|poison_control)\}")


def placeholders(settings: ClinicSettings) -> Dict[str, str]:
    """The values responses may refer to, for Rasa's response templating."""
    return {
        "safety_line": SAFETY_LINE,
        "emergency_number": settings.emergency_number,
        "crisis_line": settings.crisis_line,
        "poison_control": settings.poison_control,
    }


def fill(text: str, settings: ClinicSettings) -> str:
    """A response text with its safety placeholders filled (for text sent outside Rasa's
    response generator, e.g. the warning repeated while a nurse has the conversation)."""
    return fill_values(text, placeholders(settings))


def fill_values(text: str, values: Mapping[str, Any]) -> str:
    """The safety placeholders filled from `values` (a response generator's, which may
    carry the clinic's numbers already); one not in `values` is left as written."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)
