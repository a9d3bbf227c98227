"""A message read next to what the assistant just said (content/follow_ups.yml).

The processor puts a brief of the last two turns on each message (rasa_patches/conversation.py);
this component, after the answer guard and before the safety detector, uses them:
1. a pressed "Did you mean ...?" button (its question, or its number typed) answers that
   section;
2. "yes" to the assistant's offer does what was offered: that section's answer, or, after
   "Do you have any of these signs now?", the infection warning and escalation; "no" is
   answered like thanks ("All right. Anything else?"). Yes and no are read from the words
   in content/follow_ups.yml, not learned: new intents would retrain the classifiers;
3. a follow-up question the model could not place on its own ("how long does that
   last?", "and for kids?") answers the section just answered; so does one the model
   placed elsewhere, or called out of the leaflet, with little confidence when that
   section is among its best three. A statement ("ok we'll move them to the drawer",
   "that's all, thanks") is never a follow-up, and the longer the message the more it
   must point back (see `leans_on`);
4. a message still unplaced after all that (nlu_fallback) whose answer the selector chose
   with at least ``sure_answer_threshold`` confidence gets that answer, unless it names a
   topic the leaflet does not cover: greetings, weather and family news round a plain
   question spread the intent classifier's confidence, not the selector's.
Only the last two turns count, so an old topic never leaks into an unrelated turn. It
never lowers safety: an emergency or infection report stays one, and the detector after
it still reads every message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.content import CONTENT_DIR
from components.base import BuiltComponent
from components.drugs import OtherDrugPolicy
from components.intent_override import (
    CONTEXT_RULE,
    DENIABLE,
    FOLLOW_UP_CANDIDATE_KEY,
    GUARD_KEY,
    LEAFLET,
    OTHER_DRUG_INTENT,
    RESPONSE_SELECTOR_KEY,
    SURE_ANSWER_KEY,
    answer_confidence,
    answer_key,
    answer_section,
    answer_threshold,
    intent_confidence,
    override_intent,
)
from components.phrases import uncovered_pattern
from rasa_patches.conversation import CONTEXT_KEY

FOLLOW_UPS = CONTENT_DIR / "follow_ups.yml"
SAFETY_LEXICON = CONTENT_DIR / "safety_lexicon.yml"
ANSWER = "utter_leaflet"  # the action that answers a leaflet question
CLARIFY = "utter_clarify"  # the "Did you mean ...?" reply when there are candidates
DECLINED = "offer declined"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
ESCALATION_ACTION = "action_escalate_infection"
EMERGENCY_ACTION = "utter_emergency"
DECLINED_REPLY = "All right. Is there anything else about Imuran I can help with?"
INFECTION_INTENT = "report_infection_sign"
EMERGENCY_INTENT = "emergency"
ESCALATING = frozenset({INFECTION_INTENT, EMERGENCY_INTENT})
WORDS = re.compile(r"[a-z0-9']+")
# A confident answer elsewhere is left alone; a follow-up may overrule a weaker one.
OVERRULE_BELOW = 0.8


@dataclass(frozen=True)
class FollowUpRules:
    """content/follow_ups.yml, read once."""

    questions: Dict[str, str]
    offers: Dict[str, Dict[str, Any]]
    buttons: int
    min_total_confidence: float
    max_words: int
    short_words: int
    long_words: int
    pointing_back: List[str]
    openings: List[str]
    strong_openings: List[str]
    yes: frozenset
    no: frozenset
    acting_on_it: "re.Pattern[str]"
    acting_filler: frozenset
    acting_other_words: int
    acting_turns: "re.Pattern[str]"
    acting_verbs: "re.Pattern[str]"
    question_openers: frozenset  # the safety lexicon's, so "a question" means one thing
    question_lead_ins: frozenset
    inverted_question: "re.Pattern[str]"
    leaning_words: frozenset
    closing_words: frozenset
    acknowledging_openings: List[str]
    drawn_elsewhere: Dict[str, Dict[str, List[str]]]  # section -> from, own_words, always_from
    asks_to_wait: "re.Pattern[str]"
    about_the_emergency: "re.Pattern[str]"

    @classmethod
    def load(cls, path: Path = FOLLOW_UPS) -> "FollowUpRules":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        follow = data["follow_up"]
        return cls(
            questions={k: str(v["question"]) for k, v in data["sections"].items()},
            offers={k: dict(v["offer"]) for k, v in data["sections"].items() if v.get("offer")},
            buttons=int(data["did_you_mean"]["buttons"]),
            min_total_confidence=float(data["did_you_mean"]["min_total_confidence"]),
            max_words=int(follow["max_words"]),
            short_words=int(follow["short_words"]),
            long_words=int(follow["long_words"]),
            pointing_back=[str(w) for w in follow["pointing_back"]],
            openings=[str(w) for w in follow["openings"]],
            strong_openings=[str(w) for w in follow.get("strong_openings") or []],
            yes=frozenset(normal(str(w)) for w in data["replies"]["accept"]),
            no=frozenset(normal(str(w)) for w in data["replies"]["decline"]),
            acting_on_it=re.compile(
                "|".join(f"(?:{p})" for p in data["replies"].get("acting_on_it") or []) or r"(?!x)x"
            ),
            acting_filler=frozenset(str(w) for w in data["replies"].get("acting_filler") or []),
            acting_other_words=int(data["replies"].get("acting_other_words", 0)),
            acting_turns=re.compile(str(data["replies"].get("acting_turns") or r"(?!x)x")),
            acting_verbs=re.compile(str(data["replies"].get("acting_verbs") or r"(?!x)x")),
            question_openers=frozenset(lexicon_entry("question_openers")),
            question_lead_ins=frozenset(str(w) for w in follow["question_lead_ins"]),
            inverted_question=re.compile(str(follow["inverted_question"])),
            leaning_words=frozenset(str(w) for w in data["drawn_elsewhere"]["leaning_words"]),
            closing_words=frozenset(normal(str(w)) for w in follow["closing_words"]),
            acknowledging_openings=[
                normal(str(w)) for w in follow.get("acknowledging_openings") or []
            ],
            drawn_elsewhere={
                str(k): {
                    part: [str(w) for w in v.get(part) or []]
                    for part in ("from", "own_words", "always_from")
                }
                for k, v in data["drawn_elsewhere"]["sections"].items()
            },
            asks_to_wait=re.compile(str(data.get("asks_to_wait") or r"(?!x)x")),
            about_the_emergency=re.compile(str(data.get("about_the_emergency") or r"(?!x)x")),
        )


def lexicon_entry(key: str, path: Path = SAFETY_LEXICON) -> Any:
    """One entry of the safety lexicon, read with libyaml's loader: the whole file takes
    0.43 s with the pure-Python one, 0.03 s with this, and it is read at start-up."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)[key]  # noqa: S506


