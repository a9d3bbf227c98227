"""A message read next to the turns before it (components/follow_up.py), and the brief of
those turns the processor gives it (rasa_patches/conversation.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from components.follow_up import (
    ConversationContext,
    FollowUpRules,
    did_you_mean,
    offered_options,
    with_offer,
)
from components.safety import InfectionSignDetector
from rasa_patches.conversation import CONTEXT_KEY, recent_turns

RULES = FollowUpRules.load()


def ranking(*pairs: Any) -> List[Dict[str, Any]]:
    return [{"intent_response_key": f"leaflet/{s}", "confidence": c} for s, c in pairs]


def turn(answer: Optional[str], actions: List[str], ranked: Any = ()) -> Dict[str, Any]:
    return {
        "intent": "leaflet" if answer else "nlu_fallback",
        "answer": f"leaflet/{answer}" if answer else None,
        "ranking": [[f"leaflet/{s}", c] for s, c in ranked],
        "actions": actions,
    }


def message(
    text: str,
    intent: str = "nlu_fallback",
    confidence: float = 0.3,
    ranked: Any = (("time_to_work", 0.3),),
    turns: Optional[List[Dict[str, Any]]] = None,
) -> Message:
    selector = {
        "leaflet": {
            "response": {
                "intent_response_key": f"leaflet/{ranked[0][0]}",
                "confidence": ranked[0][1],
            },
            "ranking": ranking(*ranked),
        }
    }
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "response_selector": selector,
            "metadata": {CONTEXT_KEY: turns or []},
        }
    )


def run(msg: Message) -> Message:
    return ConversationContext({}).process([msg])[0]


def section(msg: Message) -> Optional[str]:
    if msg.get("intent")["name"] != "leaflet":
        return None
    key = msg.get("response_selector")["leaflet"]["response"]["intent_response_key"]
    return str(key).split("/", 1)[1]


AFTER_NAUSEA = [turn("nausea", ["utter_leaflet"])]


def test_a_follow_up_the_model_could_not_place_answers_the_topic() -> None:
    assert section(run(message("how long does that last?", turns=AFTER_NAUSEA))) == "nausea"


def test_a_weak_answer_elsewhere_yields_to_the_topic_among_the_best_three() -> None:
    ranked = (("time_to_work", 0.61), ("nausea", 0.06), ("stopping", 0.05))
    msg = message("how long does that usually last", "leaflet", 0.65, ranked, AFTER_NAUSEA)
    assert section(run(msg)) == "nausea"


def test_a_confident_answer_elsewhere_is_kept() -> None:
    ranked = (("time_to_work", 0.95), ("nausea", 0.01))
    msg = message("how long until it starts working then", "leaflet", 0.95, ranked, AFTER_NAUSEA)
    assert section(run(msg)) == "time_to_work"


def test_no_topic_no_follow_up_and_a_long_new_question_is_not_one() -> None:
    assert section(run(message("how long does that last?"))) is None
    long = "my neighbour says the weather will be awful all week and i wonder about the bus"
    assert section(run(message(long, turns=AFTER_NAUSEA))) is None


@pytest.mark.parametrize(
    "said",
    [
        "ok we're gonna move them to her bedside drawer then",
        "Right you are. That is all I wanted to know for now, thank you.",
    ],
)
def test_a_statement_is_never_a_follow_up(said: str) -> None:
    ranked = (("storage", 0.3), ("supply", 0.2))
    assert (
        section(run(message(said, ranked=ranked, turns=[turn("storage", ["utter_leaflet"])])))
        is None
    )


def test_a_question_without_a_question_mark_is_still_one() -> None:
    said = "she says can she just have 2 tomorow morning to catch up"
    turns = [turn("missed_dose", ["utter_leaflet"])]
    ranked = (("dose", 0.3), ("missed_dose", 0.2))
    assert section(run(message(said, ranked=ranked, turns=turns))) == "missed_dose"


def test_a_longer_follow_up_must_point_back_and_have_the_topic_among_the_best() -> None:
    said = (
        "What if we have to skip one because we're traveling? Can it wait a couple weeks "
        "or should we find a lab on the road?"
    )
    turns = [turn("blood_tests", ["utter_leaflet"])]
    with_topic = (("missed_dose", 0.3), ("blood_tests", 0.2))
    assert section(run(message(said, ranked=with_topic, turns=turns))) == "blood_tests"
    without = (("missed_dose", 0.3), ("supply", 0.2), ("storage", 0.1))
    placed = message(said, "out_of_scope", 0.5, ranked=without, turns=turns)
    assert section(run(placed)) is None
    # Unplaced altogether (nlu_fallback), a question that long is still about the topic.
    assert section(run(message(said, ranked=without, turns=turns))) == "blood_tests"
    # ...but not a statement, nor one longer than long_words.
    statement = "We are traveling for a couple of weeks and will find a lab on the road."
    assert section(run(message(statement, ranked=without, turns=turns))) is None


def test_a_weak_out_of_leaflet_call_yields_to_the_topic_but_not_the_guards() -> None:
    said = "And breastfeeding when the baby comes, will the medicine pass to the baby?"
    turns = [turn("pregnancy", ["utter_leaflet"])]
    ranked = (("pregnancy", 0.5), ("side_effects", 0.2))
    weak = message(said, "out_of_scope", 0.55, ranked, turns)
    assert section(run(weak)) == "pregnancy"
    confident = message(said, "out_of_scope", 0.95, ranked, turns)
    assert section(run(confident)) is None
    guarded = message(said, "out_of_scope", 0.55, ranked, turns)
    guarded.set("answer_guard", "uncovered topic 'alcohol'")
    assert section(run(guarded)) is None


def test_an_old_topic_two_turns_back_still_counts_but_not_three() -> None:
    turns = [turn(None, ["utter_you_are_welcome"]), turn("storage", ["utter_leaflet"])]
    assert section(run(message("and when travelling?", turns=turns))) == "storage"


@pytest.mark.parametrize("said", ["yes", "Yes please!", "yeah", "sure"])
def test_yes_to_an_offer_answers_what_was_offered(said: str) -> None:
    turns = [turn("storage", ["utter_leaflet"])]
    assert RULES.offers["storage"]["section"] == "supply"
    assert section(run(message(said, turns=turns))) == "supply"


def test_yes_to_the_signs_question_is_a_report_of_a_sign() -> None:
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    out = run(message("yes", turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"
    assert out.get("safety")["rule"] == "said yes to having a listed sign"


@pytest.mark.parametrize("said", ["no", "nah", "no thanks"])
def test_no_to_an_offer_is_answered_like_thanks(said: str) -> None:
    out = run(message(said, turns=[turn("storage", ["utter_leaflet"])]))
    assert out.get("intent")["name"] == "thanks"
    assert out.get("follow_up")["rule"] == "offer declined"


def test_a_typed_number_picks_a_did_you_mean_option() -> None:
    ranked = (("supply", 0.3), ("storage", 0.25), ("dose", 0.1))
    turns = [turn(None, ["utter_clarify"], ranked)]
    assert offered_options(RULES, [[f"leaflet/{s}", c] for s, c in ranked]) == [
        "supply",
        "storage",
        "dose",
    ]
    assert section(run(message("2", turns=turns))) == "storage"
    assert section(run(message("7", turns=turns))) is None


def test_a_pressed_button_sends_its_question_which_answers_that_section() -> None:
    assert section(run(message(RULES.questions["blood_tests"]))) == "blood_tests"


def test_context_never_lowers_an_escalation() -> None:
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    out = run(message("no, but i do have a fever of 39", "report_infection_sign", 1.0, turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"
    out = run(message("yes he swallowed them", "emergency", 1.0, turns=turns))
    assert out.get("intent")["name"] == "emergency"


def test_did_you_mean_offers_the_best_sections_with_the_safety_line() -> None:
    parse = {
        "response_selector": {"leaflet": {"ranking": ranking(("supply", 0.3), ("storage", 0.2))}}
    }
    out = did_you_mean(RULES, parse, {"text": "Sorry?"}, "CALL YOUR DOCTOR")
    assert [b["payload"] for b in out["buttons"]] == [
        RULES.questions["supply"],
        RULES.questions["storage"],
    ]
    assert "CALL YOUR DOCTOR" in out["text"] and "1. " in out["text"]
    weak = {"response_selector": {"leaflet": {"ranking": ranking(("supply", 0.05))}}}
    assert did_you_mean(RULES, weak, {"text": "Sorry?"}, "x") == {"text": "Sorry?"}


def test_an_offer_is_asked_after_its_answer() -> None:
    out = with_offer(RULES, "storage", {"text": "Keep it dry."})
    assert out["text"].endswith(RULES.offers["storage"]["text"])
    cited = with_offer(RULES, "storage", {"text": "Keep it dry.\n\nSource: leaflet"})
    assert cited["text"] == f"Keep it dry.\n\n{RULES.offers['storage']['text']}\n\nSource: leaflet"
    assert with_offer(RULES, "dose", {"text": "Ask."}) == {"text": "Ask."}


def test_the_brief_holds_the_last_two_turns_of_this_session_only() -> None:
    def user(key: str) -> UserUttered:
        return UserUttered(
            key,
            {"name": "leaflet", "full_retrieval_intent_name": f"leaflet/{key}"},
            parse_data={"response_selector": {"leaflet": {"ranking": ranking((key, 0.9))}}},
        )

    events = [
        SessionStarted(),
        user("dose"),
        ActionExecuted("utter_leaflet"),
        BotUttered("a"),
        SessionStarted(),
        user("storage"),
        ActionExecuted("utter_leaflet"),
        user("supply"),
        ActionExecuted("utter_leaflet"),
        user("nausea"),
        ActionExecuted("utter_leaflet"),
        ActionExecuted("action_listen"),
    ]
    turns = recent_turns(DialogueStateTracker.from_events("s", events))
    assert [t["answer"] for t in turns] == ["leaflet/nausea", "leaflet/supply"]
    assert turns[0]["actions"] == ["utter_leaflet"]
    assert turns[0]["ranking"] == [["leaflet/nausea", 0.9]]
    assert (
        recent_turns(DialogueStateTracker.from_events("s", events[:4] + [SessionStarted()])) == []
    )


def test_a_message_not_placed_right_after_an_escalation_escalates_again() -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message("and my husband says I look pale, is that part of it?", turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"
    assert out.get("safety")["rule"] == "follow-up to an escalation"
    said = "Can I not just wait until the surgery is open on Monday?"
    called_out = run(message(said, "out_of_scope", 0.7, turns=turns))
    assert called_out.get("intent")["name"] == "report_infection_sign"


def test_a_denied_sign_alone_does_not_withdraw_an_escalation_the_conversation_decided() -> None:
    """Alone, "no temperature though" names only a denied sign, and the detector withdraws
    a classifier's escalation for that; after an escalation it is about the sign."""
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(
        message("He doesn't have a temperature though. Does that make a difference?", turns=turns)
    )
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "report_infection_sign"
    assert msg.get("safety")["rule"] == "follow-up to an escalation"


