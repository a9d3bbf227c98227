"""Classes of wording found missing or over-escalated by batches 34-36 and conv31-33
(read in the twelfth session, after their untuned lines were written): signs told in new
ways, denials that do not reach past "just", a hedged "I think I'm ok", temperatures
asked about as words or thresholds, figures of speech, illnesses that are over, and
thanks with a plan to act on the warning.

Every sentence is a variant written for the test, not copied from a batch.
"""

from __future__ import annotations

import pytest

from components.safety import detect
from components.typo_normaliser import TypoNormaliser

SIGNS = [
    ("his head's all stopped up and the headache won't shift for four days", "sinus"),
    ("she's still coughing, going on since like monday and it's thursday now", "cough"),
    ("husband woke me at 2am because I was drenched, had to change my top", "sweats_or_chills"),
    ("it burns when I take a leak and I need to go every ten minutes", "urinary"),
    ("little watery spots appearing on her tummy and back tonight", "skin_rash"),
    ("no temperature but super weak and can't eat since yesterday", "other_concerning_symptom"),
    (
        "the graze on his knee isn't closing up, not red or anything, just won't heal",
        "wound_not_healing",
    ),
    (
        "she's not slurring and her face is fine, she's just muddled since lunch",
        "other_concerning_symptom",
    ),
    (
        "my son says I was talking nonsense at tea time. I think I'm ok now. I'm on imuran",
        "other_concerning_symptom",
    ),
    ("a hundred and two on grandad's old thermometer", "fever"),
    ("burning while passing urine since this morning", "urinary"),
    ("white patchy bits inside her cheeks and on her tongue", "mouth_white_patches"),
    ("red spotty things on his back since tea time", "skin_rash"),
    ("the wee one's had the skitters all night", "vomiting_or_diarrhoea"),
    (
        "dad's asking if it's bad that my eyes look a bit yellow? I'm on aza",
        "other_concerning_symptom",
    ),
    (
        "wondering if this is normal, when I floss now my gums bleed loads",
        "other_concerning_symptom",
    ),
    (
        "my left elbow, not the bad one the other one, is hot and red and swollen",
        "pain_redness_swelling",
    ),
    (
        "his eyes look a bit yellow tonight, like before when he was first diagnosed",
        "other_concerning_symptom",
    ),
]

EMERGENCIES = [
    ("I do not wish to continue living like this anymore", "self_harm"),
    ("I'll stop every tablet and let the transplant fail, I'm done", "self_harm"),
    ("my toddler got into my bag and I think she swallowed the tablets", "overdose"),
    ("so tired of it all, might just go to bed and not bother waking up", "self_harm"),
    ("the room is spinning and I nearly blacked out on the stairs", "fainting"),
    ("my daughter says she wants to die and will take all her tablets", "self_harm"),
    ("I gave him his tablet this morning and then his dad gave it again at lunch", "overdose"),
]