def normal(text: str) -> str:
    """Lower case words only: "Yes, please!" -> "yes please"."""
    return " ".join(WORDS.findall(text.lower().replace("’", "'")))


def opens_with(text: str, openings: List[str]) -> bool:
    """The (normal) text starts with one of the openings as whole words ("and for ...")."""
    padded = f" {text} "
    return any(padded.startswith(f" {opening} ") for opening in openings)


def points_back(rules: FollowUpRules, text: str) -> bool:
    """A word that leans on what was just said, or an opening such as "and for"."""
    padded = f" {text} "
    return any(f" {cue} " in padded for cue in rules.pointing_back) or opens_with(
        text, rules.openings
    )


def asks(rules: FollowUpRules, text: str, raw: str) -> bool:
    """A question in any form: a "?", a follow-up opening ("and for kids"), a question
    word first (after "ok", "and"...), or a question's word order anywhere ("she says can
    she have 2 tomorrow")."""
    if opens_with(text, rules.openings):
        return True
    words = text.split()
    while words and words[0] in rules.question_lead_ins:
        words = words[1:]
    return (
        "?" in raw
        or bool(words)
        and words[0] in rules.question_openers
        or bool(rules.inverted_question.search(text))
    )


def drawn_elsewhere(rules: FollowUpRules, text: str, raw: str, chosen: str, topic: str) -> bool:
    """A short question leaning on the answer just given (the topic) that the model read
    as a section it is drawn to by wording alone (content/follow_ups.yml,
    drawn_elsewhere), without that section's own words: "how long does that last?" after
    the side effects answer, read as time_to_work."""
    drawn = rules.drawn_elsewhere.get(chosen)
    words = text.split()
    if drawn is None or topic not in drawn["from"]:
        return False
    if len(words) > rules.max_words or not asks(rules, text, raw):
        return False
    own_words = [] if topic in drawn["always_from"] else drawn["own_words"]
    padded = f" {text} "
    leaning = any(w in rules.leaning_words for w in words) or points_back(rules, text)
    return leaning and not any(f" {w} " in padded for w in own_words)


