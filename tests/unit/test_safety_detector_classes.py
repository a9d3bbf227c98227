"""Classes of wording found missing or over-escalated by the third batch (fresh_b*).

Every sentence here was written for the test, as a variant of a class (a carer's report
of a heart attack, goodbyes in deeds, an illness that is over, a unit question...), not
copied from the batch.
"""

from __future__ import annotations

import pytest

from components.safety import detect

EMERGENCY_VARIANTS = [
    # Chest pain as the person with them sees it.
    ("she's clutching at her chest and can't talk", "chest_pain"),
    ("Dad keeps rubbing his chest, says it's like an elephant sitting on him", "chest_pain"),
    ("he went all grey and clammy at the table", "chest_pain"),
    ("feels like someone is kneeling on me", "chest_pain"),
    # Goodbyes in deeds and words, often reported by a carer, often misspelled.
    ("mum says she has made her peace and we should not fuss", "self_harm"),
    ("you wont have to worry about me for much longer", "self_harm"),
    ("I won't need my tablets after tonight, I've sorted it", "self_harm"),
    ("he's been giving away his tools and his records to the neighbours", "self_harm"),
    ("i dont want to be around no more", "self_harm"),
    ("there is no reason to keep going on like this", "self_harm"),
    ("I rote a letter to my family and left it on the table", "self_harm"),
    # Poisoning with misspellings.
    ("my toddler ate sum of my pils, what do i do", "overdose"),
    ("the baby swalowed sum of nanas tablets plees help", "overdose"),
]

INFECTION_VARIANTS = [
    # Unsure whether it matters is still a report.
    ("not sure if it's anything, there's a hot red lump on my arm", "other_concerning_symptom"),
    ("dunno if this matters, my throat is really sore", "sore_throat"),
    # A normal reading now, a higher one earlier.
    ("hot and cold all evening, 37.6 now but it spiked earlier", "fever"),
    # Sudden confusion in an older patient, told by a carer who says he takes the drug.
    ("my dad takes imuran and since breakfast he's all mixed up", "other_concerning_symptom"),
    (
        "my wife is on azathioprine and she can't tell me what year it is",
        "other_concerning_symptom",
    ),
    # Stinging on passing water and colour in the bowl, about someone on the drug.
    ("my husband's on imuran, it burns him when he goes to the toilet", "urinary"),
    ("I take aza and there's a bit of red in my pee", "urine_or_stool_change"),
    # A blocked nose in other words.
    ("I'm on imuran and my nose is all bunged up with green stuff", "sinus"),
    # Feeling ill in lay words.
    ("felt real lousy since Sunday, I'm on aza", "flu_like"),
    ("I'm achy and sore all over today", "flu_like"),
    # A sign the user learns about from someone else.
    ("my friend said my skin looks a bit yellow", "other_concerning_symptom"),
    ("my sister noticed my eyes have gone yellowish", "other_concerning_symptom"),
    # Low-literacy spelling of a painful throat after denying a fever.
    ("no i dont have a feever but my throte is killing me", "sore_throat"),
]

CALM_VARIANTS = [
    # Questions about what a fever is, or a conversion without naming the scale.
    "wat temp counts as a feever for people like me?",
    "what is 39 in normal degrees",
    "what's 101 in the other one, the c one?",
    "what's a fever for an adult? 38? 38.5?",
    "the nurse said to ring if it hits 38, what is that in F",
    "What's a normal temperature for a child? Just so I know",
    # Illnesses that are over.
    "Had a chest infection in March, cleared right up with antibiotics",
    "the tummy bug went round the office but I've been fine since",
    "my ear hurt last week but it went away by itself",
    "he had a UTI ages back, completely recovered and he's been grand since",
    "She had a rash in 2016 and hasn't had any since",
    # Figures of speech, weather and effort.
    "the exam results had me in a cold sweat",
    "these 100 degree afternoons are brutal",
    "got the chills at my niece's graduation, so proud",
    "sweaty as anything but that's just me mowing the lawn",
    "my boss is a pain in the neck but i am ok",
    "I nearly threw up when I saw the bill",
    "right as rain, thanks for asking",
]


@pytest.mark.parametrize("text, category", EMERGENCY_VARIANTS)
def test_emergency_classes(text, category):
    finding = detect(text)
    assert finding.intent == "emergency", (text, finding)
    assert category in finding.emergencies


@pytest.mark.parametrize("text, sign", INFECTION_VARIANTS)
def test_infection_sign_classes(text, sign):
    finding = detect(text)
    assert finding.intent == "report_infection_sign", (text, finding)
    assert sign in finding.signs


@pytest.mark.parametrize("text", CALM_VARIANTS)
def test_calm_classes_do_not_escalate(text):
    finding = detect(text)
    assert finding.intent is None, (text, finding)


@pytest.mark.parametrize(
    "text",
    [
        "Had a chest infection in March, cleared right up",
        "got the chills at my niece's graduation",
        "what is 39 in normal degrees",
        "the tummy bug went round the office but I've been fine since",
    ],
)
def test_calm_classes_are_set_aside(text):
    """So that a classifier's escalation for them is withdrawn."""
    assert detect(text).set_aside, text


@pytest.mark.parametrize(
    "text, sign",
    [
        # Over, then back: not over.
        ("my cough cleared up last week but now it's back with a fever", "fever"),
        ("the UTI went away by itself, then it came back yesterday", "urinary"),
        # A sign after the "over" phrase is new.
        ("the cold cleared right up, but today my throat is really sore", "sore_throat"),
        # A present cue wins: the user has it now.
        ("I have a rash and I'm fine now otherwise", "skin_rash"),
        # Making peace with a diagnosis is acceptance, not a goodbye; a real fever stays.
        ("made my peace with the diagnosis, but I've had a fever of 39 since noon", "fever"),
        # A reading is a reading unless it is a threshold or the weather.
        ("temp 38.7 today, I'm on imuran", "fever"),
    ],
)
def test_the_new_rules_keep_real_signs(text, sign):
    finding = detect(text)
    assert sign in finding.signs, (text, finding)
    assert not finding.emergencies


def test_made_peace_with_the_diagnosis_is_not_an_emergency():
    assert detect("I've made my peace with the crohn's diagnosis").intent is None


def test_giving_away_a_present_is_not_an_emergency():
    assert detect("gave my dog to my neighbour while we are on holiday").intent is None


def test_a_clear_out_is_not_an_emergency():
    assert detect("gave away my old stuff and things to the charity shop").intent is None
