"""Other medicines: names recognised from the library's dictionary, and the reply decided
by the sources (content/other_drugs.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from clinic.content import CONTENT_DIR
from components.drugs import DrugTable, OtherDrugPolicy, library_dictionary


@pytest.fixture(scope="module")
def table() -> DrugTable:
    return DrugTable.from_dictionary(library_dictionary())


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
