"""The nginx edge's config, rendered from the list of parts (gateway/edge.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.edge import EdgeConfig, argv, render, write_local
from gateway.registry import PARTS


def local_config(tmp_path: Path) -> EdgeConfig:
    return EdgeConfig(listen="127.0.0.1:18999", prefix=tmp_path,
                      upstreams={part: f"127.0.0.1:{19000 + i}" for i, part in enumerate(PARTS)})


def test_every_part_is_routed_and_every_anonymous_path_it_declares_is_rate_limited(tmp_path):
    conf = render(local_config(tmp_path))

    for part in PARTS:
        assert f"upstream {part} {{" in conf
        if part != "gateway":
            assert re.search(rf"location /api/{part}/ {{\s+proxy_pass http://{part};", conf), part
        for path, zone in PARTS[part].limited.items():
            match = path if path.endswith("/") else f"= {path}"
            assert re.search(rf"location {re.escape(match)} {{\s+limit_req zone={zone} burst=\d+ nodelay;\s+"
                             rf"proxy_pass http://{part};", conf), path
    assert re.search(r"location / {\s+proxy_pass http://gateway;", conf)


def test_a_parts_other_mounts_are_routed_to_it_and_the_submit_zone_counts_writes_only(tmp_path):
    conf = render(local_config(tmp_path))

    for part in PARTS.values():
        for prefix in part.mounts:
            assert re.search(rf"location {re.escape(prefix)} {{\s+(limit_req [^;]+;\s+)?proxy_pass http://{part.name};",
                             conf), prefix
    assert "/open311/" in PARTS["hotline"].mounts
    assert re.search(r'map \$request_method \$duban_write_client {\s+GET "";\s+HEAD "";\s+OPTIONS "";\s+'
                     r"default \$binary_remote_addr;", conf)
    assert "limit_req_zone $duban_write_client zone=submit:" in conf


def test_the_client_address_is_the_one_nginx_saw_never_what_the_client_claims(tmp_path):
    conf = render(local_config(tmp_path))

    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf  # that would append to the client's own header
    assert "client_max_body_size 1m;" in conf
    assert "location = /metrics { return 404; }" in conf


def test_the_edge_logs_paths_never_query_strings(tmp_path):
    """The public lookup's query string carries a citizen's query code: it must not reach a log."""
    conf = render(local_config(tmp_path))

    [log_format] = re.findall(r"log_format duban (.*?);", conf, flags=re.DOTALL)
    assert "$uri" in log_format
    assert not {"$request ", "$request_uri", "$args", "$query_string", "$http_referer"} & {
        token for token in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer")
        if token in log_format + " "}
    assert re.search(r"access_log \S+ duban;", conf)


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (`make nginx`)")
def test_nginx_accepts_the_rendered_config(tmp_path):
    command = argv(write_local(local_config(tmp_path)))[:-2]  # without "-g 'daemon off;'"

    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30)

    assert checked.returncode == 0, checked.stderr


def test_the_gateways_pages_reach_the_apis_on_an_internal_listener_that_names_the_citizen(tmp_path):
    """Unlimited at the edge (the services count each client themselves) and passing the gateway's
    X-Forwarded-For, so a busy portal is not one client; never serving the pages themselves."""
    config = EdgeConfig(listen="127.0.0.1:18999", prefix=tmp_path, internal_listen="127.0.0.1:18998",
                        upstreams={part: f"127.0.0.1:{19000 + i}" for i, part in enumerate(PARTS)})
    public, internal = render(config).split("listen 127.0.0.1:18998;")

    assert "proxy_set_header X-Forwarded-For $http_x_forwarded_for;" not in public
    assert "proxy_set_header X-Forwarded-For $http_x_forwarded_for;" in internal
    assert "limit_req" not in internal
    for part in PARTS:
        if part != "gateway":
            assert re.search(rf"location /api/{part}/ {{\s+proxy_pass http://{part};", internal), part
    assert re.search(r"location /api/ {\s+proxy_pass http://gateway;", internal)
    assert "location / { return 404; }" in internal
    assert render(local_config(tmp_path)).count("server {") == 1  # no listener unless asked for


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (`make nginx`)")
def test_nginx_accepts_the_config_with_the_internal_listener(tmp_path):
    config = EdgeConfig(listen="127.0.0.1:18999", prefix=tmp_path, internal_listen="127.0.0.1:18998",
                        upstreams={part: f"127.0.0.1:{19000 + i}" for i, part in enumerate(PARTS)})
    command = argv(write_local(config))[:-2]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
