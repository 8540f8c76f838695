"""The ``himaya`` command: Django's manage.py with Himaya's own commands (demo, audit, backup, keys…)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["himaya", *sys.argv[1:]])


if __name__ == "__main__":
    main()
