"""The deterministic safety net: what escalates, what does not, and why.

A small probe set for the mechanisms (negation, hypotheticals, history, relatives,
temperatures, lexicon exclusions). The held-out NLU set measures recall on unseen text.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.safety import (
    InfectionSignDetector,
    detect,
    iter_lexicon_phrases,
    read_temperatures,
)

MUST_ESCALATE = [
    # A relative's sign when nothing says they are not the patient: people write about
    # the person on the drug.
    ("my wife has a sore throat", "sore_throat"),
    ("I have a fever", "fever"),
    ("Fever 38,5 and chills", "fever"),
    ("🤒 38.9", "fever"),
    ("temp 101.5F", "fever"),
    ("I don't have a cough but my throat hurts", "sore_throat"),
    ("my son takes azathioprine and has a fever", "fever"),
    # "No cap" is "no lie"; "the same tablets as me" ties a relative to the drug.
    ("no cap been sweating buckets all night", "sweats_or_chills"),
    (
        "my daughter's on the same tablets as me, she's been sick twice today",
        "vomiting_or_diarrhoea",
    ),
    ("I have diarrhea, is it a side effect?", "vomiting_or_diarrhoea"),
    ("ive had a cough for 4 days now", "cough"),
    ("burning when i pee since yesterday", "urinary"),
    ("my poop is black and tarry", "urine_or_stool_change"),
]
MUST_NOT_ESCALATE = [
    "no fever",
    "what if I get a fever?",
    "I had a fever two years ago",
    "my wife has a sore throat, she's not on anything",
    "is a sore throat a sign of infection?",
    "my temp is 37.2",
    "what temperature should I store it at",
    "can I get the flu jab",
    "does imuran cause bruising",
    "is the yellow fever jab ok with aza",
    "my coworker has the flu, what should i do since im on azathioprine",
    "how should I store imuran",
]
EMERGENCIES = [
    ("i dont want to live anymore", "self_harm"),
    ("cant catch my breath even sitting still", "breathing"),
    ("my toddler swallowed some of my pills", "overdose"),
    ("he collapsed in the kitchen", "fainting"),
]


@pytest.mark.parametrize("text, sign", MUST_ESCALATE)
def test_current_signs_escalate(text, sign):
    finding = detect(text)
    assert finding.intent == "report_infection_sign"
    assert sign in finding.signs


@pytest.mark.parametrize("text", MUST_NOT_ESCALATE)
def test_negated_asked_past_or_other_people_do_not_escalate(text):
    assert detect(text).intent is None


@pytest.mark.parametrize("text, category", EMERGENCIES)
def test_emergencies(text, category):
    finding = detect(text)
    assert finding.intent == "emergency"
    assert category in finding.emergencies


def test_im_not_suicidal_is_not_an_emergency():
    assert detect("im not suicidal, just tired of the nausea").intent is None


def test_sign_at_the_end_of_a_long_message():
    text = "I have a question about my tablets. " * 140 + "Also I have had chills all night."
    assert len(text) > 5000
    assert "sweats_or_chills" in detect(text).signs


@pytest.mark.parametrize(
    "text, celsius, over",
    [
        ("38.5", 38.5, True),
        ("38,2 C", 38.2, True),
        ("37.9°C", 37.9, False),
        ("100.4 F", 38.0, True),
        ("99 degrees F", 37.2, False),
        ("102", 38.9, True),
    ],
)
def test_temperature_readings(text, celsius, over):
    readings = read_temperatures(text, 38.0, 100.0)
    assert len(readings) == 1
    assert readings[0].celsius == pytest.approx(celsius, abs=0.05)
    assert readings[0].over_threshold is over


def test_doses_and_ages_are_not_temperatures():
    assert read_temperatures("I take 50 mg twice a day", 38.0, 100.0) == []
    assert read_temperatures("I am 12 years old", 38.0, 100.0) == []


def test_lexicon_has_every_leaflet_sign_family():
    phrases = set(iter_lexicon_phrases())
    for must in (
        "fever",
        "chills",
        "rash",
        "sore throat",
        "cough",
        "white patches",
        "diarrhea",
        "vomiting",
        "bloody urine",
        "black stools",
        "bruising",
    ):
        assert must in phrases


def test_component_overrides_the_classifier_and_lists_the_signs():
    detector = InfectionSignDetector({"lexicon": None})
    message = Message(data={"text": "I have a fever of 38.7 and chills"})
    message.set("intent", {"name": "leaflet", "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": "leaflet", "confidence": 0.97}])
    detector.process([message])
    assert message.get("intent")["name"] == "report_infection_sign"
    values = {(e["entity"], e["value"]) for e in message.get("entities")}
    assert ("infection_sign", "fever") in values
    assert ("infection_sign", "sweats_or_chills") in values
    assert ("temperature", "38.7 °C") in values
    assert message.get("safety")["classifier_intent"] == "leaflet"


def test_component_keeps_an_emergency_from_the_classifier():
    detector = InfectionSignDetector({"lexicon": None})
    message = Message(data={"text": "fever and I can't breathe"})
    message.set("intent", {"name": "emergency", "confidence": 0.9}, add_to_output=True)
    detector.process([message])
    assert message.get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "text, sign",
    [
        ("i have a fevr and sore throte", "fever"),
        ("my daughter taeks azathioprine and has come out in a rash", "skin_rash"),
        ("dad's on iumran and is up every hour to urinate and it stings", "urinary"),
        ("38.6 this morning", "fever"),
        ("the cough I've had since saturday isn't going away", "cough"),
        ("CAN'T STOP SHIVERING", "sweats_or_chills"),
        ("my throat is really sore", "sore_throat"),
        ("it's agony when I go for a wee", "urinary"),
    ],
)
def test_typos_case_lay_words_and_caregivers_escalate(text, sign):
    assert sign in detect(text).signs


@pytest.mark.parametrize(
    "text",
    [
        "I DONT HAVE A FEVER, JUST A QUESTION ABOUT STORAGE",
        "havent had any chills",
        "last wniter I had the flu",
        "hello, how long does a cough have to last before it's a concern",
        "tickly cough since this afternoon",
        "my sister has a fever, should I visit her while I'm on aza?",
        "37.1 this morning",
        "never had a problem with my throat",
    ],
)
def test_contractions_cue_typos_questions_and_short_coughs_do_not(text):
    assert detect(text).intent is None


def test_set_aside_signs_are_reported():
    finding = detect("I don't have a fever")
    assert finding.intent is None and "fever" in finding.set_aside


def classified_as_a_sign(text: str, confidence: float, runner_up: str, its_confidence: float):
    """A message the classifier called an infection report, through the detector."""
    message = Message(data={"text": text})
    ranking = [
        {"name": "report_infection_sign", "confidence": confidence},
        {"name": runner_up, "confidence": its_confidence},
    ]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking)
    InfectionSignDetector({"lexicon": None}).process([message])
    return message


def test_component_withdraws_a_classifier_escalation_for_a_negated_sign():
    message = classified_as_a_sign(
        "I don't have a fever but can I take it with food?", 0.7, "out_of_scope", 0.25
    )
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("safety")["rule"].startswith("classifier escalation withdrawn")


def test_a_withdrawn_escalation_with_no_real_runner_up_gets_the_clarifying_reply():
    """A relative's fever set aside (he is not on the drug) once got "You're welcome", the
    runner-up at confidence 0.0; the clarifying reply carries the safety line."""
    message = classified_as_a_sign(
        "my son has a fever of 39, he's not on anything", 0.99, "thanks", 0.0
    )
    assert message.get("intent")["name"] == "nlu_fallback"


def classified(text: str, intent: str, confidence: float = 1.0, **fields: Any):
    """The message through the detector, as the classifier (and any earlier component,
    `fields`) left it."""
    message = Message(data={"text": text})
    ranking = [{"name": intent, "confidence": confidence}, {"name": "thanks", "confidence": 0.0}]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking)
    for key, value in fields.items():
        message.set(key, value, add_to_output=True)
    InfectionSignDetector({"lexicon": None}).process([message])
    return message


@pytest.mark.parametrize(
    "text, intent",
    [
        ("Nothing of the sort today, I am fit as a fiddle, thanks be.", "report_infection_sign"),
        ("No cough, no temp, nowt. I'm feeling grand.", "emergency"),
        ("The cat was sick on the rug twice. I myself am perfectly well.", "report_infection_sign"),
        ("Okay, thank you so much. God bless.", "emergency"),
        # "for now I'm relieved" is no complaint now (batch 17).
        (
            "Her stomach bug has completely gone now. For now I'm just relieved.",
            "report_infection_sign",
        ),
    ],
)
def test_a_classifier_escalation_of_a_message_that_says_all_is_well_is_withdrawn(
    text: str, intent: str
) -> None:
    message = classified(text, intent)
    assert message.get("intent")["name"] not in ("report_infection_sign", "emergency")
    assert message.get("safety")["rule"].startswith("classifier escalation withdrawn")


@pytest.mark.parametrize(
    "text, intent",
    [
        # A turn after the claim, a claim reported for someone, or a sign the lexicon finds.
        ("I feel fine but there's a lump under my arm that's new", "report_infection_sign"),
        ("he says he feels fine but he's hot to touch and floppy", "report_infection_sign"),
        ("I'm fine. I just want it all to stop for good.", "emergency"),
        ("Feeling great apart from the burning when I wee", "report_infection_sign"),
        # A classifier's emergency with nothing set aside stays: the lexicon may not
        # know its words.
        ("I'm fine, honestly, it's all sorted now, the letters are written", "emergency"),
    ],
)
def test_all_is_well_never_withdraws_a_turn_or_a_sign(text: str, intent: str) -> None:
    assert classified(text, intent).get("intent")["name"] in ("report_infection_sign", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "this orgo midterm is giving me a whole migraine",
        "The price of the turf this year would give you a heart attack!",
    ],
)
def test_a_classifier_emergency_of_a_figure_of_speech_alone_is_withdrawn(text: str) -> None:
    message = classified(text, "emergency", 0.99)
    assert message.get("intent")["name"] != "emergency"
    assert message.get("safety")["rule"] == "classifier emergency withdrawn: a figure of speech"
    # With words the lexicon reads as an emergency, the figure of speech changes nothing.
    said = "this job is giving me a headache and I want to end it all"
    assert classified(said, "emergency", 0.99).get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        # One sign denied or normal, and a complaint told as happening now that the
        # lexicon may have no words for: the classifier's escalation stays.
        "no temp as far as I can see but he's had the squits since teatime",
        "Not vomiting any more, but now she has cramps and won't touch her food",
        "no, not feverish, I just feel rubbish and achy everywhere",
        "36.9 on the thermometer. today my dad is muddled and keeps asking what day it is",
    ],
)
def test_a_complaint_told_as_happening_now_keeps_the_classifier_escalation(text: str) -> None:
    message = classified(text, "report_infection_sign")
    assert message.get("intent")["name"] == "report_infection_sign"


@pytest.mark.parametrize(
    "text",
    [
        # The clause with the time cue takes it back ("gone", "no", "better").
        "no runny tummy since Sunday, keeping his food down",
        "her cough has been gone since Friday, back at nursery happy",
    ],
)
def test_a_time_cue_in_a_clause_that_takes_it_back_does_not_keep_it(text: str) -> None:
    message = classified(text, "report_infection_sign")
    assert message.get("intent")["name"] != "report_infection_sign"


# Everyday wording (sentences written for these tests, not taken from any test set).
EVERYDAY_EMERGENCIES = [
    ("my kids would honestly be better off without me", "self_harm"),
    # Conversation set 11 classes, reworded: patois, life insurance, counting tablets out.
    ("the wee one next door has a pill in her mouth and my box is open", "overdose"),
    ("some nights mi think mi shoulda swallow di whole box", "self_harm"),
    ("they'd be better off with the payout than with me around", "self_harm"),
    ("caught him lining up all his tablets on the bedside table", "overdose"),
    ("I don't see the point of living with this", "self_harm"),
    ("honestly nobody would miss me", "self_harm"),
    ("sometimes I wish I could just go to sleep and never wake up", "self_harm"),
    ("I've put all my affairs in order and said my goodbyes", "self_harm"),
    ("I've been wondering how many of these pills it would take", "self_harm"),
    ("I sat in the garage with the car running last night", "self_harm"),
    ("what's the point of going on", "self_harm"),
    ("I think I accidentally took my evening dose twice", "overdose"),
    ("my two year old got hold of the blister pack and chewed some", "overdose"),
    ("the dog ate a few of my tablets", "overdose"),
    ("I took a full week's supply in one go", "overdose"),
    ("counted the tablets and four are missing, my little boy had the bottle", "overdose"),
    ("his mouth is drooping on the left and he can't raise his right arm", "stroke"),
    ("I'm trying to talk but my words are jumbled", "stroke"),
    ("feels like a tight band squeezing my chest", "chest_pain"),
    ("heavy pressure on my chest going into my jaw", "chest_pain"),
    ("I can barely breathe even sitting down", "breathing"),
    ("her lips have gone a bit blue", "breathing"),
    ("found my dad on the bathroom floor and he won't wake up", "fainting"),
    ("my husband is slumped in his chair and I can't wake him", "fainting"),
    ("he's having some kind of fit on the sofa", "seizure"),
    ("she's jerking all over and not responding", "seizure"),
    ("his face has puffed up and he's covered in hives and wheezing", "severe_allergy"),
    ("oh no I took tonight's and tomorrow's at the same time", "overdose"),
]


@pytest.mark.parametrize("text, kind", EVERYDAY_EMERGENCIES)
def test_emergencies_in_everyday_words_carry_their_kind(text, kind):
    finding = detect(text)
    assert finding.intent == "emergency" and kind in finding.emergencies
    assert {"entity": "emergency_sign", "value": kind} in [
        {"entity": e["entity"], "value": e["value"]} for e in finding.entities
    ]


def test_chest_pain_with_a_cough_is_an_emergency_not_an_infection_sign():
    assert detect("chest pain when I breathe in, plus a cough").intent == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "does azathioprine cause depression or suicidal thoughts?",
        "I don't see the point of taking it if it doesn't work",
        "I'm not suicidal, just fed up with the side effects",
        "should I take a double dose if I missed yesterday's?",
        "I take two tablets twice a day",
        "how do I stop my toddler getting into my tablets?",
        "what should I do if my child swallows a tablet?",
        "I swallowed my tablet whole this morning, is that ok?",
        "I nearly fainted when I saw the price of parking",
        "the words in the leaflet don't make sense to me",
        "she threw a fit when I gave her the medicine",
        "I don't want to be a burden on the nurses, can I just email?",
    ],
)
def test_questions_and_ordinary_sentences_are_not_emergencies(text):
    assert detect(text).intent is None


OTHER_CONCERNING_AND_LAY_SIGNS = [
    ("the whites of my eyes have gone a yellowish colour", "other_concerning_symptom"),
    ("my gums keep bleeding when I floss", "other_concerning_symptom"),
    ("I've got these purple blotches on my shins", "unusual_bruising"),
    ("mum seems really muddled this evening, she takes azathioprine", "other_concerning_symptom"),
    ("I'm light-headed every time I stand up", "other_concerning_symptom"),
    ("she keeps tugging at her ear and crying", "other_concerning_symptom"),
    ("there's a hot lump in my armpit", "other_concerning_symptom"),
    ("I think I've got a chest infection", "other_concerning_symptom"),
    ("my little one is really floppy and not herself", "other_concerning_symptom"),
    ("I feel weak and shaky today", "other_concerning_symptom"),
    ("little blistery spots all over my back", "skin_rash"),
    ("a sore on my foot that just won't heal", "wound_not_healing"),
    ("my water stings when I go", "urinary"),
    ("I'm up and down to the loo all night", "urinary"),
    ("everything goes straight through me", "vomiting_or_diarrhoea"),
    ("my stomach's running", "vomiting_or_diarrhoea"),
    ("I've been boking all morning", "vomiting_or_diarrhoea"),
    ("pee looks like cola", "urine_or_stool_change"),
    ("my head is absolutely killing me", "sinus"),
    ("I'm hot then cold then hot again", "fever"),
    ("I'm all clammy", "sweats_or_chills"),
    ("the bed was soaked when I woke", "sweats_or_chills"),
]


@pytest.mark.parametrize("text, sign", OTHER_CONCERNING_AND_LAY_SIGNS)
def test_other_concerning_symptoms_and_lay_words_escalate(text, sign):
    finding = detect(text)
    assert finding.intent == "report_infection_sign" and sign in finding.signs


@pytest.mark.parametrize(
    "text, celsius",
    [
        ("temp is thirty-nine point two", 39.2),
        ("a temperature of a hundred and two", 38.9),
        ("thermometer said 38 and a half", 38.5),
        ("39ish last night", 39.0),
        ("she was 38 odd at teatime", 38.0),
        ("tmax 101.8", 38.8),
    ],
)
def test_temperatures_in_words_and_loose_forms_are_fevers(text, celsius):
    finding = detect(text)
    assert "fever" in finding.signs
    assert finding.readings[0].celsius == pytest.approx(celsius, abs=0.05)


@pytest.mark.parametrize(
    "text",
    [
        "ninety nine point five this morning",
        "what's 39.5 in F?",
        "is 38.2 C the same as 100.8 F?",
        "is 40 degrees in the car too hot for my tablets?",
        "that documentary sent shivers down my spine",
        "my teenager is a right pain in the neck",
        "this paperwork is giving me a migraine",
        "I was sweating buckets after my run",
        "the cough I had last month has totally cleared up",
        "I had a sore throat but it's gone now",
        "my wife has flu, how can I avoid catching it since I'm on aza?",
        "I'm a bit confused about when to take my dose",
        "my immune system is weak because of the tablets, right?",
    ],
)
def test_figures_of_speech_unit_questions_and_cleared_illnesses_stay_calm(text):
    assert detect(text).intent is None


@pytest.mark.parametrize(
    "text, sign",
    [
        ("No, my temperature is 38.9", "fever"),
        (
            "No, he doesn't have a fever but his ear is really sore, he takes imuran",
            "other_concerning_symptom",
        ),
        ("no I've been vomiting all night", "vomiting_or_diarrhoea"),
        ("no fever and I've got a sore throat", "sore_throat"),
    ],
)
def test_a_reply_no_and_a_denied_sign_do_not_cancel_a_present_one(text, sign):
    assert sign in detect(text).signs


def test_calm_phrase_withdraws_a_classifier_escalation():
    message = classified_as_a_sign(
        "that last goal gave me chills, what a match", 0.7, "out_of_scope", 0.25
    )
    assert message.get("intent")["name"] == "out_of_scope"
    assert "figure_of_speech" in message.get("safety")["set_aside"]


@pytest.mark.parametrize(
    "text, sign", [("swetting buckets at night", "sweats_or_chills"), ("sore thoat", "sore_throat")]
)
def test_typos_prefer_sign_words_over_pattern_helper_words(text, sign):
    """ "swetting" is one edit from "sweating" and from "setting" (a pattern's helper word)."""
    assert sign in detect(text).signs


def test_a_carer_who_said_earlier_that_the_person_takes_it_still_speaks_for_them():
    text = (
        "Actually Dad's had a chesty cough for about five days and he was sweating buckets."
        " I'm fine myself."
    )
    earlier = ["Hello, my dad takes azathioprine since his kidney transplant."]
    assert detect(text).intent is None  # the user is well and names no patient: set aside
    assert detect(text, earlier=earlier).intent == "report_infection_sign"


@pytest.mark.parametrize(
    "text",
    ["Thank you so much for your kind help. God bless.", "okay got it", "Lovely, thank you."],
)
def test_a_message_that_only_thanks_is_set_aside(text):
    finding = detect(text)
    assert finding.intent is None and "acknowledgement" in finding.set_aside


@pytest.mark.parametrize(
    "text",
    [
        "I was confused this morning and I take all tablets from my pill box for whole week",
        "my father has mistakenly taken my tablets instead of his own",
        "grandad took her tablets by mistake",
        "bruh my lil sis just got in my room n shes eating them shes 4",
    ],
)
def test_overdoses_in_everyday_words_are_emergencies(text):
    assert detect(text).intent == "emergency"


def test_a_child_eating_named_food_is_not_an_overdose():
    assert detect("my son loves eating them grapes lol").intent is None


def _classified(text: str, intent: str, confidence: float = 0.95) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": confidence}, {"name": "leaflet", "confidence": 0.05}],
    )
    return message


