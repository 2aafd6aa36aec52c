#!/usr/bin/env python
"""Django's command-line utility; `tawrid` (tawrid/cli.py) is the same entry point, installed."""

import sys

from tawrid.cli import main

if __name__ == "__main__":
    sys.exit(main())
