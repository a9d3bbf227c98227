"""The deployment files name things that exist and keep their promises."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from deploy.render_nginx import render

ROOT = Path(__file__).resolve().parents[2]


def test_helm_values_use_this_projects_classes() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "values.example.yaml").read_text())
    settings = values["applicationSettings"]
    assert settings["enableAPI"] is False
    paths = list(settings["credentials"]["additionalChannelCredentials"])
    paths.append(settings["endpoints"]["trackerStore"]["type"])
    paths.append(settings["endpoints"]["lockStore"]["type"])
    paths.append(settings["endpoints"]["additionalEndpoints"]["nlg"]["type"])
    for path in paths:
        module, _, name = path.rpartition(".")
        assert hasattr(importlib.import_module(module), name), path
    assert values["readinessProbe"]["httpGet"]["path"] == "/webhooks/rest/health"


def test_production_endpoints_use_the_monitored_store_and_redis_locks() -> None:
    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
    assert endpoints["tracker_store"]["type"].endswith("MonitoredSQLTrackerStore")
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "persistence.redis_locks.AtomicRedisLockStore"


@pytest.mark.parametrize("name", ["endpoints.yml", "deploy/endpoints.production.yml"])
def test_every_configuration_serves_the_leaflet_answers(name: str) -> None:
    endpoints = yaml.safe_load((ROOT / name).read_text())
    assert endpoints["nlg"]["type"] == "components.leaflet_nlg.LeafletAnswerGenerator"
    # Rasa sends the domain to the action server only for actions that ask for it.
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True


def test_only_the_single_server_configuration_caches_conversations() -> None:
    single = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    production = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
    assert single["tracker_store"]["cache_conversations"] > 0
    assert "cache_conversations" not in production["tracker_store"]


def test_nginx_render_fills_every_marker_and_refuses_bad_origins(tmp_path: Path) -> None:
    text = render("127.0.0.1:8080", ["10.0.0.1:5005", "10.0.0.2:5005"],
                  ["https://www.clinic.example"], tmp_path)  # fmt: skip
    assert not re.search(r"@[A-Z_]+@", text)
    assert "server_tokens off;" in text and "client_max_body_size 64k;" in text
    assert text.count("max_fails=1") == 2
    with pytest.raises(ValueError, match="not an origin"):
        render("127.0.0.1:8080", ["10.0.0.1:5005"], ['https://x" 1; default 1; "'], tmp_path)
