"""The `aims` command: Django's manage.py with the project's own commands (serve, worker, demo, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "aims"
    # `aims audit verify` and `aims token create` read as two words; Django commands are one word.
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
