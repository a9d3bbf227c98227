"""What kind of message a bot reply is, so a channel can make the urgent ones stand out.

The kind comes from what produced the message: a plain response names itself in
`utter_action` (Rasa puts it in the message metadata), a custom action may set `kind`
itself, and the citation paragraph of a leaflet answer starts with "Source:". Deciding
it here, on the server, keeps every channel (and the widget's history) consistent.
"""

from __future__ import annotations

from typing import Any, Mapping

KINDS = ("answer", "citation", "urgent", "emergency", "notice", "nurse")
KIND_OF_RESPONSE = {
    "utter_infection_warning": "urgent",
    "utter_emergency": "emergency",
}
CITATION_PREFIX = "Source:"


def message_kind(text: str, metadata: Mapping[str, Any]) -> str:
    """'urgent', 'emergency', 'citation', 'notice', 'nurse' or 'answer'."""
    declared = metadata.get("kind")
    if isinstance(declared, str) and declared in KINDS:
        return declared
    by_response = KIND_OF_RESPONSE.get(str(metadata.get("utter_action") or ""))
    if by_response:
        return by_response
    if text.lstrip().startswith(CITATION_PREFIX):
        return "citation"
    return "answer"