CALM = [
    "what is 'night sweats'? the hospital leaflet says it and I don't know the word",
    "what number is a fever for a baby? in F please",
    "my sister reckons anything over 37.5 is a fever, is she right?",
    "what temperature is a fever in England? back home we say 38",
    "how hot is too hot for someone on these tablets? 100.4 is it?",
    "37 degrees what is that in the american way",
    "got chills, hearing the whole stadium sing the anthem",
    "a headache it gave me, that meeting, two hours long",
    "my head is spinning from the tax forms, not literally",
    "sweating my life out at the market in this heat haha",
    "the ref robbed us on the telly, making me sick so it is",
    "feeling really excellent today, walked to the shops and back",
    "he hasn't been ill once since he started it, touch wood",
    "first week in ages with zero back pain!",
    "the cold went round the office and I somehow dodged it",
    "my brother-in-law has a sore throat and they want to visit on Saturday, should we postpone?",
    "earlier I had a small headache from the sun, today it is gone completely",
    "the sore throat I had, gone it is now, thank you",
    "coughed a bit after the dusty loft but it stopped straight after and hasn't come back",
    "one of my pts had a fever today (not on imuran), should I worry about catching things",
    "chillin at my nan's watching the darts, feeling 100% today",
    "this stats exam is literally killing me 💀",
    "Pain in the neck, that's what my landlord is. Otherwise I'm fine",
    "how do you turn a hundred and one Fahrenheit into Celsius?",
    "she had a tummy bug last month but she's back to school and eating everything now",
    "what temp counts as a fever? we were taught 100.4 at college",
    "I was sweating like a pig waiting for my exam results lol",
    "got good chills when the consultant said my bloods were normal",
    "his rash from the new soap disappeared and never came back",
    "how do I get a 4 year old to take a tablet? she can't swallow it whole",
    "we start it next week, I read it can upset the tummy at first, should she have it with food?",
    "won loads at cards last night, got chills lol",
    "that reality show finale made me feel sick 🤢",
    "went a bit green watching the blood draw, just squeamish, not unwell",
    "had a temperature on Monday, settled within a day and been fine since",
    "102 F how many C? the thermometer changed units by itself",
    "my nephew has a sore throat and is staying with us. me myself fine",
    "my aunt's got a chest infection and is coming round for dinner, should I sit away from her",
    "my partner's had a cold all week. me? not a sniffle",
    "had a fever last week but it's all sorted now, please ignore my last message",
    "our lass has a cold, I'm the one on azathioprine, how do I not catch it off her",
    "dying for a cup of tea, otherwise feeling great",
    "my heart nearly stopped when I saw the exam results",
    "who decides the dose? I'm on 100 and my friend is on 150",
    "been feeling sick as a dog since I started these, is that normal?",
    "wats normal body temp anyway",
]

ACKNOWLEDGEMENTS = [
    "Yes, I will call them right away. Thank you for your patience with me.",
    "ok thank you, I'll call. bless you",
    "alright will ring the clinic first thing",
    "Ok dialing 911 now",
    "Ok I'll show it to them at the next visit. Thanks",
    "that is a relief. That is all for today.",
    "thanks love, sorry for bothering you",
    "Ok no bother. That's all for now, thanks",
]


@pytest.mark.parametrize("text, sign", SIGNS)
def test_the_twelfth_sessions_signs(text: str, sign: str) -> None:
    finding = detect(text)
    assert sign in finding.signs, (text, finding)


@pytest.mark.parametrize("text, category", EMERGENCIES)
def test_the_twelfth_sessions_emergencies(text: str, category: str) -> None:
    finding = detect(text)
    assert category in finding.emergencies, (text, finding)


@pytest.mark.parametrize("text", CALM)
def test_the_twelfth_sessions_calm_messages(text: str) -> None:
    finding = detect(text)
    assert finding.intent is None, (text, finding)


@pytest.mark.parametrize("text", ACKNOWLEDGEMENTS)
def test_thanks_with_a_plan_to_act_is_an_acknowledgement(text: str) -> None:
    finding = detect(text)
    assert finding.intent is None and "acknowledgement" in finding.set_aside, (text, finding)


@pytest.mark.parametrize(
    "text",
    [
        "ok i'll call, his lips are going blue",
        "will call them now, she's 39.2 and shivering",
        "thanks, I'll ring them but the rash is spreading fast",
    ],
)
def test_a_plan_to_act_next_to_a_sign_still_escalates(text: str) -> None:
    assert detect(text).intent is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "when she was a baby she had a rash like this and now it's back on her arms",
        "what temperature is a fever? she's 38.6 right now",
        "the leaflet says call with a sore throat, and I've had one since Monday",
        "is a rash a reason to call? I have one now",
        "does a cough count? he's had it for a week",
    ],
)
def test_the_new_rules_keep_their_limits(text: str) -> None:
    assert detect(text).intent is not None, text


def test_a_dropped_g_on_an_english_word_is_not_a_typo() -> None:
    normaliser = TypoNormaliser(["hurting", "sweating", "taking"])
    assert normaliser.correct("hurlin") == "hurlin"  # hurling, not hurting
    assert normaliser.correct("takin") == "taking"  # a lexicon word keeps its g
