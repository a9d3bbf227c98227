"""LeafletAnswerGenerator: answers from the content file, edits taken up, bad edits refused."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components.leaflet_nlg import (
    DEFAULT_ANSWERS,
    AnswerFileError,
    LeafletAnswerGenerator,
    load_answers,
)
from harness.nlu import load_examples

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ROOT / "data" / "responses" / "leaflet_sections.yml"
TRACKER = DialogueStateTracker.from_events("nlg-test", [])


def generator(path: Path) -> LeafletAnswerGenerator:
    # The domain as training builds it: domain.yml plus the responses in data/.
    domain = Domain.load([str(ROOT / "domain.yml"), str(SECTIONS)])
    return LeafletAnswerGenerator(EndpointConfig(type="x", answers_file=str(path)), domain)


async def say(nlg: LeafletAnswerGenerator, name: str) -> Optional[Dict[str, Any]]:
    return await nlg.generate(name, TRACKER, "rest")


def touch_later(path: Path) -> None:
    """Make sure the edit is seen even on a file system with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.fixture()
def answers(tmp_path: Path) -> Path:
    copy = tmp_path / "answers.yml"
    shutil.copy(DEFAULT_ANSWERS, copy)
    return copy


def test_every_section_the_model_can_pick_has_an_answer_and_no_answer_is_orphaned() -> None:
    trained = {
        label.split("/", 1)[1]
        for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))
        for _, label in load_examples(path)
        if label.startswith("leaflet/")
    }
    answered = {name.split("/", 1)[1] for name in load_answers(DEFAULT_ANSWERS)}
    declared = {name.split("/", 1)[1] for name in yaml.safe_load(SECTIONS.read_text())["responses"]}
    assert trained == answered == declared


@pytest.mark.asyncio
async def test_answers_come_from_the_file_and_domain_responses_still_work(answers: Path) -> None:
    nlg = generator(answers)
    storage = await say(nlg, "utter_leaflet/storage")
    assert storage is not None and "room temperature" in storage["text"]
    assert "Source:" in storage["text"]
    greet = await say(nlg, "utter_greet")
    assert greet is not None and "Imuran" in greet["text"]
    assert await say(nlg, "utter_no_such_response") is None


@pytest.mark.asyncio
async def test_answers_stay_when_rasa_hands_over_the_models_domain(answers: Path) -> None:
    """Rasa makes the generator first, then sets `nlg.responses = domain.responses`."""
    nlg = LeafletAnswerGenerator(EndpointConfig(type="x", answers_file=str(answers)), None)
    domain = Domain.load([str(ROOT / "domain.yml"), str(SECTIONS)])
    nlg.responses = domain.responses
    storage = await say(nlg, "utter_leaflet/storage")
    assert storage is not None and "room temperature" in storage["text"]
    greet = await say(nlg, "utter_greet")
    assert greet is not None and "Imuran" in greet["text"]


@pytest.mark.asyncio
async def test_an_edited_answer_is_used_by_the_next_reply(answers: Path) -> None:
    nlg = generator(answers)
    text = answers.read_text(encoding="utf-8")
    answers.write_text(text.replace("room temperature", "ROOM TEMPERATURE", 1), encoding="utf-8")
    touch_later(answers)
    storage = await say(nlg, "utter_leaflet/storage")
    assert storage is not None and "ROOM TEMPERATURE" in storage["text"]


