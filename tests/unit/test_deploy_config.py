"""The deployment files name things that exist and keep their promises."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
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


def staff_location(text: str) -> str:
    """The body of the rendered `location /webhooks/staff { ... }` block."""
    found = re.search(r"location /webhooks/staff \{(.*?)\}", text, re.S)
    assert found, "no staff location in the rendered config"
    return found.group(1)


def directives(block: str) -> list:
    """The block's directives in order, comments dropped."""
    lines = (line.split("#")[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


def test_nginx_staff_endpoints_only_from_loopback_by_default(tmp_path: Path) -> None:
    text = render("0.0.0.0:8080", ["10.0.0.1:5005"], [], tmp_path)
    assert directives(staff_location(text)) == [
        "allow 127.0.0.1/32;",
        "allow ::1/128;",
        "deny all;",
        "proxy_pass http://rasa;",
    ]


def test_nginx_staff_endpoints_only_from_the_clinic_networks(tmp_path: Path) -> None:
    text = render("0.0.0.0:8080", ["10.0.0.1:5005"], [], tmp_path,
                  staff_networks=["10.20.0.0/16", " 192.168.4.0/24", "fd00:1::/64"])  # fmt: skip
    assert directives(staff_location(text)) == [
        "allow 10.20.0.0/16;",
        "allow 192.168.4.0/24;",
        "allow fd00:1::/64;",
        "deny all;",
        "proxy_pass http://rasa;",
    ]
    # Nested in the patient location, so its limits and headers apply to staff calls too,
    # and the only place nginx routes staff calls (no second path to them).
    webhooks = text.index("location /webhooks/ {")
    assert webhooks < text.index("location /webhooks/staff {") < text.index("location / {")
    assert text.count("/webhooks/staff") == 1
    # No networks at all: nobody reaches the staff endpoints through nginx.
    closed = render("0.0.0.0:8080", ["10.0.0.1:5005"], [], tmp_path, staff_networks=[])
    assert directives(staff_location(closed)) == ["deny all;", "proxy_pass http://rasa;"]


@pytest.mark.parametrize(
    "network, fragment",
    [
        ("all", "not a staff network"),
        ("10.20.0.0/16; allow all", "not a staff network"),
        ("10.20.0.1/16", "host bits"),
        ("clinic.example", "not a staff network"),
        ("0.0.0.0/0", "every address"),
        ("::/0", "every address"),
    ],
)
def test_nginx_refuses_staff_networks_that_are_not_networks(
    tmp_path: Path, network: str, fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        render("0.0.0.0:8080", ["10.0.0.1:5005"], [], tmp_path, staff_networks=[network])


def test_nginx_render_command_takes_staff_networks(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "render_nginx.py"), "--listen", "0.0.0.0:8080",
         "--rasa", "10.0.0.1:5005", "--run-dir", str(tmp_path),
         "--staff-network", "10.20.0.0/16", "--staff-network", "10.30.0.0/16"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert directives(staff_location(run.stdout))[:3] == [
        "allow 10.20.0.0/16;",
        "allow 10.30.0.0/16;",
        "deny all;",
    ]


@pytest.mark.parametrize("name", ["endpoints.yml", "deploy/endpoints.production.yml"])
def test_every_configuration_sends_the_action_server_secret(name: str) -> None:
    # Rasa's own loader: it fills in ${...} in plain values only (a quoted one would be
    # sent literally and refused), and refuses to load when the variable is unset.
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    secret = "s" * 40
    env = {"ACTION_SERVER_TOKEN": secret, "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
           "TRACKER_DB": "x.db", "DB_HOST": "h", "DB_PORT": "5432", "DB_NAME": "n",
           "DB_USER": "u", "DB_PASSWORD": "p", "REDIS_HOST": "r", "REDIS_PORT": "6379"}  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        config = read_endpoint_config(str(ROOT / name), "action_endpoint")
        assert config is not None and config.headers == {"Authorization": f"Bearer {secret}"}
        patch.delenv("ACTION_SERVER_TOKEN")
        with pytest.raises(RasaException, match="ACTION_SERVER_TOKEN"):
            read_endpoint_config(str(ROOT / name), "action_endpoint")


def test_helm_values_send_and_require_the_action_server_secret() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "values.example.yaml").read_text())
    endpoints = values["applicationSettings"]["endpoints"]
    # The chart's own action_endpoint has no headers: it must not write one, and ours
    # (with the header) comes from additionalEndpoints.
    assert values["rasa-action-server"]["install"] is False
    assert values["rasa-action-server"]["external"]["enabled"] is False
    action = endpoints["additionalEndpoints"]["action_endpoint"]
    assert action["headers"] == {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}
    assert action["enable_selective_domain"] is True
    rasa_env = {e["name"]: e for e in values["extraEnv"]}
    secret_ref = rasa_env["ACTION_SERVER_TOKEN"]["valueFrom"]["secretKeyRef"]

    actions = yaml.safe_load(
        (ROOT / "deploy" / "helm" / "action-server.values.example.yaml").read_text()
    )
    assert actions["command"] == ["python", "-m", "actions"]
    action_env = {e["name"]: e for e in actions["extraEnv"]}
    assert action_env["ACTION_SERVER_TOKEN"]["valueFrom"]["secretKeyRef"] == secret_ref
    assert actions["service"]["type"] == "ClusterIP"
    # The URL the Rasa pods call is the action server release's service.
    assert rasa_env["ACTION_ENDPOINT_URL"]["value"].startswith("http://imuran-actions")
