"""``python -m services.events relay|worker|dlq …``: the event commands on their own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from services.core.logging import configure_logging
from services.core.settings import Settings, SettingsError
from services.events.cli import add_commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.events", description=__doc__)
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"alliance: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        result: int = args.handler(args, settings)
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
