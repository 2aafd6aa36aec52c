"""`make demo` serves the platform as a deployment does (scripts/demo_env.py writes its .env): DEBUG off, so a
mistyped address gets the project's 404 page, never Django's debug page listing the URL patterns; static files
are served (collected at start) over plain http."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "demo_env.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _demo_environment(tmp_path: Path) -> dict[str, str]:
    env_file = tmp_path / ".env"
    subprocess.run([sys.executable, str(SCRIPT), str(env_file)], check=True, capture_output=True, timeout=60)
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line)
    assert values["DEBUG"] == "false" and len(values["TAWRID_SEALING_KEYS"]) >= 32
    values.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", STATIC_ROOT=str(tmp_path / "static"))
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**environment, **values}


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Language": "fr"})
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_a_404_of_the_demo_lists_no_url_pattern(tmp_path):
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "tawrid.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_demo_environment(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180  # collectstatic runs first with DEBUG off
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "tawrid serve did not start"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        status, body = _get(port, "/no-such-page/")
        assert status == 404
        assert "URLconf" not in body and "config.urls" not in body and "Using the URLconf" not in body
        assert "<title>404 · Tawrid</title>" in body  # the project's page, in its layout
        status, css = _get(port, "/static/tawrid/css/tawrid.css")
        assert status == 200 and "{" in css
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
