"""The typo normaliser's English-word check and its bounded memory."""

from __future__ import annotations

from spellchecker import SpellChecker

from components.typo_normaliser import CACHE_SIZE, EnglishWords, TypoNormaliser


def test_english_membership_matches_pyspellchecker() -> None:
    english = EnglishWords()
    full = SpellChecker(language="en")
    for word in ["never", "rain", "winter", "swallowed", "fevr", "temprature", "xqzv"]:
        assert (word in english) == (word in full), word


def test_english_words_are_not_corrected_but_typos_are() -> None:
    normaliser = TypoNormaliser(["fever", "pain", "winter"])
    assert normaliser.correct("never") == "never"
    assert normaliser.correct("rain") == "rain"
    assert normaliser.correct("fevr") == "fever"
    assert normaliser.correct("Wniter") == "winter"


def test_decision_cache_is_bounded() -> None:
    normaliser = TypoNormaliser(["fever"])
    for i in range(CACHE_SIZE + 100):
        normaliser.correct(f"zz{i}qq")
    assert normaliser._decide.cache_info().currsize == CACHE_SIZE


def test_a_dropped_g_is_restored_before_the_english_check() -> None:
    # "takin" is an English word (an animal): the g comes back only for a word we know.
    normaliser = TypoNormaliser(["taking", "thinking"])
    assert normaliser.correct("takin") == "taking"
    assert normaliser.correct("thinkin") == "thinking"
    assert normaliser.correct("cabin") == "cabin"
