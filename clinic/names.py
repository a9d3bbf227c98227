"""How each infection sign the detector reports is named to users and to staff."""

SIGN_NAMES = {
    "fever": "a fever",
    "sweats_or_chills": "sweats or chills",
    "skin_rash": "a skin rash",
    "pain_redness_swelling": "pain, redness or swelling",
    "wound_not_healing": "a wound or sore that is not healing",
    "sore_throat": "a sore throat",
    "sinus": "sinus trouble or a headache",
    "cough": "a cough",
    "mouth_white_patches": "white patches in the mouth",
    "vomiting_or_diarrhoea": "vomiting or diarrhoea",
    "flu_like": "flu-like symptoms",
    "urinary": "pain, burning or urgency when passing urine",
    "urine_or_stool_change": "a change in urine or stools",
    "unusual_bruising": "unusual bruising",
    "other_concerning_symptom": (
        "another symptom that needs checking (such as yellow eyes, bleeding, confusion or "
        "dizziness)"
    ),
}
# A sign the detector reports under a name not listed here is still shown, but never as
# the raw value (an entity value can come from outside: a forged action call).
UNNAMED_SIGN = "a symptom to tell your doctor about"
