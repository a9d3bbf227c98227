"""Other medicines: names recognised from the library's dictionary, and the reply decided
by the sources (content/other_drugs.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from clinic.content import CONTENT_DIR
from components.drugs import (
    DrugTable,
    OtherDrugPolicy,
    library_dictionary,
    plain_words,
    short_names,
)


@pytest.fixture(scope="module")
def table() -> DrugTable:
    built = DrugTable.from_dictionary(library_dictionary())
    built.add_short_names(short_names())  # as the server's component does
    built.add_plain_words(plain_words())
    return built


def test_a_short_name_that_does_not_resolve_is_an_error(table: DrugTable) -> None:
    with pytest.raises(ValueError):
        table.add_short_names({"zz": "not a medicine at all"})


@pytest.mark.parametrize(
    "text, names",
    [
        ("Can I take ibuprofen with Imuran?", ["Ibuprofen", "Azathioprine"]),
        ("my 6-MP dose", ["Mercaptopurine"]),
        ("Humira's side effects", ["Adalimumab"]),
        ("calpol for her temperature", ["Acetaminophen"]),
        ("st johns wort ok with aza?", ["St. John's Wort"]),
        ("how do I store it", []),
        ("a couple of pints on Friday", []),
        ("my CBC was low", []),
    ],
)
def test_names_resolve_to_generic_names(table: DrugTable, text: str, names: List[str]) -> None:
    assert [m.name for m in table.find(text)] == names


def test_a_mention_keeps_where_it_was_written(table: DrugTable) -> None:
    text = "is Remicade an option instead?"
    (mention,) = table.find(text)
    assert (mention.name, mention.text, text[mention.start : mention.end]) == (
        "Infliximab",
        "Remicade",
        "Remicade",
    )


def test_the_table_survives_saving_and_loading(table: DrugTable, tmp_path: Path) -> None:
    table.save(tmp_path)
    loaded = DrugTable.load(tmp_path)
    assert [m.name for m in loaded.find("tacrolimus and cellcept")] == [
        "Tacrolimus",
        "Mycophenolate",
    ]


def drug(value: str, text: str = "") -> Dict[str, Any]:
    return {"entity": "drug", "value": value, "text": text or value.lower()}


@pytest.mark.parametrize(
    "entities, section, named",
    [
        ([drug("Ibuprofen")], "combination", ["ibuprofen"]),
        ([drug("Methotrexate")], "alternatives", []),
        ([drug("Methotrexate")], "storage", ["methotrexate"]),
        ([drug("Prednisone")], "combination", []),
        ([drug("Interferon Beta-1a Intramuscular", "Avonex")], "combination", []),
        ([drug("Herpes Zoster Vaccine", "shingles vaccine")], "vaccinations", []),
        ([drug("Azathioprine", "Imuran")], "storage", []),
        ([drug("Azathioprine", "Imuran"), drug("Tacrolimus")], None, ["tacrolimus"]),
    ],
)
def test_only_the_sources_own_medicines_keep_their_section(
    entities: List[Dict[str, Any]], section: str, named: List[str]
) -> None:
    policy = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
    assert policy.other_drugs(entities, section) == named


def at(value: str, written: str, text: str) -> Dict[str, Any]:
    return {**drug(value, written), "start": text.index(written)}


def test_medicines_listed_before_a_question_about_azathioprine_do_not_count() -> None:
    policy = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
    text = "He's on tacrolimus and prednisone too. How long does azathioprine take to work?"
    entities = [
        at("Tacrolimus", "tacrolimus", text),
        at("Prednisone", "prednisone", text),
        at("Azathioprine", "azathioprine", text),
    ]
    assert policy.other_drugs(entities, "time_to_work", text) == []


def test_a_question_about_another_medicine_counts_wherever_it_is_asked() -> None:
    policy = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
    humira = "I started Humira last week. How long does it take to work?"
    named = policy.other_drugs([at("Adalimumab", "Humira", humira)], "time_to_work", humira)
    assert named == ["Humira"]
    both = "He takes imuran and tacrolimus. Can he have ibuprofen for his knee?"
    entities = [
        at("Azathioprine", "imuran", both),
        at("Tacrolimus", "tacrolimus", both),
        at("Ibuprofen", "ibuprofen", both),
    ]
    assert policy.other_drugs(entities, "combination", both) == ["ibuprofen"]


@pytest.mark.parametrize(
    "text, names",
    [
        ("my doctor give me metrotrexat wat is it for", ["Methotrexate"]),
        ("can i take ibuprofin", ["Ibuprofen"]),
        ("is cellsept like imuran", ["Mycophenolate", "Azathioprine"]),
        ("the swelling is getting better", []),  # English words are never drug names
        ("my temprature is high", []),
        # Patients' short names the dictionary lacks (content/other_drugs.yml).
        ("how should tacro be stored", ["Tacrolimus"]),
        ("on MMF and pred since the transplant", ["Mycophenolate mofetil", "Prednisolone"]),
        # A dropped g is English too (batch 10: "startin" read as a statin).
        ("does it make u feel sick at the start? startin it next week", []),
        ("will eatin somethin with it help", []),
    ],
)
def test_misspelled_drug_names_are_recognised(
    table: DrugTable, text: str, names: List[str]
) -> None:
    assert [m.name for m in table.find(text)] == names


@pytest.mark.parametrize(
    "text, value, written, section, named",
    [
        ("can I take it with prednisone?", "Prednisone", "prednisone", "combination", []),
        ("is methotrexate an alternative?", "Methotrexate", "methotrexate", "alternatives", []),
        (
            "does prednisolone give you moon face?",
            "Prednisolone",
            "prednisolone",
            "combination",
            ["prednisolone"],
        ),
        ("does humira hurt when you inject it", "Adalimumab", "humira", "alternatives", ["humira"]),
        (
            "shingles vaccine, can I have it?",
            "Herpes Zoster Vaccine",
            "shingles vaccine",
            "vaccinations",
            [],
        ),
    ],
)
def test_a_medicine_the_sources_name_keeps_its_section_only_when_related_to_this_one(
    text: str, value: str, written: str, section: str, named: List[str]
) -> None:
    policy = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
    assert policy.other_drugs([drug(value, written)], section, text) == named


@pytest.mark.parametrize(
    "text",
    ["se me olvidó la medicina de mi hijo", "we drove up from Fargo", "wo sind die tabletki"],
)
def test_words_for_medicine_and_places_are_no_medicine(table: DrugTable, text: str) -> None:
    assert table.find(text) == []


def test_a_medicine_asked_about_in_an_earlier_question_counts() -> None:
    """Tenth session, conv30: "What happens if he misses a dose of his prograf? Is it the
    same rule as the azathioprine?" got the missed-dose answer for azathioprine."""
    policy = OtherDrugPolicy(CONTENT_DIR / "other_drugs.yml")
    text = "What if she misses a dose of her prograf? Same rule as the azathioprine?"
    entities = [at("Tacrolimus", "prograf", text), at("Azathioprine", "azathioprine", text)]
    assert policy.other_drugs(entities, "missed_dose", text) == ["prograf"]
