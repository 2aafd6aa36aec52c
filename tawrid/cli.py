"""The `tawrid` console command: Django's management commands under one name.

`tawrid serve`, `tawrid worker`, `tawrid load_reference`, `tawrid seed_demo`… are management commands of
the project's apps, so `tawrid help` lists them all.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tawrid"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
