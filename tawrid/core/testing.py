"""Loaded by pytest before Django starts (`-p tawrid.core.testing` in pyproject.toml).

Tests run with DEBUG off, like production; they need a secret key and a sealing key, only ever used here.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("TAWRID_SEALING_KEYS", "tests-only-sealing-key-not-used-anywhere-else")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
