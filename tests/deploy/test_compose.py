"""compose.yaml has the shape deploy/stack.sh runs (two web nodes behind nginx, one
database, one bounded Redis), and its nginx service fills in the template nginx accepts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)
TEMPLATE = BASE / "deploy" / "nginx.conf.template"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((BASE / "compose.yaml").read_text(encoding="utf-8"))["services"]


def test_two_web_nodes_of_one_image_share_the_database_and_cache(services):
    assert {"db", "redis", "release", "web1", "web2", "nginx"} <= set(services)
    web1, web2 = services["web1"], services["web2"]
    assert web1 == web2
    env = web1["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert set(web1["depends_on"]) == {"redis", "release"}
    assert web1["depends_on"]["release"] == {"condition": "service_completed_successfully"}
    assert "healthcheck" in web1


def test_redis_is_bounded_and_evicts_least_recently_used_keys(services):
    command = services["redis"]["command"]
    assert command[command.index("--maxmemory") + 1]
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"


def test_nginx_proxies_to_both_nodes_and_serves_the_static_files_release_collects(services):
    nginx = services["nginx"]
    assert nginx["build"]["dockerfile"] == "deploy/nginx.Dockerfile"
    assert {"web1", "web2"} == set(nginx["depends_on"])
    env = nginx["environment"]
    port = services["web1"]["environment"]["PORT"]
    assert (env["WEB1"], env["WEB2"]) == (f"web1:{port}", f"web2:{port}")
    assert f"{env['STATIC_ROOT']}:ro" in " ".join(nginx["volumes"])
    release = " ".join(services["release"]["command"])
    assert f"DJANGO_STATIC_ROOT={env['STATIC_ROOT']}" in release and "collectstatic" in release
    # Every name the template leaves for envsubst is given, and the entrypoint lists it.
    names = set(re.findall(r"\$\{([A-Z0-9_]+)\}", TEMPLATE.read_text()))
    assert names == set(env)
    entrypoint = (BASE / "deploy" / "nginx-entrypoint.sh").read_text()
    assert names == set(re.findall(r"\$\{([A-Z0-9_]+)\}", entrypoint.split("envsubst", 1)[1]))


def test_the_rendered_compose_config_is_one_nginx_accepts(services, tmp_path):
    installed = subprocess.run(
        ["bash", str(BASE / "deploy" / "stack.sh"), "install"], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr  # nginx, from Debian's packages
    env = dict(services["nginx"]["environment"])
    # The service names resolve inside compose only; the rest is rendered as compose does.
    env.update(WEB1="127.0.0.1:1", WEB2="127.0.0.1:2", NGINX_RUN=str(tmp_path))
    (tmp_path / "proxy_params.conf").write_bytes(
        (BASE / "deploy" / "proxy_params.conf").read_bytes()
    )
    rendered = re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: env[m.group(1)], TEMPLATE.read_text())
    (tmp_path / "nginx.conf").write_text(rendered)
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