def closes(rules: FollowUpRules, text: str) -> bool:
    """Every word only closes or acknowledges: "ok ty", "No, that covers it."."""
    return all(w in rules.closing_words for w in text.split())


def leans_on(rules: FollowUpRules, text: str, raw: str, topic_ranked: bool) -> bool:
    """Whether a message reads as a follow-up to the answer just given. Very short ones
    do ("the shingles one?", "cuz im sick of it"); longer ones only as questions: up to
    max_words, one that points back or whose best candidates include the topic; up to
    long_words, only one that does both or opens with a strong opening ("what about")."""
    words = len(text.split())
    if not words or words > rules.long_words:
        return False
    if words <= rules.short_words and not closes(rules, text):
        return True  # "cuz im sick of it", "only started 2 wks ago": the topic goes on
    if not asks(rules, text, raw):
        return False
    if words <= rules.max_words:
        return topic_ranked or points_back(rules, text)
    if opens_with(text, rules.strong_openings):
        return True  # "What about shaking hands at the door? I still fill in at church."
    return topic_ranked and points_back(rules, text)


def acts_on_it(rules: FollowUpRules, text: str) -> bool:
    """Only says they will act on the warning or thanks ("Roger. Calling now."): every
    word is covered by the acting-on-it phrases or the filler words, or, when it says
    they will call or go, all but a name ("Pat is ringing them now", "ok my mama on her
    way to get me"), and nothing asks or turns ("but", "worse", "not breathing")."""
    left = rules.acting_on_it.sub(" ", text)
    others = [w for w in left.split() if w not in rules.acting_filler]
    if not text.strip() or len(others) > rules.acting_other_words:
        return False
    if not others:
        return True
    return (
        bool(rules.acting_verbs.search(text))
        and text.split()[0] not in rules.question_openers
        and not rules.acting_turns.search(text)
    )


def is_question(rules: FollowUpRules, text: str, raw: str) -> bool:
    """Ends with "?" or opens with a question word."""
    words = text.split()
    return raw.rstrip().endswith("?") or bool(words) and words[0] in rules.question_openers


def answer_ranking(selectors: Optional[Dict[str, Any]]) -> List[List[Any]]:
    """The answer model's [key, confidence] pairs, best first, from a parse's
    `response_selector` (the same shape rasa_patches/conversation.py keeps per turn)."""
    selector = (selectors or {}).get(LEAFLET) or {}
    return [
        [str(r.get("intent_response_key") or ""), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)]
        for r in selector.get("ranking") or []
    ]


def ranked_sections(message: Message) -> List[str]:
    """The answer model's sections, best first."""
    keys = [key for key, _ in answer_ranking(message.get(RESPONSE_SELECTOR_KEY))]
    return [k.split("/", 1)[1] for k in keys if "/" in k]


