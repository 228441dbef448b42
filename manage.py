#!/usr/bin/env python
"""Django's command-line utility for Digipunt."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digipunt.settings")
    # Management commands (migrate, checks, data loads) may run without a SECRET_KEY: they sign
    # nothing that outlives them. The web process (digipunt/wsgi.py) still refuses to start
    # without one outside development.
    os.environ.setdefault("DIGIPUNT_INSECURE_DEV_KEY", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