@pytest.mark.parametrize(
    "text",
    [
        "so can't I just give him 2 tomorrow to catch up",
        "I forgot it yesterday. Should I take two today to make up?",
    ],
)
def test_a_question_about_making_up_a_missed_dose_is_not_an_emergency(text):
    message = _classified(text, "emergency")
    InfectionSignDetector({"lexicon": None}).process([message])
    assert message.get("intent")["name"] != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "he already took 3 this morning, can I give him two tonight",
        "she swallowed some of mine, should I give her two spoons of milk tonight",
    ],
)
def test_doses_already_taken_keep_the_classifiers_emergency(text):
    message = _classified(text, "emergency")
    InfectionSignDetector({"lexicon": None}).process([message])
    assert message.get("intent")["name"] == "emergency"


@pytest.mark.parametrize("text", ["I don't feel great", "i'm not fine at all", "not feeling good"])
def test_a_denied_wellness_is_not_all_well(text):
    assert "feeling_well" not in detect(text).set_aside
    message = _classified(text, "report_infection_sign")
    InfectionSignDetector({"lexicon": None}).process([message])
    assert message.get("intent")["name"] == "report_infection_sign"


# Ninth session, from batch 22 and conv19 (after their untuned lines); each sentence a
# variant written for the test.
@pytest.mark.parametrize(
    "text",
    [
        "No rash any more, the cream from last month sorted it out lovely",
        "had a chest infection in the spring but it cleared up, fit now",
    ],
)
def test_an_unsure_classifier_emergency_whose_signs_are_all_over_is_withdrawn(text: str) -> None:
    message = classified(text, "emergency", 0.7)
    assert message.get("intent")["name"] != "emergency"
    assert message.get("safety")["rule"].startswith("classifier emergency withdrawn")
    # A sure one stays: the classifier knows emergencies the lexicon has no words for.
    assert classified(text, "emergency", 0.99).get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "grazed my shin on the garden step on sunday, healed up nicely already",
        "dodgy kebab gave me a bad belly back in june, nothing since",
    ],
)
def test_a_classifier_escalation_of_a_complaint_told_as_over_is_withdrawn(text: str) -> None:
    message = classified(text, "report_infection_sign")
    assert message.get("intent")["name"] != "report_infection_sign"
    assert message.get("safety")["rule"] == "classifier escalation withdrawn: says it is over"


