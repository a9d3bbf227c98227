"""Leaflet answers read at run time, outside the trained model.

Why: Rasa puts retrieval-intent responses into the NLU training data, so editing one answer
text changed the fingerprint of every NLU component and retrained them all (the time it
took: docs/benchmarks.md). The model only needs the section ids (`leaflet/<id>` in data/nlu); the
texts live in `content/leaflet_answers.yml` and this generator serves them, the way Rasa's
own NLG endpoint separates wording from dialogue learning, but in-process, so there is no
extra service to fail. It also fills the safety placeholders every response may use
(`{safety_line}`, `{emergency_number}`: clinic/wording.py).

Configured in endpoints.yml:

    nlg:
      type: components.leaflet_nlg.LeafletAnswerGenerator

An edited file is picked up by the next answer (checked by modification time). A file that
no longer parses, or lacks a text, is refused: the previous answers stay and the problem is
logged at ERROR, so a typo in the content never takes answers away from patients.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from clinic.content import CONTENT_DIR
from clinic.hours import default_settings
from clinic.wording import fill_values, placeholders
from components.follow_up import (
    DECLINED,
    DECLINED_REPLY,
    FollowUpRules,
    did_you_mean,
    with_offer,
)
from components.intent_override import OTHER_DRUGS_KEY, SIGNS_DENIED
from components.language import LANGUAGE_KEY

logger = logging.getLogger(__name__)
SIGNS_DENIED_REPLY = "Good to hear. {} Is there anything else about Imuran I can help with?"

DEFAULT_ANSWERS = CONTENT_DIR / "leaflet_answers.yml"
LANGUAGES = CONTENT_DIR / "languages.yml"
PREFIX = "utter_leaflet/"
CLARIFY = "utter_clarify"  # offered as "Did you mean ...?" when the model has candidates
WELCOME = "utter_you_are_welcome"

Responses = Dict[str, List[Dict[str, Any]]]


class AnswerFileError(ValueError):
    """The answers file cannot be used as it is."""


def load_answers(path: Path) -> Responses:
    """`utter_leaflet/<id>` -> response variations, checked for a text in each."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise AnswerFileError(f"{path}: {error}") from error
    responses = data.get("responses") if isinstance(data, dict) else None
    if not isinstance(responses, dict) or not responses:
        raise AnswerFileError(f"{path}: no 'responses:' mapping")
    for name, variations in responses.items():
        if not str(name).startswith(PREFIX):
            raise AnswerFileError(f"{path}: {name!r} is not an {PREFIX}<section> response")
        if not isinstance(variations, list) or not variations:
            raise AnswerFileError(f"{path}: {name} has no variations")
        for variation in variations:
            if not isinstance(variation, dict) or not str(variation.get("text") or "").strip():
                raise AnswerFileError(f"{path}: {name} has a variation without text")
    return responses


def named_drugs(parse_data: Dict[str, Any]) -> str:
    """'ibuprofen', 'ibuprofen and Calpol': the other medicines as the user wrote them
    (the answer guard lists them on the message)."""
    names: List[str] = []
    for name in parse_data.get(OTHER_DRUGS_KEY) or []:
        if str(name).lower() not in (n.lower() for n in names):
            names.append(str(name))
    if not names:
        return "that medicine"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class LanguageReplies:
    """content/languages.yml: the reply to a message in a language the assistant does not
    read, and a line in that language where the file has one."""

    reply: str
    button: Dict[str, str]
    lines: Dict[str, str]

    @classmethod
    def load(cls, path: Path = LANGUAGES) -> "LanguageReplies":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        button = data["nurse_button"]
        return cls(
            reply=" ".join(str(data["reply"]).split()),
            button={"title": str(button["title"]), "payload": str(button["payload"])},
            lines={str(k): str(v) for k, v in (data.get("lines") or {}).items()},
        )

    def line(self, code: str, values: Dict[str, Any]) -> str:
        """The writer's-language line with its placeholders filled, or ""."""
        return fill_values(self.lines.get(code, ""), values)

    def answer(self, code: str, values: Dict[str, Any]) -> Dict[str, Any]:
        """The reply that says the assistant reads English, with the way to a nurse."""
        text = " ".join(t for t in (fill_values(self.reply, values), self.line(code, values)) if t)
        return {"text": text, "buttons": [dict(self.button)]}

    def add_line(
        self, code: str, values: Dict[str, Any], message: Dict[str, Any]
    ) -> Dict[str, Any]:
        """Another reply (an escalation) with the writer's-language line after it."""
        line = self.line(code, values)
        if not line:
            return message
        return {**message, "text": f"{message.get('text') or ''}\n\n{line}".strip()}