def test_a_classifier_escalation_answering_the_signs_question_is_kept() -> None:
    """Alone, a normal reading is set aside and "burning" names no body part; after "Do
    you have any of these signs now?" the message is a report."""
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    said = "Well, I'll be honest, it's been burning since Tuesday and it said 99.9 this morning."
    msg = run(message(said, "report_infection_sign", 0.9, turns=turns))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "report_infection_sign"


@pytest.mark.parametrize(
    "said, topic, read_as",
    [
        ("how long does that last tho, is it forever", "side_effects", "time_to_work"),
        ("Will they become less frequent in due course?", "blood_tests", "how_to_take"),
        ("it stay like this forever or hair come back?", "side_effects", "stopping"),
        ("and what if he misses the one on friday?", "blood_tests", "missed_dose"),
    ],
)
def test_a_follow_up_drawn_to_a_section_by_its_wording_answers_the_topic(
    said: str, topic: str, read_as: str
) -> None:
    msg = message(said, "leaflet", 0.99, ((read_as, 0.95),), [turn(topic, ["utter_leaflet"])])
    assert section(run(msg)) == topic


@pytest.mark.parametrize(
    "said, topic, read_as",
    [
        # The section's own words keep the model's reading...
        ("how long until it actually starts working then?", "side_effects", "time_to_work"),
        ("so can I just stop taking it then?", "side_effects", "stopping"),
        # ...and so does a topic the question is not drawn away from.
        ("And how long until it's fully doing its job?", "what_it_is", "time_to_work"),
        ("what if I forget that one tablet on friday?", "blood_tests", "missed_dose"),
    ],
)
def test_a_question_in_the_sections_own_words_keeps_it(said: str, topic: str, read_as: str) -> None:
    msg = message(said, "leaflet", 0.99, ((read_as, 0.95),), [turn(topic, ["utter_leaflet"])])
    assert section(run(msg)) == read_as


