"""Rotate, revoke and list a terminal's signing keys (docs/terminal-api.md, "Key rotation").

    python manage.py terminal_keys 3 --list
    python manage.py terminal_keys 3 --rotate [--grace-hours 24]
    python manage.py terminal_keys 3 --revoke-old

``--rotate`` prints the new key's secret once: copy it into the terminal's configuration.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safety import terminals
from safety.models import Terminal


class Command(BaseCommand):
    help = "List, rotate or revoke the signing keys of a terminal."

    def add_arguments(self, parser):
        parser.add_argument("terminal_id", type=int)
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--list", action="store_true", help="Show the terminal's keys (never their secrets).")
        action.add_argument("--rotate", action="store_true", help="Create a new key and print its secret once.")
        action.add_argument("--revoke-old", action="store_true", help="Revoke every key except the newest, at once.")
        parser.add_argument(
            "--grace-hours",
            type=float,
            help="With --rotate: the old keys stop working after this many hours (default: when you --revoke-old).",
        )

    def handle(self, *args, terminal_id: int, **options):
        terminal = Terminal.objects.filter(pk=terminal_id).first()
        if terminal is None:
            raise CommandError(f"No terminal with id {terminal_id}.")
        if options["grace_hours"] is not None and not options["rotate"]:
            raise CommandError("--grace-hours goes with --rotate.")
        if options["rotate"]:
            grace = timedelta(hours=options["grace_hours"]) if options["grace_hours"] is not None else None
            key = terminals.rotate_key(terminal, grace=grace)
            self.stdout.write(f"New key for {terminal} (terminal {terminal.pk}):")
            self.stdout.write(f"  X-Terminal-Key: {key.key_id}")
            self.stdout.write(f"  Secret:         {key.secret}")
            until = f"{timezone.localtime(key.created_at + grace):%Y-%m-%d %H:%M}" if grace else "you --revoke-old"
            self.stdout.write(f"The secret is shown only now. Old keys work until {until}.")
        elif options["revoke_old"]:
            count = terminals.revoke_old_keys(terminal)
            self.stdout.write(f"Revoked {count} old key(s) of {terminal}.")
        self._list(terminal)

    def _list(self, terminal: Terminal) -> None:
        now = timezone.now()
        self.stdout.write(f"Keys of {terminal} ({'active' if terminal.active else 'inactive'} terminal):")
        for key in terminal.keys.order_by("-created_at", "-pk"):
            when = f"{timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M}" if key.revoked_at else ""
            if terminals.key_is_valid(key, now=now):
                state = f"valid until {when}" if when else "valid"
            else:
                state = f"revoked {when}"
            self.stdout.write(f"  {key.key_id}  created {timezone.localtime(key.created_at):%Y-%m-%d %H:%M}  {state}")
