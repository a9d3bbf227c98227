"""The benchmark judges the speed targets from its own figures."""

from __future__ import annotations

from typing import Any, Dict

from harness.load import targets


def level(users: int, rate: float, p95: float, errors: int = 0) -> Dict[str, Any]:
    return {"conversations": users, "msgs_per_s": rate, "p95_ms": p95, "errors": errors}


def figures(levels: list, **extra: Any) -> Dict[str, Any]:
    base = {
        "ready_s": 15.0,
        "rss_mb": 790,
        "single": {"p50_ms": 20.0, "p95_ms": 30.0},
        "levels": levels,
        "saturation": max(levels, key=lambda lv: lv["msgs_per_s"]),
    }
    base.update(extra)
    return base


def test_throughput_counts_only_levels_within_p95_500_ms_and_without_errors() -> None:
    ours = figures([level(1, 50, 30), level(10, 95, 400), level(50, 130, 1500),
                    level(25, 120, 450, errors=1)])  # fmt: skip
    base = figures([level(1, 30, 40)])
    rows = {name: (measured, met) for name, measured, met in targets(ours, base, None)}
    measured, met = rows["throughput >= 3x the default bot's, p95 <= 500 ms, no errors"]
    assert measured.startswith("3.17x (95 at 10 users") and met


def test_each_target_can_fail() -> None:
    ours = figures([level(10, 80, 600)], ready_s=25.0, rss_mb=900,
                   single={"p50_ms": 45.0, "p95_ms": 90.0})  # fmt: skip
    base = figures([level(1, 30, 40)])
    training = {"training_full_s": 130.0, "retrain_answer_edit_s": 31.0}
    rows = targets(ours, base, training)
    assert len(rows) == 7 and not any(met for _, _, met in rows)