@pytest.mark.parametrize("said", ["ok ty", "cool", "Excellent. That is all for today.", "k"])
def test_a_short_closing_is_not_a_follow_up(said: str) -> None:
    msg = message(said, ranked=(("storage", 0.3),), turns=[turn("storage", ["utter_leaflet"])])
    assert section(run(msg)) is None


def test_no_in_other_words_declines_the_signs_question() -> None:
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    msg = run(message("nah im good", "out_of_scope", 0.6, turns=turns))
    assert msg.get("intent")["name"] == "thanks"


def test_a_message_not_placed_right_after_the_emergency_reply_gets_it_again() -> None:
    turns = [turn(None, ["utter_emergency"])]
    out = run(message("I'm at the house by myself right now", turns=turns))
    assert out.get("intent")["name"] == "emergency"
    calling = run(message("ok calling them now", turns=turns))
    assert calling.get("intent")["name"] == "thanks"


def test_thanks_after_a_warning_is_thanks_even_when_the_classifier_escalated() -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(
        message(
            "Ok, I will call her doctor right now. Thanks",
            "report_infection_sign",
            0.9,
            turns=turns,
        )
    )
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "thanks"
    sign = run(
        message(
            "ok I'll call them, my throat is killing me now",
            "report_infection_sign",
            0.9,
            turns=turns,
        )
    )
    InfectionSignDetector({"lexicon": None}).process([sign])
    assert sign.get("intent")["name"] == "report_infection_sign"


