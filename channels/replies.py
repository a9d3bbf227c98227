"""Reply text every patient channel shares (one wording of the safety line everywhere)."""

SAFETY_LINE = (
    "If you have signs of infection, like a fever over 38 °C (100 °F), call your doctor "
    "right away."
)
