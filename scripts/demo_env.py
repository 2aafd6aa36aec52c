"""Write the demo's .env (never over an existing one): `python scripts/demo_env.py [path]`, default `.env`.

The demo runs as a deployment does, with DEBUG off, so that no page shows Django's debug screens (a mistyped
address would list every URL pattern of the platform); it is served over plain http on this machine, hence
cookies without the Secure flag, no https redirect and no HSTS. Its keys are random, made here once:
SECRET_KEY, and TAWRID_SEALING_KEYS, which seal the demo's offers (the seed and the server must share them).
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path


def demo_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TAWRID_SEALING_KEYS": secrets.token_urlsafe(40),
        "DATABASE_URL": "sqlite:///var/tawrid.sqlite3",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "consolemail://",
    }


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else ".env")
    if path.exists():
        print(f"{path} exists: left as it is")
        return 0
    path.write_text("".join(f"{key}={value}\n" for key, value in demo_env().items()))
    print(f"wrote the demo's {path} (DEBUG off, keys of its own)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
