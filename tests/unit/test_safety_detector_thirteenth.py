"""Classes of wording found missing or over-escalated by batches 40-41 and conv37-38
(read in the thirteenth session, after their untuned lines were written): sweats told by
waking soaked, confusion with a time between, warmth "to touch"; tablets hard to
swallow, food down the wrong way, the disease's joints and pains; figures of speech;
illnesses told as over; other people's illnesses; thresholds asked about; and places
named mid-sentence that the typo corrector must not turn into sign words.

Every sentence is a variant written for the test, not copied from a batch.
"""

from __future__ import annotations

import pytest

from components.safety import detect

SIGNS = [
    ("woke up at 4 completely drenched, had to change the sheets", "sweats_or_chills"),
    ("I wake up soaking again today, what I should do", "sweats_or_chills"),
    ("mum is since lunch a bit muddled, keeps asking where dad is", "other_concerning_symptom"),
    ("he's been all afternoon mixed up about what day it is", "other_concerning_symptom"),
    ("the baby feels warm to touch and won't settle", "pain_redness_swelling"),
    ("is it bad? I wake up with my pyjamas all wet, third night now", "sweats_or_chills"),
    ("no fever, but swallowing even water is agony since Sunday", "sore_throat"),
    ("my throat feels like I've been gargling broken glass", "sore_throat"),
    (
        "ok I'll say it how I would say it to my sister: under two blankets and still shivering",
        "sweats_or_chills",
    ),
]

EMERGENCIES = [
    ("sorry, on the bathroom floor, stood up too fast and everything went black", "fainting"),
    ("my husband found me on the kitchen floor this morning", "fainting"),
    ("mi bredda face drop down one side and him cyaan talk proper", "stroke"),
    ("he just slumped over in his chair and won't answer", "fainting"),
    ("I have been wondering how one might bring matters to a close", "self_harm"),
    ("how many of these tablets would suffice, I wonder", "self_harm"),
    ("what is left of my life is not worth the bother", "self_harm"),
]

CALM = [
    "she finds the tablets hard to swallow, can I crush them?",
    "they stick in his throat, can he split them",
    "he coughed once at tea because a crisp went down the wrong way",
    "three months on it and my joints still ache, how long before it works?",
    "can I take nurofen for my back pain while on aza?",
    "that match last night had me sweating, what a finish",
    "the final exam made me want to throw up lol",
    "the heatwave has got me sweating, not sick just hot",
    "I get chills every time the choir starts, best feeling in the world",
    "the wife says I'm sick in the head for walking in this weather",
    "the rash on my arm from last month, it's gone down now",
    "had a water infection in May, no more burning, all good now",
    "my brother has a cough but he's not on my tablets, can I still sit with him?",
    "my flatmate had the runs last week but I never got it",
    "my mother in law is supposed to visit next week and she has shingles, I'm on aza",
    "what temperature should I worry about for her, in Celsius?",
    "at what temperature is it a fever for an adult?",
    "what is 38 degrees in American degrees? The leaflet says 38 but we use F",
    "with a dog 39 is normal, what is it for a person?",
    "in winter everybody at work coughs all day, what can I do so I don't catch it?",
    "the grandkids visit on sunday, one always has a runny nose. how do I protect him?",
    "last summer in Phuket he went red as a lobster, which sun cream is best?",
    "my back pain from driving all week, is ibuprofen ok with it?",
    "shoulder is sore from all the digging, can I use a heat pad?",
    "my phone screen went black again, can I still use the reminder app?",
    "how many tablets would be enough for the three weeks in Spain?",
    "mi husband have di flu, mi sleeping in di spare room, how fi nuh catch it?",
    "how much is 39 in the old Fahrenheit?",
    "how many C is a fever for a child?",
    "my eyes were streaming from chopping onions, all fine",
    "the bruise from banging my knee on the bed is nearly gone",
    "Cough? None. Fever? No. All well this week.",
    "the whole office was at fever pitch before the deadline",
    "the dog has kennel cough, can I still walk him?",
    "the flu I had has long since departed, thank heavens",
    "had a tummy bug last week, so glad that's over",
    "the sore throat from Tuesday is gone today, I feel good",
]

ACKNOWLEDGEMENTS = [
    "theek hai thanks ji",
    "bas that's all ji, thanks",
    "Ah no that's all, thanks a mil",
    "lekker, dankie",
    "That is all I needed to know for now. I am obliged to you.",
    "Yes sir, I will call them first thing. That is all for this evening. God bless you.",
]

STILL_SIGNS = [
    # The limits of the new rules: what they must not take away.
    "my knee is still sore and now it's red and hot",
    "my joints still ache and I've got chills since last night",
    "my throat is so sore it's hard to swallow anything",
    "the whole house has flu and now I've got a fever of 38.5 too",
    "she is muddled since this morning and doesn't know me",
    "I went to Phuket and now I have diarrhoea and a fever",
    "my back hurts from lifting and I've had a fever since last night",
    "thanks, but my throat is still sore and I have chills",
]


@pytest.mark.parametrize(("text", "sign"), SIGNS)
def test_the_thirteenth_sessions_signs(text: str, sign: str) -> None:
    assert sign in detect(text).signs, text


@pytest.mark.parametrize(("text", "category"), EMERGENCIES)
def test_the_thirteenth_sessions_emergencies(text: str, category: str) -> None:
    assert category in detect(text).emergencies, text


@pytest.mark.parametrize("text", CALM)
def test_the_thirteenth_sessions_calm_messages(text: str) -> None:
    assert detect(text).intent is None, text


@pytest.mark.parametrize("text", ACKNOWLEDGEMENTS)
def test_thanks_in_more_words_is_an_acknowledgement(text: str) -> None:
    finding = detect(text)
    assert finding.intent is None and "acknowledgement" in finding.set_aside, text


@pytest.mark.parametrize("text", STILL_SIGNS)
def test_the_new_rules_keep_their_limits(text: str) -> None:
    assert detect(text).intent is not None, text


def test_a_place_named_mid_sentence_is_no_misspelling() -> None:
    # "Phuket" is one edit from "puked"; capitalised in the middle of a sentence it is a
    # name, and a lower-case misspelling is still corrected.
    assert "phuket" in detect("we were in Phuket last year").text
    assert "fever" in detect("I think I have a fevr").signs