def test_a_complaint_that_is_over_and_then_back_keeps_the_escalation() -> None:
    said = "grazed my shin on sunday, healed up nicely, but now it's back and weeping"
    assert classified(said, "report_infection_sign").get("intent")["name"] == (
        "report_infection_sign"
    )


def test_a_classifier_escalation_read_from_a_word_that_names_no_sign_is_withdrawn() -> None:
    # "yellow fever" is a vaccine's name; the classifier read "fever" (conv20).
    message = classified(
        "what about the yellow fever jab? my mate says I need it", "report_infection_sign", 0.8
    )
    assert message.get("intent")["name"] != "report_infection_sign"
    assert message.get("safety")["set_aside"] == ["not_a_sign"]


def test_a_complaint_told_in_the_present_keeps_the_classifier_escalation() -> None:
    # Every sign named sits inside a denial's reach ("no appetite for food, everything is
    # aching"), but the clause tells of a complaint now (batch 24).
    said = "not feeling well, no appetite, everything is aching, feels like flu coming"
    assert classified(said, "report_infection_sign").get("intent")["name"] == (
        "report_infection_sign"
    )


# Tenth session, from batches 28-34 and conv25-30 (after their untuned lines); each
# sentence a variant written for the test.
@pytest.mark.parametrize(
    "text",
    [
        "my colitis has been chill for weeks, no flares",  # slang, not a chill
        "got shivers up me spine when the band played the anthem",
        "i got chills all over when we scored in extra time",
        "that quiz was so bad i nearly threw up lol",
        "thought i was gonna throw up on the bus but i didnt, all good",
        "the swelling in his ankles went down a lot, very pleased",
        "my tummy finally stopped hurting, first time in ages",
        "had a bad chest a long time ago, 2018, nothing since",
        "my sister's got a water infection, can i catch it from her? i'm on aza",
        "Grandson has strep so I'm steering clear till he's on antibiotics, I take imuran",
        "for the fever rule, is it measured under the tongue?",
        "what do they mean by 'flu-like symptoms'? asking in general, i'm not ill",
        "Buenas noches, he is doing very good, no fever no nothing, gracias a Dios",
        "had a temp of 101 last weekend, now 4 days with no fever, all good",
        "the flu going round school has wiped out half my year. i'm fine",
        "that reading made me feel ill, figuratively speaking; I am in rude health",
        "what is the point of the blood tests?",
        "she takes methotrexate once a week with folic acid, why only weekly?",
        "I won't be needing my imuran refilled while we're away",
        "forgot my tablet, i passed out at like 10 after work. take 2 today?",  # asleep
        "she's fine, nothing wrong with her, I just feel bad I forgot her dose",  # guilt
    ],
)
def test_the_tenth_sessions_calm_messages_do_not_escalate(text: str) -> None:
    assert detect(text).intent is None