def test_a_statement_after_the_signs_question_escalates_but_a_question_does_not() -> None:
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    out = run(message("it's been burning since Tuesday", turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"
    out = run(message("what counts as high for a temperature?", turns=turns))
    assert out.get("intent")["name"] != "report_infection_sign"


def test_a_placed_message_after_an_escalation_is_left_alone() -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message("thanks", "thanks", 0.95, turns=turns))
    assert out.get("intent")["name"] == "thanks"


@pytest.mark.parametrize(
    "said",
    [
        "Roger. Calling now.",
        "ok I'll ring them now. thanks love",
        "will do, thanks",
        # Conversation set 8: no apostrophe, "right away", thanks at length, a closing.
        "ok ok ill call them",
        "Right, I'll ring the clinic straight away. Thank you for being so clear.",
        "no thats it",
        # Conversation set 10: no "I", a kiss, a dropped g.
        "ok will ring them now, thanks x",
        "ok ringin them now",
    ],
)
def test_saying_they_will_act_on_the_warning_is_thanked_not_warned_again(said: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message(said, turns=turns))
    assert out.get("intent")["name"] == "thanks"
    assert out.get("follow_up")["rule"] == "acting on the warning"


@pytest.mark.parametrize(
    "said",
    [
        "ok I'll ring them first thing. thanks love",
        "thanks, will call the clinic tomorrow",
        "I'll phone them on Monday when they open",
        "she's had calpol and it came down a bit, do i still need to ring someone",
    ],
)
def test_saying_they_will_call_later_gets_the_warning_again(said: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message(said, "thanks", 0.9, turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"


def test_a_new_complaint_after_the_warning_is_not_taken_for_thanks() -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message("ok I'll call them, my throat is killing me now too", turns=turns))
    assert out.get("intent")["name"] == "report_infection_sign"


def drug(name: str, start: int) -> Dict[str, Any]:
    return {"entity": "drug", "value": name, "text": name.lower(), "start": start}


@pytest.mark.parametrize(
    "said, drugs, topic, answered",
    [
        # A medicine the sources name for the topic: the topic's answer.
        ("what about methotrexate then?", [drug("Methotrexate", 11)], "alternatives", True),
        ("will they bring the pred down later?", [drug("Prednisone", 18)], "combination", True),
        # About the medicine itself, not how it relates to this one: not covered.
        (
            "what's methotrexate like for side effects",
            [drug("Methotrexate", 7)],
            "alternatives",
            False,
        ),
        # Another medicine, or a source-named one under another topic: still not covered.
        ("what about tacro then?", [drug("Tacrolimus", 11)], "alternatives", False),
        ("what about methotrexate then?", [drug("Methotrexate", 11)], "storage", False),
    ],
)
def test_a_medicine_the_sources_name_for_the_topic_gets_the_topics_answer(
    said: str, drugs: List[Dict[str, Any]], topic: str, answered: bool
) -> None:
    ranked = (("storage", 0.2), (topic, 0.15))
    msg = message(said, "other_drug", 1.0, ranked, [turn(topic, ["utter_leaflet"])])
    msg.set("entities", drugs)
    out = run(msg)
    assert (section(out) == topic) is answered
    if not answered:
        assert out.get("intent")["name"] == "other_drug"


@pytest.mark.parametrize(
    "said",
    [
        "she's fine atm, no temp or nothing, just asking for the future",
        "No fever or anything, I'm fine, just being careful",
        # A reply that opens with "no" and says all is well names no sign (conv19).
        "nope, all good here, just asking so I know",
    ],
)
def test_a_plain_denial_with_all_well_takes_back_the_conversations_escalation(said: str) -> None:
    """After "Do you have any of these signs now?" a statement escalates; one that denies
    the signs and says all is well is taken back by the detector."""
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    msg = run(message(said, turns=turns))
    assert msg.get("intent")["name"] == "report_infection_sign"  # the conversation's call
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "thanks"
    assert msg.get("safety")["rule"].startswith("conversation's escalation withdrawn")
    assert msg.get("follow_up")["rule"] == "signs denied"


@pytest.mark.parametrize(
    "said",
    [
        "yes he's fine in himself but no temp, just asking",
        "no fever, she's fine, just the cough since monday",
    ],
)
def test_a_yes_or_a_complaint_now_keeps_the_conversations_escalation(said: str) -> None:
    turns = [turn("infection_warning_signs", ["utter_leaflet"])]
    msg = run(message(said, turns=turns))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "report_infection_sign"


def test_an_emergency_reply_is_never_taken_back_by_a_double_up_question() -> None:
    turns = [turn(None, ["utter_emergency"])]
    msg = run(message("should I give her two glasses of water tonight", turns=turns))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "emergency"


def test_a_strong_opening_makes_a_longer_question_a_follow_up() -> None:
    said = (
        "What about shaking hands at the door after services? I still help out at a small "
        "church now and then."
    )
    turns = [turn("infection_prevention", ["utter_leaflet"])]
    msg = run(message(said, ranked=(("time_to_work", 0.1),), turns=turns))
    assert msg.get("follow_up")["section"] == "infection_prevention"


@pytest.mark.parametrize(
    "said, intent",
    [
        ("Can I just wait until my GP appointment on Friday? it's only 2 days", "request_human"),
        ("Should I go to emergency department or call rheumatology first?", "leaflet"),
        ("i got clinicals til 3, cant it wait til after", "out_of_scope"),
    ],
)
def test_asking_to_wait_after_an_escalation_gets_the_warning_again(said: str, intent: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(message(said, intent, 0.8, turns=turns))
    assert msg.get("intent")["name"] == "report_infection_sign"
    assert msg.get("safety")["rule"] == "asks to wait after an escalation"


def test_after_a_warning_the_earlier_answer_is_no_longer_the_topic() -> None:
    turns = [
        turn(None, ["utter_infection_warning", "action_escalate_infection"]),
        turn("storage", ["utter_leaflet"]),
    ]
    msg = run(message("and what about the ones in the drawer?", turns=turns))
    assert msg.get("follow_up") is None or msg.get("follow_up").get("section") != "storage"


@pytest.mark.parametrize(
    "said", ["so should I be taking it with breakfast instead?", "with food then?"]
)
def test_food_questions_after_the_nausea_answer_stay_on_nausea(said: str) -> None:
    msg = message(
        said, "leaflet", 0.99, (("how_to_take", 0.95),), [turn("nausea", ["utter_leaflet"])]
    )
    assert section(run(msg)) == "nausea"


@pytest.mark.parametrize(
    "said",
    [
        "right enough. a'll phone them the noo. cheers son",
        "aye ok hen, a'll get on tae the surgery",
        "Right, I'll phone the surgery straight away. Thanks pet.",
    ],
)
def test_acting_on_a_warning_in_scots_is_thanked(said: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(message(said, "report_infection_sign", 0.9, turns=turns))
    assert msg.get("intent")["name"] == "thanks"


def test_a_sure_answer_under_an_unsure_intent_is_given() -> None:
    # A first message with chatter round the question: the intent classifier unsure, the
    # answer selector sure of one section.
    chatty = "Hello there, grand day. Where's the best spot to keep my tablets?"
    assert section(run(message(chatty, ranked=(("storage", 0.96),)))) == "storage"
    assert section(run(message(chatty, ranked=(("storage", 0.6),)))) is None


def test_no_sure_answer_for_an_uncovered_topic_or_a_guard_decision() -> None:
    assert (
        section(run(message("can I have a sherry with them?", ranked=(("how_to_take", 0.97),))))
        is None
    )
    gibberish = message("zorp blam quix", ranked=(("storage", 0.99),))
    gibberish.set("answer_guard", "no known words")
    assert section(run(gibberish)) is None


@pytest.mark.parametrize(
    "text, intent, ranked",
    [
        ("Okay, understood. I will not stop on my own", "leaflet", (("stopping", 0.99),)),
        (
            "Lovely, I'll leave it to the consultant so. Thanks a million.",
            "nlu_fallback",
            (("dose", 0.3),),
        ),
        ("alright bet", "nlu_fallback", (("how_to_take", 0.2),)),
    ],
)
def test_an_acknowledgement_of_the_answer_is_thanked(text: str, intent: str, ranked: Any) -> None:
    msg = run(
        message(
            text,
            intent=intent,
            confidence=0.9,
            ranked=ranked,
            turns=[turn("stopping", ["utter_leaflet"])],
        )
    )
    assert msg.get("intent")["name"] == "thanks"


@pytest.mark.parametrize(
    "text, ranked",
    [
        ("ok and if I forget one?", (("missed_dose", 0.9),)),
        ("okay so can I stop it before surgery", (("stopping", 0.99),)),
        ("right, how long does it take to work", (("time_to_work", 0.99),)),
    ],
)
def test_an_acknowledgement_that_asks_is_not_thanked(text: str, ranked: Any) -> None:
    msg = run(
        message(
            text,
            intent="leaflet",
            confidence=0.9,
            ranked=ranked,
            turns=[turn("stopping", ["utter_leaflet"])],
        )
    )
    assert msg.get("intent")["name"] != "thanks"


def test_an_infection_report_right_after_the_emergency_reply_gets_the_emergency_reply() -> None:
    # "I have not taken anything yet. But I am alone..." read by the classifier as an
    # infection report, after the emergency reply to thoughts of taking all the tablets.
    turns = [turn(None, ["utter_emergency", "action_escalate_infection"])]
    msg = run(
        message(
            "not taken anything yet but I'm on my own and it comes back every night",
            "report_infection_sign",
            0.8,
            turns=turns,
        )
    )
    assert msg.get("intent")["name"] == "emergency"
    after_warning = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(
        message("and my throat is worse now", "report_infection_sign", 0.8, turns=after_warning)
    )
    assert msg.get("intent")["name"] == "report_infection_sign"


@pytest.mark.parametrize(
    "said, intent",
    [
        ("should i drive him myself? the ambulance takes forever here", "leaflet"),
        ("he's in his room now, should i take the tablets away from him?", "leaflet"),
        ("he seems fine right now playing do i still need to call somebody", "request_human"),
        ("what do I do", "nlu_fallback"),
        ("He is 4 year, 16 kg. Please what I do now??", "leaflet"),
        # conv35: after the crisis reply, refusing to call was answered "not sure".
        ("No, I don't want to call anybody. I just needed to say it to someone", "nlu_fallback"),
    ],
)
def test_a_question_about_the_emergency_right_after_its_reply_gets_it_again(
    said: str, intent: str
) -> None:
    # conv17: answered with storage, stopping and the nurse's hours.
    turns = [turn(None, ["utter_emergency"])]
    out = run(message(said, intent, 0.9, ranked=(("storage", 0.85),), turns=turns))
    assert out.get("intent")["name"] == "emergency"
    # Not after an answer: the same words are the question they are.
    later = run(message(said, intent, 0.9, ranked=(("storage", 0.85),), turns=AFTER_NAUSEA))
    assert later.get("intent")["name"] != "emergency"


def test_saying_the_ambulance_is_called_after_the_emergency_reply_is_thanks() -> None:
    turns = [turn(None, ["utter_emergency"])]
    out = run(message("ok calling the ambulance now", "nlu_fallback", turns=turns))
    assert out.get("intent")["name"] == "thanks"


def test_can_i_not_just_wait_after_a_warning_is_warned_again() -> None:
    after_warning = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(
        message(
            "can i not just wait till his appointment on thursday?",
            "request_human",
            0.99,
            turns=after_warning,
        )
    )
    assert out.get("intent")["name"] == "report_infection_sign"


def test_asking_to_treat_it_at_home_after_a_warning_is_warned_again() -> None:
    after_warning = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    said = "he's keeping water down now. can i just give him immodium?"
    out = run(message(said, "other_drug", 0.99, turns=after_warning))
    assert out.get("intent")["name"] == "report_infection_sign"


@pytest.mark.parametrize(
    "said", ["ok taking him to the doctor just now", "Okay. Okay, I'll call. Thank you, sorry."]
)
def test_saying_they_are_taking_him_in_after_a_warning_is_thanks(said: str) -> None:
    # conv17: "ok taking him to the doctor just now" got the stopping section.
    after_warning = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    out = run(message(said, "leaflet", 0.7, ranked=(("stopping", 0.5),), turns=after_warning))
    assert out.get("intent")["name"] == "thanks"


def test_an_unsure_classifier_emergency_right_after_the_emergency_reply_stays_one() -> None:
    # "i feel alright tho, just kinda woozy" after an overdose: the detector's "woozy"
    # must not turn the emergency into an infection warning (conv19).
    turns = [turn(None, ["utter_emergency"])]
    msg = run(
        message("feel ok actually, bit lightheaded, prob fine yeah?", "emergency", 0.6, turns=turns)
    )
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "emergency"


def test_asking_whether_they_really_must_call_after_the_emergency_reply_gets_it_again() -> None:
    turns = [turn(None, ["utter_emergency"])]
    msg = run(
        message(
            "he seems fine now, do we really gotta call anyone", "request_human", 0.9, turns=turns
        )
    )
    assert msg.get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "said", ["ok I've told him to go to the GP. thanks", "thanks, she's on her way to the hospital"]
)
def test_saying_the_patient_was_sent_after_a_warning_is_thanks(said: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(message(said, "report_infection_sign", 0.9, turns=turns))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "thanks"


@pytest.mark.parametrize("said", ["yep will call em", "yeah righto"])
def test_short_australian_acknowledgements_after_a_warning_are_thanks(said: str) -> None:
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(message(said, "report_infection_sign", 0.9, turns=turns))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "thanks"


@pytest.mark.parametrize(
    "said",
    ["who do I call, tell me exactly what to do", "me Deaf, 911 call me can't. other way HOW?"],
)
def test_asking_how_to_get_help_after_the_emergency_reply_gets_it_again(said: str) -> None:
    turns = [turn(None, ["utter_emergency"])]
    msg = run(message(said, "request_human", 0.9, turns=turns))
    assert msg.get("intent")["name"] == "emergency"


def test_doubting_the_warning_with_a_good_result_gets_the_warning_again() -> None:
    # "but the blood test 3 weeks ago it was ok, the doctor say good" after the warning
    # for yellow eyes and dark urine (conv24).
    turns = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]
    msg = run(
        message("but his last blood test was fine, the doctor said so", "leaflet", 0.9, turns=turns)
    )
    assert msg.get("intent")["name"] == "report_infection_sign"


# Tenth session, from conv25-28 (after their untuned lines); each sentence a variant.
WARNED = [turn(None, ["utter_infection_warning", "action_escalate_infection"])]


@pytest.mark.parametrize(
    "said",
    [
        "Aye, I will ring dem. Dat is aa for noo, thanks.",
        "Rosa is ringing them now",
        "ok my mam on her way to get me",
        "ok ill ring them now. chur uce",
        "Ok she a drive mi down now",
    ],
)
def test_acting_on_a_warning_in_dialect_or_with_a_name_is_thanked(said: str) -> None:
    out = run(message(said, "report_infection_sign", 0.9, turns=WARNED))
    assert out.get("intent")["name"] == "thanks"


@pytest.mark.parametrize(
    "said",
    [
        "Pat is ringing them but she is getting worse",  # turns
        "ok ringing them, her lips are blue",  # two words more than a name
        "what if Pat rings them tomorrow",  # asks
    ],
)
def test_acting_on_a_warning_that_turns_or_says_more_is_not_thanked(said: str) -> None:
    out = run(message(said, "report_infection_sign", 0.9, turns=WARNED))
    assert out.get("intent")["name"] != "thanks"


def test_an_uncovered_topic_asked_right_after_a_warning_is_not_more_about_the_sign() -> None:
    beer = run(message("and a beer with my mates on friday?", "out_of_scope", 0.95, turns=WARNED))
    assert beer.get("intent")["name"] == "out_of_scope"
    # An unplaced message right after the warning still gets it again.
    unplaced = run(message("its been like that since tuesday", turns=WARNED))
    assert unplaced.get("intent")["name"] == "report_infection_sign"


def test_an_unsure_out_of_the_leaflet_question_right_after_an_answer_is_its_follow_up() -> None:
    after = [turn("missed_dose", ["utter_leaflet"], (("missed_dose", 0.9),))]
    msg = run(
        message("and tomorrow just the usual one?", "out_of_scope", 0.83, (("dose", 0.3),), after)
    )
    assert section(msg) == "missed_dose"
    sure = run(message("and tomorrow just the usual one?", "out_of_scope", 0.95, turns=after))
    assert sure.get("intent")["name"] == "out_of_scope"


def test_an_escalated_question_leaning_on_the_answer_with_no_sign_word_gets_the_answer() -> None:
    # The classifier read the topic as a complaint ("how long does this go on?" after the
    # nausea answer); the detector finds no sign, emergency or calm phrase at all.
    ranked = (("nausea", 0.3), ("time_to_work", 0.2))
    msg = run(
        message(
            "and how long does that usually go on for?",
            "report_infection_sign",
            0.9,
            ranked,
            AFTER_NAUSEA,
        )
    )
    assert msg.get("follow_up_candidate") == "nausea"
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert section(msg) == "nausea"
    assert msg.get("safety")["rule"].startswith("classifier escalation withdrawn")


@pytest.mark.parametrize(
    "said",
    [
        "and how long does that go on, she's been vomiting since last night?",
        "is that why he's had the skitters all day?",
    ],
)
def test_a_follow_up_question_naming_a_sign_still_escalates(said: str) -> None:
    ranked = (("nausea", 0.3), ("time_to_work", 0.2))
    msg = run(message(said, "report_infection_sign", 0.9, ranked, AFTER_NAUSEA))
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "report_infection_sign"


def test_a_statement_after_an_answer_is_no_follow_up_candidate() -> None:
    ranked = (("nausea", 0.3), ("time_to_work", 0.2))
    said = "thing is he's been off his food since last night n not himself"
    msg = run(message(said, "report_infection_sign", 0.9, ranked, AFTER_NAUSEA))
    assert msg.get("follow_up_candidate") is None
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "report_infection_sign"


def test_a_withdrawn_escalation_that_names_another_medicine_gets_the_not_covered_reply() -> (None):
    """The classifier escalated a painkiller question; the detector finds the pain's cause
    is the disease (no sign) and withdraws it. The next intent would be a leaflet answer;
    the medicines the answer guard noted make it the "not covered" reply instead."""
    said = "Can I take Advil for my back pain, I take imuran too?"
    msg = message(said, "report_infection_sign", 0.9, ranked=(("stopping", 0.7),))
    ranked = [
        {"name": "report_infection_sign", "confidence": 0.6},
        {"name": "leaflet", "confidence": 0.4},
    ]
    msg.set("intent_ranking", [dict(r) for r in ranked])
    msg.set("other_drugs_if_withdrawn", ["Ibuprofen"])
    InfectionSignDetector({"lexicon": None}).process([msg])
    assert msg.get("intent")["name"] == "other_drug"
    assert msg.get("other_drugs") == ["Ibuprofen"]
    without = message(said, "report_infection_sign", 0.9, ranked=(("stopping", 0.7),))
    without.set("intent_ranking", [dict(r) for r in ranked])
    InfectionSignDetector({"lexicon": None}).process([without])
    assert without.get("intent")["name"] == "leaflet"  # what the noted medicines change
