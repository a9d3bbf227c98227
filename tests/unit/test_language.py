"""Which messages count as written in another language (components/language.py).

The sentences are written for the test; the measured rates on every development text are
in docs/evaluation.md.
"""

from __future__ import annotations

import pytest

from components.language import other_language

OTHER = [
    ("¿Puedo tomar las pastillas con el desayuno o mejor en la noche?", "es"),
    ("Czy mogę wziąć tabletkę później, jeśli zapomniałem rano?", "pl"),
    ("Il mio bambino ha la febbre alta da ieri sera, cosa devo fare?", "it"),
    ("Ele está com muita tosse e febre desde domingo, o que eu faço?", "pt"),
    ("Kailangan ko bang itago sa ref ang gamot niya o hindi na?", "tl"),
    ("Как хранить эти таблетки летом?", "ru"),
    ("약을 냉장고에 보관해야 하나요?", "ko"),
    ("هل يمكنني أخذ الدواء مع الطعام؟", "ar"),
    ("मेरी माँ को तेज़ बुखार है, क्या करें?", "hi"),
]

ENGLISH = [
    # Dialects, text-speak and English with a few words of another language stay English.
    "whit side effects can the imuran gie ye, the leaflet is that wee i cannae read",
    "mi knee a kill mi inna di cold, mi can tek a ibuprofen wid dem?",
    "can or not take with kopi one lah, scared leh",
    "my lola takes imuran and she has lagnat since kagabi",
    "wee burns n im goin every 10 mins 😭",
    "ok gracias",  # short thanks: too short to judge, the English path answers it
    "Sawa, understood. Asante.",
    "mijo has fever 39 since last night, what do i do",
    "",
    "🙂🙂🙂",
    "38.5",
]


@pytest.mark.parametrize("text, code", OTHER)
def test_messages_in_other_languages_are_marked(text: str, code: str) -> None:
    found = other_language(text)
    assert found is not None and found["code"] == code, (text, found)


@pytest.mark.parametrize("text", ENGLISH)
def test_english_in_its_many_forms_is_not(text: str) -> None:
    assert other_language(text) is None, text


def test_the_thresholds_are_the_components_settings() -> None:
    text = "mi hijo tiene fiebre desde ayer"  # six words, none English
    assert other_language(text) is not None
    assert other_language(text, min_words=7) is None
    assert other_language("mi hijo has fever since ayer", english_share_below=0.5) is None


def test_text_cld2_cannot_read_is_no_crash() -> None:
    # A lone surrogate cannot be encoded as UTF-8; the channels replace it, but the
    # component must not raise whatever reaches it.
    assert other_language("\ud800 hola como estas amigo mio") is None