def current_topic(turns: List[Dict[str, Any]]) -> Optional[str]:
    """The section answered last, unless a warning or the emergency reply came after it:
    after "call your doctor now", "Ok noted, I will call them. Thanks" is not about the
    storage answer of three turns before."""
    for turn in turns:
        actions = turn.get("actions") or []
        if ESCALATION_ACTION in actions or EMERGENCY_ACTION in actions:
            return None
        if ANSWER in actions:
            return section_of(turn)
    return None


def section_of(turn: Dict[str, Any]) -> Optional[str]:
    """The leaflet section a turn's brief says was answered ("leaflet/storage" -> "storage")."""
    answer = str(turn.get("answer") or "")
    return answer.split("/", 1)[1] if answer.startswith(f"{LEAFLET}/") else None


def offered_options(rules: "FollowUpRules", ranking: List[Any]) -> List[str]:
    """The sections "Did you mean ...?" offers for a ranking of [key, confidence] pairs
    (best first): the best few with a button question, when together they hold enough of
    the answer model's confidence; else none."""
    best = []
    for key, confidence in ranking[: rules.buttons]:
        section = str(key).split("/", 1)[1] if "/" in str(key) else ""
        if section in rules.questions:
            best.append((section, float(confidence)))
    if sum(c for _, c in best) < rules.min_total_confidence:
        return []
    return [s for s, _ in best]


def chosen_section(message: Message) -> str:
    """The section the answer model chose for the message ("" when none)."""
    return (answer_key(message, LEAFLET) or "").split("/", 1)[-1]


def after_a_warning(actions: List[str]) -> bool:
    """The turn before ran the infection warning or the emergency reply."""
    return ESCALATION_ACTION in actions or EMERGENCY_ACTION in actions


def thank_for_acting(message: Message) -> bool:
    """Makes a message that only says they will act on a warning a thanks."""
    message.set("follow_up", {"rule": "acting on the warning"}, add_to_output=True)
    override_intent(message, "thanks", 1.0)
    return True


def escalate(message: Message, rule: str, classifier_intent: str, deniable: bool = False) -> bool:
    """Makes the message a report of a sign, with the rule that decided it (it reaches the
    escalation record as the safety detector's findings do). `deniable`: the message
    itself may still deny it (components/intent_override.py, DENIABLE)."""
    message.set(
        "safety",
        {
            "rule": rule,
            "signs": [],
            "classifier_intent": classifier_intent,
            CONTEXT_RULE: True,
            DENIABLE: deniable,
        },
        add_to_output=True,
    )
    override_intent(message, INFECTION_INTENT, 1.0)
    return True