@pytest.mark.parametrize(
    "broken",
    [
        "responses: [unclosed",  # not YAML
        "responses: {}\n",  # nothing in it
        "responses:\n  utter_leaflet/storage:\n  - text: ''\n",  # an empty text
        "responses:\n  utter_greet:\n  - text: hi\n",  # not a leaflet answer
    ],
)
@pytest.mark.asyncio
async def test_a_broken_edit_keeps_the_previous_answers_and_is_logged(
    answers: Path, broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    nlg = generator(answers)
    answers.write_text(broken, encoding="utf-8")
    touch_later(answers)
    with caplog.at_level(logging.ERROR, logger="components.leaflet_nlg"):
        storage = await say(nlg, "utter_leaflet/storage")
    assert storage is not None and "room temperature" in storage["text"]
    assert any("NOT updated" in record.getMessage() for record in caplog.records)


@pytest.mark.asyncio
async def test_a_section_without_text_gets_a_safe_reply_and_an_error_in_the_log(
    answers: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    del data["responses"]["utter_leaflet/storage"]
    answers.write_text(yaml.safe_dump(data), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="components.leaflet_nlg"):
        nlg = generator(answers)
        reply = await say(nlg, "utter_leaflet/storage")
    assert reply is not None
    assert "pharmacist or doctor" in reply["text"] and "38 °C" in reply["text"]
    assert sum("utter_leaflet/storage" in r.getMessage() for r in caplog.records) == 2


def test_the_model_data_holds_no_answer_text() -> None:
    """What makes an answer edit free of retraining: no answer wording in data/."""
    placeholder = yaml.safe_load(SECTIONS.read_text())["responses"]
    assert len({variations[0]["text"] for variations in placeholder.values()}) == 1


def test_the_server_does_not_start_with_an_unusable_answers_file(tmp_path: Path) -> None:
    broken = tmp_path / "answers.yml"
    broken.write_text("responses: [unclosed", encoding="utf-8")
    with pytest.raises(AnswerFileError):
        generator(broken)
    with pytest.raises(AnswerFileError):
        generator(tmp_path / "missing.yml")


@pytest.mark.asyncio
async def test_every_placeholder_is_filled_from_the_clinic_settings(answers: Path) -> None:
    nlg = generator(answers)
    for name in nlg.responses:
        reply = await say(nlg, name)
        assert reply is not None and "{" not in str(reply.get("text")), name
    emergency = str((await say(nlg, "utter_emergency") or {}).get("text"))
    assert "911" in emergency and "988" in emergency and "1-800-222-1222" in emergency


@pytest.mark.asyncio
async def test_the_other_drug_reply_names_the_medicine_as_written(answers: Path) -> None:
    from rasa.shared.core.events import UserUttered

    asked = UserUttered(
        "can I take Nurofen and co-codamol with it",
        intent={"name": "other_drug", "confidence": 1.0},
        parse_data={"other_drugs": ["Nurofen", "co-codamol"]},
    )
    tracker = DialogueStateTracker.from_events("nlg-drug", [asked])
    reply = await generator(answers).generate("utter_other_drug", tracker, "rest")
    assert reply is not None and "Nurofen and co-codamol" in str(reply["text"])


@pytest.mark.asyncio
async def test_no_sign_now_after_the_signs_list_is_thanked_with_the_safety_line(
    answers: Path,
) -> None:
    from rasa.shared.core.events import UserUttered

    said = UserUttered(
        "she is fine atm, no temp or nothing, just asking for the future",
        intent={"name": "thanks", "confidence": 1.0},
        parse_data={"follow_up": {"rule": "signs denied"}},
    )
    tracker = DialogueStateTracker.from_events("nlg-denied", [said])
    reply = await generator(answers).generate("utter_you_are_welcome", tracker, "rest")
    assert reply is not None and str(reply["text"]).startswith("Good to hear.")
    assert "38 °C" in str(reply["text"])


def test_the_reply_to_another_language_has_the_numbers_the_line_and_a_nurse_button():
    from components.leaflet_nlg import LanguageReplies

    replies = LanguageReplies.load()
    values = {"emergency_number": "999", "poison_control": "111", "crisis_line": "116 123"}
    answer = replies.answer("es", values)
    assert "only read messages in English" in answer["text"] and "call 999" in answer["text"]
    assert "llame al 999" in answer["text"]  # the line in the writer's language, filled
    assert [b["title"] for b in answer["buttons"]] == ["Talk to a nurse"]
    # A language without a line: the English reply alone; an escalation: the line added.
    assert "{" not in replies.answer("sw", values)["text"]
    warning = {"text": "Please call your doctor right away."}
    assert replies.add_line("sw", values, warning) == warning
    assert replies.add_line("es", values, warning)["text"].endswith(replies.line("es", values))
