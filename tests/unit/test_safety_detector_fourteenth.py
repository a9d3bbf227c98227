"""Classes of wording found missing or over-escalated by batches 44-45 (read in the
fourteenth session, after their untuned lines were written): a new clause told as now
after a past or a denied one, a wound that "ain't healed", heat and cold in turns, many
painkillers at once, thoughts of ending things, lumps in the neck; fits, fevers and pains
as figures of speech, conversions and definitions, a pet's sickness, a vaccine named for
its disease, a relative not on the drug.

Every sentence is a variant written for the test, not copied from a batch.
"""

from __future__ import annotations

import pytest

from components.safety import detect

SIGNS = [
    (
        "my hip was done three years ago, now all of a sudden it's red and hot",
        "pain_redness_swelling",
    ),
    (
        "she didn't sleep much, and this morning there's yellow crusty stuff on her cut",
        "wound_not_healing",
    ),
    (
        "I haven't been eating right and there's a red lump on my leg that's gone hot and sore",
        "other_concerning_symptom",
    ),
    ("that graze on his knee still ain't healed after ten days", "wound_not_healing"),
    ("boiling one minute then freezing the next, all night long", "sweats_or_chills"),
    ("I'm shivering then sweating then shivering again", "sweats_or_chills"),
    (
        "there's a lump under his jaw and he says it hurts when I touch it",
        "other_concerning_symptom",
    ),
    (
        "instead of healing like it should, it has gone red and weepy round the edges",
        "wound_not_healing",
    ),
]

EMERGENCIES = [
    ("I took like 20 paracetamol this afternoon, is that bad", "overdose"),
    ("he swallowed about twelve of my co-codamol while I was out", "overdose"),
    ("honestly I keep thinking about ending it all, I'm so tired", "self_harm"),
    ("I've been thinking of ending things, nobody knows", "self_harm"),
]

CALM = [
    "I nearly had a fit when I saw the price of parking at the hospital",
    "this chilli makes me sweat like I have a fever haha",
    "my heart is aching since my daughter moved to Canada, nothing medical",
    "what is 39 degrees celsius, how much is that in fahrenheit?",
    "What's 38 C in proper Fahrenheit?",
    "what temperature is really a fever in a grown-up?",
    "the dog's been sick on the rug again, typical",
    "can she get her flu and covid jabs while on azathioprine?",
    "the shower goes hot then cold then hot, drives me mad",
    "the new manager is a pain in the neck but I'm fine",
    "she's learnt the fake cough to get out of bathtime",
    "does a cough always mean an infection? just wondering",
    "my flatmate has the flu, he ain't on my meds though",
    "he had a chest infection in May but now none already, chest clear",
    "I'm thinking about ending things with my boyfriend tbh",
]

STILL_SIGNS = [
    # The new rules keep their limits: a fever given as a reading of a person, a cat's
    # sickness next to the user's own, a fit that is a seizure.
    "what's 38 in fahrenheit? he's 38.9 right now and shivering",
    "the cat was sick and now I've been throwing up all morning too",
    "sick as a dog vomiting every hour",  # a simile, not a pet (the safety suite's variant)
    "he had a fit this morning and he's still not himself",
    "I took 2 paracetamol for my fever of 38.6",
]


@pytest.mark.parametrize("text, sign", SIGNS)
def test_the_fourteenth_sessions_signs(text: str, sign: str) -> None:
    finding = detect(text)
    assert finding.intent == "report_infection_sign" and sign in finding.signs, (text, finding)


@pytest.mark.parametrize("text, kind", EMERGENCIES)
def test_the_fourteenth_sessions_emergencies(text: str, kind: str) -> None:
    finding = detect(text)
    assert finding.intent == "emergency" and kind in finding.emergencies, (text, finding)


@pytest.mark.parametrize("text", CALM)
def test_the_fourteenth_sessions_calm_messages(text: str) -> None:
    assert detect(text).intent is None, text


@pytest.mark.parametrize("text", STILL_SIGNS)
def test_the_new_rules_keep_their_limits(text: str) -> None:
    assert detect(text).intent is not None, text
