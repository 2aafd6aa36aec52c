"""The documented deployment: `tawrid serve` behind a TLS-terminating proxy, private responses never cached."""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from tawrid.accounts.tests.factories import UserFactory, token_for
from tawrid.core.bench import database_url

HOST = "tawrid.example.ma"


# One key pair for the server and the worker of a test (they share the database).
SECRET_KEY = secrets.token_urlsafe(50)
SEALING_KEYS = secrets.token_urlsafe(40)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off, behind the proxy) on the test database."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "TAWRID_SEALING_KEYS": SEALING_KEYS,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url(),
        "BEHIND_PROXY": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _start_serve(tmp_path: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = _environment(tmp_path, **extra)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "tawrid.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180  # collectstatic runs first with DEBUG off
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError((tmp_path / "serve.log").read_text()[-3000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError("tawrid serve did not start: " + (tmp_path / "serve.log").read_text()[-3000:])


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    content = response.read().decode("utf-8", "replace")
    connection.close()
    return response, content


PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.mark.django_db(transaction=True)
def test_serve_behind_a_tls_proxy_answers_https_requests_with_hsts_and_https_links(tmp_path):
    person = UserFactory(email="reset.me@example.ma")
    process, port = _start_serve(tmp_path)
    try:
        # The proxy (here: the test, from 127.0.0.1, the default trusted proxy) says the client used https.
        response, _ = _request(port, "GET", "/", PROXIED)
        assert response.status == 200, (response.status, response.getheader("Location"))
        assert "max-age=31536000" in (response.getheader("Strict-Transport-Security") or "")

        # Without the header the request came in plain http: it is still sent to https.
        plain, _ = _request(port, "GET", "/", {})
        assert plain.status == 301
        assert plain.getheader("Location") == f"https://{HOST}/"

        # A password reset requested through the proxy mails an https link.
        page, content = _request(port, "GET", "/accounts/password-reset/", PROXIED)
        assert page.status == 200
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        sent, _ = _request(
            port,
            "POST",
            "/accounts/password-reset/",
            {
                **PROXIED,
                "Cookie": f"csrftoken={cookie}",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}/accounts/password-reset/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body=f"csrfmiddlewaretoken={token}&email={person.email}",
        )
        assert sent.status == 302, (tmp_path / "serve.log").read_text()[-3000:]
        # The e-mail went on the queue: a real worker sends it.
        worker = subprocess.run(
            [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.1"],
            env={**_environment(tmp_path), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stderr[-3000:]
        mails = list((tmp_path / "mail").glob("*"))
        assert mails, "no password reset e-mail"
        text = mails[0].read_text()
        assert f"https://{HOST}/accounts/password-reset/" in text
        assert f"http://{HOST}/" not in text
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_serve_ignores_forwarded_headers_from_an_untrusted_peer(tmp_path):
    process, port = _start_serve(tmp_path, TRUSTED_PROXY="192.0.2.1")  # the test's 127.0.0.1 is not the proxy
    try:
        response, _ = _request(port, "GET", "/", PROXIED)
        assert response.status == 301
    finally:
        process.terminate()
        process.wait(timeout=30)


# Sealing keys ---------------------------------------------------------------------------------------------------


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "TAWRID_SEALING_KEYS"}}
    base = {"SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "tawrid.cli", "check"],
        env={**clean, **base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_sealing_keys_refuses_to_start(tmp_path):
    result = _check(tmp_path, DEBUG="false", TAWRID_SEALING_KEYS="")
    assert result.returncode != 0
    assert "TAWRID_SEALING_KEYS must be set" in result.stderr


def test_debug_off_with_a_short_sealing_key_refuses_to_start(tmp_path):
    result = _check(tmp_path, DEBUG="false", TAWRID_SEALING_KEYS="too-short")
    assert result.returncode != 0
    assert "TAWRID_SEALING_KEYS" in result.stderr


def test_debug_on_starts_without_sealing_keys(tmp_path):
    result = _check(tmp_path, DEBUG="true", TAWRID_SEALING_KEYS="")
    assert result.returncode == 0, result.stderr


def test_debug_off_with_sealing_keys_starts(tmp_path):
    result = _check(tmp_path, DEBUG="false", TAWRID_SEALING_KEYS=secrets.token_urlsafe(40))
    assert result.returncode == 0, result.stderr


# Cache-Control --------------------------------------------------------------------------------------------------


def _never_cached(response) -> bool:
    value = response.headers.get("Cache-Control", "")
    return "no-store" in value and "private" in value


@pytest.mark.django_db
def test_pages_of_a_signed_in_person_are_never_cached(client):
    client.force_login(UserFactory())
    assert _never_cached(client.get(reverse("accounts:profile")))
    assert _never_cached(client.get("/"))


@pytest.mark.django_db
def test_api_responses_to_a_token_are_never_cached(client):
    person = UserFactory()
    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token_for(person)[1]}"})
    assert response.status_code == 200
    assert _never_cached(response)
    refused = client.get("/api/v1/accounts/me", headers={"Authorization": "Bearer twd_wrong"})
    assert refused.status_code == 401
    assert _never_cached(refused)


@pytest.mark.django_db
def test_the_login_page_is_never_cached(client):
    assert _never_cached(client.get(reverse("accounts:login")))


@pytest.mark.django_db
def test_public_pages_for_anonymous_visitors_keep_their_caching(client):
    for path in ("/catalogue/", "/api/v1/nomenclature/emdn?q=aiguille"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