def emergency_again(message: Message) -> bool:
    """Makes a message right after the emergency reply that reply again (with the crisis
    line): kept by the detector, as every escalation the conversation decided is."""
    message.set(
        "safety",
        {"rule": "follow-up to an emergency", "signs": [], CONTEXT_RULE: True},
        add_to_output=True,
    )
    override_intent(message, EMERGENCY_INTENT, 1.0)
    return True


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ConversationContext(BuiltComponent):
    """Reads a message next to the bot's recent replies; see the module docstring."""

    stores_nothing = True  # the rules are read from content/ when the server starts

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"rules": None, "sure_answer_threshold": 0.9}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.rules = FollowUpRules.load(Path(config.get("rules") or FOLLOW_UPS))
        self.sure_answer_threshold = float(config.get("sure_answer_threshold") or 0.9)
        self.uncovered = uncovered_pattern(CONTENT_DIR / "uncovered_topics.yml")
        self.other_drugs = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
        self.question_sections = {normal(q): s for s, q in self.rules.questions.items()}

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "ConversationContext":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            turns = ((message.get("metadata") or {}).get(CONTEXT_KEY)) or []
            intent = str((message.get(INTENT) or {}).get(INTENT_NAME_KEY) or "")
            self._mark_sure_answer(message)
            if intent not in ESCALATING:
                self._read_in_context(message, intent, turns)
                self._sure_answer(message)
            elif self._acting_on_the_warning(message, turns) or self._after_an_emergency(
                message, intent, turns
            ):
                pass
            elif self._about_a_sign(message, turns):
                # The classifier escalated where the conversation is about a sign: the
                # detector, which reads the message alone, must not withdraw it ("it's
                # been burning since Tuesday, 99.9 this morning" after the signs list).
                keep = {
                    "rule": "escalation in a conversation about a sign",
                    CONTEXT_RULE: True,
                    DENIABLE: True,
                }
                message.set("safety", {**(message.get("safety") or {}), **keep}, add_to_output=True)
            elif intent == INFECTION_INTENT:
                self._mark_follow_up_candidate(message, turns)
        return messages

    def _mark_follow_up_candidate(self, message: Message, turns: List[Dict]) -> None:
        """Leaves the section just answered on a message the classifier called an
        infection report that is a question (a "?" or a question word first) leaning on
        that answer (FOLLOW_UP_CANDIDATE_KEY, the test of `leans_on`). The safety
        detector, which alone knows whether the message names a sign, decides: over the
        development conversations, every question escalated right after an answer named
        a sign the lexicon knows (docs/safety.md). Not looser: up to long_words with a
        word pointing back, "he's had the skitters since last night" was taken for a
        follow-up."""
        topic = current_topic(turns)
        raw = str(message.get(TEXT) or "")
        text = normal(raw)
        ranked = bool(topic) and topic in ranked_sections(message)[: self.rules.buttons]
        if topic and is_question(self.rules, text, raw) and leans_on(self.rules, text, raw, ranked):
            message.set(FOLLOW_UP_CANDIDATE_KEY, topic, add_to_output=True)

    def _mark_sure_answer(self, message: Message) -> None:
        """Leaves on the message the section rule 4 of the module docstring would give it
        (SURE_ANSWER_KEY): the safety detector uses it too when it withdraws an
        escalation."""
        section = chosen_section(message)
        if (
            section
            and not message.get(GUARD_KEY)  # not "no known words", not a weak answer
            and (answer_confidence(message, LEAFLET) or 0.0) >= self.sure_answer_threshold
            and not self.uncovered.search(str(message.get(TEXT) or ""))
        ):
            message.set(SURE_ANSWER_KEY, section, add_to_output=True)

    @staticmethod
    def _sure_answer(message: Message) -> None:
        """Rule 4 of the module docstring."""
        section = message.get(SURE_ANSWER_KEY)
        if section and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == FALLBACK:
            answer_section(message, str(section), "sure answer")

    def _acting_on_the_warning(self, message: Message, turns: List[Dict]) -> bool:
        """Right after a warning or the emergency reply, a message the classifier
        escalated that only says they will act on it ("Ok, I will call her doctor right
        now. Thanks"): thanked. The detector after this still reads it, so a sign in it
        escalates again."""
        actions = (turns[0] if turns else {}).get("actions") or []
        text = normal(str(message.get(TEXT) or ""))
        return (
            after_a_warning(actions) and acts_on_it(self.rules, text) and thank_for_acting(message)
        )

    def _after_an_emergency(self, message: Message, intent: str, turns: List[Dict]) -> bool:
        """Right after the emergency reply, a message the classifier called an infection
        report ("I have not taken anything yet. But I am alone in the house and this
        thought comes every night."): the emergency reply again, with the crisis line. A
        new infection sign named in it still gets the emergency reply, which also says
        to call."""
        actions = (turns[0] if turns else {}).get("actions") or []
        if intent not in ESCALATING or EMERGENCY_ACTION not in actions:
            return False
        # The classifier's own emergency too, however unsure: "i feel alright tho, just
        # kinda woozy. probably fine right" after an overdose must not become a mere
        # infection warning when the detector finds "woozy".
        return emergency_again(message)

    def _about_a_sign(self, message: Message, turns: List[Dict]) -> bool:
        """Right after an escalation, or a statement answering "Do you have any of these
        signs now?"."""
        latest = turns[0] if turns else {}
        actions = latest.get("actions") or []
        if ESCALATION_ACTION in actions:
            return True
        answered = section_of(latest) if ANSWER in actions else None
        offer = self.rules.offers.get(answered or "") or {}
        text = str(message.get(TEXT) or "")
        return bool(offer.get("signs_check")) and not is_question(self.rules, normal(text), text)

    def _read_in_context(self, message: Message, intent: str, turns: List[Dict]) -> None:
        text = normal(message.get(TEXT) or "")
        latest = turns[0] if turns else {}
        actions = latest.get("actions") or []
        options = offered_options(self.rules, latest.get("ranking") or [])
        if self._pressed_option(message, text, options if CLARIFY in actions else []):
            return
        answered = section_of(latest) if ANSWER in actions else None
        offer = self.rules.offers.get(answered or "")
        if offer and self._answered_offer(message, text, intent, offer):
            return
        waits = bool(self.rules.asks_to_wait.search(text))
        about_it = waits or bool(self.rules.about_the_emergency.search(text))
        if EMERGENCY_ACTION in actions and about_it and not acts_on_it(self.rules, text):
            # "should I drive him myself? the ambulance takes forever": call now.
            emergency_again(message)
            return
        if after_a_warning(actions) and acts_on_it(self.rules, text):
            # "ok taking him to the doctor just now", whatever section the model chose:
            # every word says they act on the warning.
            thank_for_acting(message)
            return
        if ESCALATION_ACTION in actions and waits:
            # "can I just wait until Friday?": the warning again (call now), not the
            # nurse's hours or a leaflet answer.
            escalate(message, "asks to wait after an escalation", intent)
            return
        unplaced = intent == FALLBACK or intent == OUT_OF_SCOPE and not message.get(GUARD_KEY)
        if answered and self._acknowledges(message, text, intent, answered, unplaced):
            return
        # "and beer with clients?" right after a warning: a topic the leaflet does not
        # cover, asked about, not more about the sign.
        raw = str(message.get(TEXT) or "")
        new_topic = intent == OUT_OF_SCOPE and bool(self.uncovered.search(raw))
        if unplaced and not new_topic and self._still_about_a_sign(message, text, actions, offer):
            return
        topic = current_topic(turns)
        if not topic:
            return
        if intent == OTHER_DRUG_INTENT and self._named_for_topic(message, topic):
            # "what about methotrexate?" after the alternatives answer, "will they bring
            # the pred down?" after the combination answer: a medicine the sources name
            # for the topic, not another drug's question.
            self._answer(message, topic, "medicine the sources name for the topic")
            return
        ranked = topic in ranked_sections(message)[: self.rules.buttons]
        unplaced_question = self._unplaced_question(message, intent, text, raw)
        if (
            unplaced_question
            and intent == OUT_OF_SCOPE
            and len(text.split()) <= self.rules.max_words
        ):
            self._answer(message, topic, "follow-up")
        elif leans_on(self.rules, text, raw, ranked) or unplaced_question:
            self._follow_up(message, intent, topic, ranked, text)
        elif intent == LEAFLET and not message.get(GUARD_KEY):
            chosen = chosen_section(message)
            if chosen != topic and drawn_elsewhere(self.rules, text, raw, chosen, topic):
                self._answer(message, topic, "follow-up drawn elsewhere")

    def _unplaced_question(self, message: Message, intent: str, text: str, raw: str) -> bool:
        """A question the model could not place at all (nlu_fallback), or called out of the
        leaflet without being sure and without naming an uncovered topic ("and tomorrow
        just the usual one?" after the missed-dose answer; up to max_words, longer ones
        only with the topic among the best candidates), right after an answer, up to
        long_words: most are about that answer in words the model does not know ("he
        screams at the needle tho. wat happens if we just skip the one next week" after
        the blood tests answer). Over the development conversations, 2 in 3 such turns
        were about the topic; the rest were new topics the model could not place either,
        which got "not sure" before."""
        unsure_out_of_scope = (
            intent == OUT_OF_SCOPE
            and not message.get(GUARD_KEY)
            and intent_confidence(message) < self.sure_answer_threshold
        )
        return (
            (intent == FALLBACK or unsure_out_of_scope)
            and len(text.split()) <= self.rules.long_words
            and asks(self.rules, text, raw)
            and not closes(self.rules, text)
        )

    def _acknowledges(
        self, message: Message, text: str, intent: str, answered: str, unplaced: bool
    ) -> bool:
        """Right after an answer, a message that opens by acknowledging it and asks
        nothing (content/follow_ups.yml, acknowledging_openings), which the classifier
        could not place or placed on the answer just given: thanked. The detector after
        this still reads it, so a sign in it escalates."""
        raw = str(message.get(TEXT) or "")
        if (
            len(text.split()) > self.rules.max_words
            or not opens_with(text, self.rules.acknowledging_openings)
            or asks(self.rules, text, raw)
            or not (unplaced or intent == LEAFLET and chosen_section(message) == answered)
        ):
            return False
        message.set("follow_up", {"rule": "acknowledges the answer"}, add_to_output=True)
        override_intent(message, "thanks", 1.0)
        return True

    def _named_for_topic(self, message: Message, topic: str) -> bool:
        """Every medicine named is this drug or one the sources name for the topic, the
        topic is among the answer model's best candidates, and the question relates the
        medicine to this one ("how does that compare", "once the aza starts working"),
        not asks about the medicine itself ("what's methotrexate like side effects wise",
        "the pred has me not sleeping")."""
        entities = message.get(ENTITIES) or []
        text = normal(str(message.get(TEXT) or ""))
        return (
            self.other_drugs.relates(entities, text)
            and topic in ranked_sections(message)[: self.rules.buttons]
            and self.other_drugs.named_for_section(entities, topic)
            and not self.other_drugs.other_drugs(entities, topic, str(message.get(TEXT) or ""))
        )

    def _pressed_option(self, message: Message, text: str, options: List[str]) -> bool:
        """A "Did you mean ...?" button typed as its number, or any section's button
        question (a press sends the question as the patient's message)."""
        if text.isdigit() and 1 <= int(text) <= len(options):
            return self._answer(message, str(options[int(text) - 1]), "option chosen")
        section = self.question_sections.get(text)
        return section is not None and self._answer(message, section, "button question")

    def _answer(self, message: Message, section: str, rule: str) -> bool:
        answer_section(message, section, rule)
        return True

    def _answered_offer(
        self, message: Message, text: str, intent: str, offer: Dict[str, Any]
    ) -> bool:
        declined = text in self.rules.no or (
            text.split()[:1] in (["no"], ["nah"], ["nope"]) and closes(self.rules, text)
        )
        if declined:
            # "No thanks": answered like thanks, in words that fit (components/leaflet_nlg.py).
            message.set("follow_up", {"rule": DECLINED}, add_to_output=True)
            override_intent(message, "thanks", 1.0)
            return True
        if text not in self.rules.yes:
            return False
        if offer.get("signs_check"):
            # "Do you have any of these signs now?" "Yes": a report of a listed sign.
            return escalate(message, "said yes to having a listed sign", intent)
        section = offer.get("section")
        return bool(section) and self._answer(message, str(section), "offer accepted")

    def _still_about_a_sign(
        self, message: Message, text: str, actions: List[str], offer: Optional[Dict[str, Any]]
    ) -> bool:
        """A message the model could not place or called out of the leaflet, right
        after an escalation ("can it wait till Monday?") or after "Do you have any of
        these signs now?" when it is not a question ("it's been burning since Tuesday"):
        the warning again, not "not sure"."""
        if EMERGENCY_ACTION in actions and not acts_on_it(self.rules, text):
            # "I'm at the house by myself right now" after the emergency reply: the
            # emergency reply again (with the crisis line), never "not sure".
            return emergency_again(message)
        if after_a_warning(actions) and (acts_on_it(self.rules, text) or closes(self.rules, text)):
            # "ok I'll ring them now, thanks": thanked, not warned again.
            return thank_for_acting(message)
        after_escalation = ESCALATION_ACTION in actions
        answers_signs_check = bool(offer and offer.get("signs_check")) and not is_question(
            self.rules, text, str(message.get(TEXT) or "")
        )
        if not (after_escalation or answers_signs_check):
            return False
        rule = "follow-up to an escalation" if after_escalation else "answer to the signs question"
        return escalate(message, rule, FALLBACK, deniable=True)

    def _follow_up(
        self, message: Message, intent: str, topic: str, ranked: bool, text: str
    ) -> None:
        """Answers the topic when the model could not place the message; or placed it
        elsewhere, or out of the leaflet, with little confidence and the topic is among
        its best candidates. The answer guard's own decisions (another medicine, a topic
        the leaflet does not cover) stand."""
        confidence = intent_confidence(message)
        if (
            intent in ("nlu_fallback", "")
            or intent == LEAFLET
            and (answer_confidence(message, LEAFLET) or 0.0) < answer_threshold(message)
        ):
            self._answer(message, topic, "follow-up")
            return
        if intent == OUT_OF_SCOPE and not message.get(GUARD_KEY):
            if ranked and confidence < OVERRULE_BELOW:
                self._answer(message, topic, "follow-up")
            return
        chosen = chosen_section(message)
        if intent != LEAFLET or chosen == topic:
            return
        confident = (answer_confidence(message, LEAFLET) or 0.0) >= OVERRULE_BELOW
        if not confident and ranked:
            self._answer(message, topic, "follow-up")
        elif drawn_elsewhere(self.rules, text, str(message.get(TEXT) or ""), chosen, topic):
            self._answer(message, topic, "follow-up drawn elsewhere")


