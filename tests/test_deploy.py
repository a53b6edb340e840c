"""The deployment files say what the code reads: the compose file is valid Compose (the Compose
Specification's schema, vendored in deploy/compose-spec), every KATACHI_ variable in it is a setting,
workers take jobs from the database, and replicas and workers share no volume: their stores are on the
engines."""

import json
from pathlib import Path

import yaml

from katachi.core.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_compose_file_configures_settings_that_exist():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "chroma", "chroma-proxy", "inference", "app1", "app2", "worker1", "worker2", "proxy"} <= set(
        services
    )
    fields = set(Settings.model_fields)
    for name in ("app1", "app2", "worker1", "worker2"):
        env = services[name]["environment"]
        unknown = [k for k in env if k.startswith("KATACHI_") and k.removeprefix("KATACHI_").lower() not in fields]
        assert not unknown, (name, unknown)
        assert env["KATACHI_JOB_QUEUE"] == "database" and env["KATACHI_DATABASE_URL"].startswith("postgresql://")
    assert services["worker1"]["command"] == ["katachi", "worker"]
    conf = (DEPLOY / "nginx" / "app.conf").read_text()
    assert "ip_hash" in conf and "app1:7860" in conf and "app2:7860" in conf
    # the replicas believe X-Forwarded-For from the proxy alone, and the proxy writes only what it saw
    proxy_ip = services["proxy"]["networks"]["default"]["ipv4_address"]
    from katachi.ui.web.proxies import client_of, parse_proxies

    trusted = parse_proxies(services["app1"]["environment"]["KATACHI_TRUSTED_PROXIES"])
    assert client_of(proxy_ip, ["203.0.113.7"], trusted) == "203.0.113.7"
    assert client_of("172.28.0.3", ["203.0.113.7"], trusted) == "172.28.0.3"  # a replica's neighbour is not
    assert "X-Forwarded-For $remote_addr" in conf
    assert "Bearer ${CHROMA_TOKEN}" in (DEPLOY / "nginx" / "chroma.conf.template").read_text()


KATACHI = ("app1", "app2", "worker1", "worker2")


def test_the_compose_file_is_valid_compose():
    import jsonschema

    schema = json.loads((DEPLOY / "compose-spec" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]
    # the validator does catch what Compose refuses (a misspelt key, a wrong type)
    broken = {**compose, "services": {**compose["services"], "app1": {**compose["services"]["app1"], "volume": []}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_replicas_and_workers_share_nothing_but_the_engines():
    from katachi.knowledge.engine_store import uses_engines

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    mounts: dict[str, list[str]] = {}
    for name in KATACHI:
        for v in services[name].get("volumes", []):
            source = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
            mounts.setdefault(source, []).append(name)
    shared = {src: users for src, users in mounts.items() if len(users) > 1}
    assert not shared, shared
    assert set(mounts) <= set(compose["volumes"])  # named volumes of their own, no host folder
    for name in KATACHI:
        env = {
            k.removeprefix("KATACHI_").lower(): v
            for k, v in services[name]["environment"].items()
            if k.startswith("KATACHI_")
        }
        assert uses_engines(Settings(**env)), name  # documents' manifests and BM25 in PostgreSQL, vectors on Chroma
