"""The deployment files say what the code reads: every KATACHI_ variable in the compose file is a
setting, every Katachi service runs the app image, workers take jobs from the database."""
from pathlib import Path

import yaml

from core.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_compose_file_configures_settings_that_exist():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "chroma", "chroma-proxy", "inference", "app1", "app2", "worker1", "worker2",
            "proxy"} <= set(services)
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
    from ui.web.proxies import client_of, parse_proxies

    trusted = parse_proxies(services["app1"]["environment"]["KATACHI_TRUSTED_PROXIES"])
    assert client_of(proxy_ip, ["203.0.113.7"], trusted) == "203.0.113.7"
    assert client_of("172.28.0.3", ["203.0.113.7"], trusted) == "172.28.0.3"  # a replica's neighbour is not
    assert "X-Forwarded-For $remote_addr" in conf
    assert "Bearer ${CHROMA_TOKEN}" in (DEPLOY / "nginx" / "chroma.conf.template").read_text()
