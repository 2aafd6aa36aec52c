"""Settings come from the environment; a deployment with DEBUG off passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys

import pytest


def _tawrid(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "-m", "tawrid.cli", *args], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_deployment_checks_are_clean_with_debug_off(tmp_path):
    result = _tawrid(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="tawrid.example.ma",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TAWRID_SEALING_KEYS=secrets.token_urlsafe(40),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_without_sealing_keys_is_refused(tmp_path):
    """Not just a warning: with DEBUG off the settings refuse to load (test_deployment.py has the rest)."""
    result = _tawrid(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="tawrid.example.ma",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TAWRID_SEALING_KEYS="",
    )
    assert result.returncode != 0
    assert "TAWRID_SEALING_KEYS must be set" in result.stderr


def test_missing_secret_key_with_debug_off_is_refused(tmp_path):
    result = _tawrid("check", DEBUG="false", SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("header", ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"])
def test_security_headers_are_sent(client, header, db):
    response = client.get("/")
    assert header in response.headers
    if header == "Content-Security-Policy":
        assert "script-src 'self'" in response.headers[header]