class LeafletAnswerGenerator(TemplatedNaturalLanguageGenerator):
    """The domain's responses, with the leaflet answers from the content file over them.

    The domain's own `utter_leaflet/<id>` responses (data/responses/leaflet_sections.yml)
    are a safe "ask your pharmacist or doctor" text that stays constant, so the model's
    fingerprint never depends on the wording; a section missing from the content file
    falls back to it, logged at ERROR.
    """

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        kwargs = endpoint_config.kwargs if endpoint_config is not None else {}
        configured = kwargs.get("answers_file") or os.environ.get("LEAFLET_ANSWERS_FILE")
        self.path = Path(configured) if configured else DEFAULT_ANSWERS
        self._lock = threading.Lock()
        self._domain_responses: Responses = {}
        # At start the file must be good: better no server than one without answers.
        self._answers: Responses = load_answers(self.path)
        self._merged: Responses = {}
        self._stamp = self._file_stamp()
        self.follow_ups = FollowUpRules.load()
        self.languages = LanguageReplies.load()
        super().__init__(dict(domain.responses) if domain else {})
        logger.info("Leaflet answers: %d sections from %s", self.section_count, self.path)

    # Rasa's Agent assigns `nlg.responses = domain.responses` once the model is loaded (the
    # generator is made before the model's domain is known). Assigning sets the domain's
    # part; the content file's answers always stay on top.
    @property
    def responses(self) -> Responses:
        return self._merged

    @responses.setter
    def responses(self, domain_responses: Optional[Responses]) -> None:
        self._domain_responses = dict(domain_responses or {})
        self._remerge()

    @property
    def section_count(self) -> int:
        return len(self._answers)

    def _remerge(self) -> None:
        missing = sorted(
            name
            for name in self._domain_responses
            if name.startswith(PREFIX) and name not in self._answers
        )
        if missing:
            logger.error("No answer text in %s for: %s", self.path, ", ".join(missing))
        self._merged = {**self._domain_responses, **self._answers}

    def _file_stamp(self) -> Optional[Tuple[int, int]]:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def reload_if_changed(self) -> None:
        """Take up an edited answers file; keep the current answers if it is unusable."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                answers = load_answers(self.path)
            except AnswerFileError as error:
                logger.error("Leaflet answers NOT updated, the previous ones stay: %s", error)
                return
            self._answers = answers
            self._remerge()
            logger.info("Leaflet answers reloaded: %d sections", self.section_count)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        if utter_action.startswith(PREFIX):
            self.reload_if_changed()
            if utter_action not in self._answers:
                logger.error("No answer text for %s in %s", utter_action, self.path)
        values = {
            **placeholders(default_settings()),
            "drug": named_drugs(
                tracker.latest_message.parse_data if tracker.latest_message else {}
            ),
            **kwargs,
        }
        message = await super().generate(utter_action, tracker, output_channel, **values)
        if message is None:
            return None
        if utter_action.startswith(PREFIX):
            return with_offer(self.follow_ups, utter_action[len(PREFIX) :], message)
        parse = tracker.latest_message.parse_data if tracker.latest_message else {}
        language = str((parse.get(LANGUAGE_KEY) or {}).get("code") or "")
        if language and utter_action == CLARIFY:
            return self.languages.answer(language, values)
        if language:
            return self.languages.add_line(language, values, message)
        if utter_action == CLARIFY:
            return did_you_mean(self.follow_ups, dict(parse), message, str(values["safety_line"]))
        rule = (parse.get("follow_up") or {}).get("rule")
        if utter_action == WELCOME and rule == DECLINED:
            return {**message, "text": DECLINED_REPLY}  # "no thanks" to an offer
        if utter_action == WELCOME and rule == SIGNS_DENIED:
            # "she's fine, no temp, just asking for the future" after the signs list
            return {**message, "text": SIGNS_DENIED_REPLY.format(values["safety_line"])}
        return message