@pytest.mark.parametrize(
    "text, category",
    [
        ("some nights i think it'd be easier for everybody if i wasnae here", "self_harm"),
        ("honestly it'd be easier all round if i just didn't make it home tonight", "self_harm"),
        ("she says she'll stop all her tablets so she can go and be with dad", "self_harm"),
        ("the wee one's taen da hale week o mine oot the box", "overdose"),
        ("after the jab her lips are getting bigger and she's wheezy", "severe_allergy"),
        (
            "what's the point bro. family be better with the insurance money if i'm gone",
            "self_harm",
        ),
        ("the baby drank like half the bottle of calpol while I was on the phone", "overdose"),
        ("found her with my handbag open and the dosette, three days are empty", "overdose"),
        ("wrote each of them a letter. won't be needing my imuran after tonight", "self_harm"),
        (
            "I kept my tablets in a tin for weeks instead of taking them, before I do something"
            " stupid",
            "self_harm",
        ),
        ("could you end things with these tablets? asking for myself, I'm so tired", "self_harm"),
        ("he passed out in the kitchen just now", "fainting"),  # still an emergency
    ],
)
def test_the_tenth_sessions_emergencies(text: str, category: str) -> None:
    assert category in detect(text).emergencies


@pytest.mark.parametrize(
    "text, sign",
    [
        ("my tattoo (don't tell my mum) is red and swollen and oozing", "pain_redness_swelling"),
        ("no fever but her throat is bothering her, she cries when she swallows", "sore_throat"),
        ("his pipi smells really strong and looks cloudy", "urine_or_stool_change"),
        ("right arm weaker than usual since yesterday, on aza", "other_concerning_symptom"),
        ("i feel ill and shivery", "flu_like"),  # "ill" stays a word, not "i'll"
        ("pissing fire every hour since tuesday", "urinary"),
    ],
)
def test_the_tenth_sessions_signs(text: str, sign: str) -> None:
    assert sign in detect(text).signs