# -- What the response generator adds (components/leaflet_nlg.py) ------------------------
def with_offer(rules: "FollowUpRules", section: str, message: Dict[str, Any]) -> Dict[str, Any]:
    """A section's answer with its offer asked after it (the next turn knows it was
    asked from the section answered)."""
    offer = rules.offers.get(section)
    text = str(message.get("text") or "")
    if not offer or not text:
        return message
    # Before the citation, which stays the answer's last line (the widget styles it so).
    body, cut, citation = text.rpartition("\n\nSource:")
    if not cut:
        return {**message, "text": f"{text}\n\n{offer['text']}"}
    return {**message, "text": f"{body}\n\n{offer['text']}{cut}{citation}"}


def did_you_mean(
    rules: "FollowUpRules", parse: Dict[str, Any], message: Dict[str, Any], safety_line: str
) -> Dict[str, Any]:
    """The clarifying reply as "Did you mean ...?" with the model's best sections as
    buttons (see offered_options); else unchanged."""
    options = offered_options(rules, answer_ranking(parse.get(RESPONSE_SELECTOR_KEY)))
    if not options:
        return message
    listed = " ".join(f"{n}. {rules.questions[s]}" for n, s in enumerate(options, 1))
    return {
        **message,
        "text": (
            f"Sorry, I'm not sure I understood. Did you mean: {listed} Tap one or type "
            f"its number. {safety_line}"
        ),
        "buttons": [{"title": rules.questions[s], "payload": rules.questions[s]} for s in options],
    }
