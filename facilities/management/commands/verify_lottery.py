"""Check a lottery draw from what the round published, and against the database.

    python manage.py verify_lottery 12
    python manage.py verify_lottery 12 --save lottery-12.json

1. The published check, the same as the round's public "check the draw" page and as
   ``python -m facilities.lottery.verify``: the revealed seed hashes to the commitment, and the
   draw re-run from the published inputs gives the published order and winners.
2. The records check (staff): the draw re-run from the database's applications and reservations
   (:func:`facilities.lottery.selectors.replay`) gives the order and the wins that were booked.

Exits with status 1 when either check fails; a round drawn before commitments were published
has only the records check, and says so. ``--save`` writes the published JSON to a file.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from facilities.lottery import selectors, verify
from facilities.models import LotteryRound


class Command(BaseCommand):
    help = "Re-run a lottery round's draw from its published data and its records, and say whether they match."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, help="The lottery round's id (in its page's address).")
        parser.add_argument("--save", metavar="FILE", help="Also write the round's published JSON to FILE.")

    def handle(self, *args, round_id: int, save: str | None = None, **options):
        round = selectors.public_round(round_id)
        if round is None:
            raise CommandError(f"No lottery round {round_id}.")
        document = selectors.public_document(round)
        if save:
            with open(save, "w", encoding="utf-8") as file:
                json.dump(document, file, ensure_ascii=False, indent=1)
        self.stdout.write(f"{round} ({round.get_status_display()})")
        outcome = verify.verify(document)
        failed = False
        if outcome.code in ("no_commitment", "not_drawn"):
            self.stdout.write(outcome.message_ja)
            self.stdout.write(outcome.message_en)
        else:
            style = self.style.SUCCESS if outcome.ok else self.style.ERROR
            self.stdout.write(style(outcome.message_ja))
            self.stdout.write(style(outcome.message_en))
            if outcome.detail:
                self.stdout.write(f"({outcome.detail})")
            failed = not outcome.ok
        if round.status == LotteryRound.Status.DRAWN:
            check = selectors.replay(round)
            if check.matches:
                self.stdout.write(
                    self.style.SUCCESS(
                        "記録との照合：一致（予約された当選と順番は抽選のやり直しと同じです）。 "
                        "Records: the booked wins and the recorded order are what the draw gives."
                    )
                )
            else:
                failed = True
                self.stdout.write(
                    self.style.ERROR(
                        "記録との照合：不一致。 Records: the draw re-run from the database differs "
                        f"(order matches: {check.order_matches}; applications whose wins differ: "
                        f"{check.differing_applications})."
                    )
                )
        if failed:
            raise CommandError("The draw could not be verified.")
