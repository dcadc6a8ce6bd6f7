"""A reference service's ``manage.py``: ``python -m openedx_subsidy_events.reference.django_services ARGS``.

Django's commands as ``manage.py`` runs them (``migrate``, ``consume_events``, ``subsidy_events
relay``), and the demo's two: ``setup --requests N --seed S`` and ``approve --rollback-share F
[--rate R] [--warm-up N]``. The service, its database and the bus come from the environment (:mod:`.settings`).
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run one command of the service named by ``SUBSIDY_REFERENCE_SERVICE``."""
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openedx_subsidy_events.reference.django_services.settings")
    if args[:1] not in (["setup"], ["approve"]):
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", *args])
        return
    import django

    django.setup()
    from . import _driver

    parser = argparse.ArgumentParser(prog="reference-service")
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup")
    setup.add_argument("--requests", type=int, required=True)
    setup.add_argument("--seed", type=int, default=0)
    approve = commands.add_parser("approve")
    approve.add_argument("--rollback-share", type=float, default=0.0)
    approve.add_argument("--rate", type=float, default=None)
    approve.add_argument("--warm-up", type=int, default=0)
    options = parser.parse_args(args)
    if options.command == "setup":
        _driver.setup(os.environ["SUBSIDY_REFERENCE_SERVICE"], requests=options.requests, seed=options.seed)
    else:
        _driver.approve(rollback_share=options.rollback_share, rate=options.rate, warm_up=options.warm_up)


if __name__ == "__main__":
    main()