@pytest.mark.parametrize(
    "text",
    [
        "I think she has a chill, she's shaking and 38.9",  # a chill is still a sign
        "my son has a cold sore on his lip that keeps getting bigger",  # not an allergy
        "i've taken the whole week off work, can i still do my bloods friday",
        "it would be easier if I didn't drive home in the rush hour",
    ],
)
def test_the_tenth_sessions_rules_keep_their_limits(text: str) -> None:
    finding = detect(text)
    assert "self_harm" not in finding.emergencies and "overdose" not in finding.emergencies
    assert "severe_allergy" not in finding.emergencies
    if "chill" in text:
        assert finding.intent == "report_infection_sign"


def sure_answer(text: str, intent: str, confidence: float = 1.0, drugs=()) -> Message:
    """A message the classifier escalated, whose answer the answer model was sure of
    (components/follow_up.py marks it)."""
    entities = [{"entity": "drug", "value": d} for d in drugs]
    return classified(text, intent, confidence, sure_answer="side_effects", entities=entities)


def test_a_question_the_leaflet_answers_with_no_sign_named_is_answered() -> None:
    said = "Would these tablets make you tired, do you think?"
    message = sure_answer(said, "report_infection_sign")
    assert message.get("intent")["name"] == "leaflet"
    assert message.get("safety")["rule"] == (
        "classifier escalation withdrawn: a question the leaflet answers"
    )
    assert sure_answer(said, "emergency", 0.8).get("intent")["name"] == "leaflet"


@pytest.mark.parametrize(
    "text, intent, confidence, drugs",
    [
        # A sign named: the lexicon decides, and here it escalates.
        ("my throat is really sore, would the tablets do that?", "report_infection_sign", 1, ()),
        # Not a question.
        ("these tablets make me so tired, like I could sleep standing up", "emergency", 0.8, ()),
        # An emergency the classifier is sure of.
        ("would anyone even notice if I took the lot?", "emergency", 0.99, ()),
        # Another medicine named: its question is not the leaflet's.
        ("does ciclosporin make your gums grow?", "report_infection_sign", 1, ("ciclosporin",)),
    ],
)
def test_an_answered_question_keeps_the_escalation_otherwise(text, intent, confidence, drugs):
    assert sure_answer(text, intent, confidence, drugs).get("intent")["name"] == intent


def test_an_unsure_classifier_emergency_with_all_said_to_be_well_is_withdrawn() -> None:
    said = "Feel great today. Walked 2 km along the esplanade. Happy camper"
    assert classified(said, "emergency", 0.33).get("intent")["name"] != "emergency"
    assert classified(said, "emergency", 0.99).get("intent")["name"] == "emergency"
