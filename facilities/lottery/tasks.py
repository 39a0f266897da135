"""Celery tasks of the monthly lottery: drawing closed rounds, the result mails, expiring unconfirmed wins.

They take IDs (or nothing), and running one twice does no harm: a drawn round is not drawn
again, a result mail is queued once, an expired win stays expired. The task names
(``facilities.draw_lottery`` ...) are what the beat schedule and queued messages use: keep them.
Celery finds tasks in ``facilities/tasks.py``, which imports these.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from facilities.lottery import services
from facilities.lottery.selectors import unmailed_applications
from facilities.models import LotteryRound

logger = logging.getLogger(__name__)


@shared_task(name="facilities.draw_lottery", ignore_result=True)
def draw_lottery(round_id: int) -> bool:
    """Draw one round whose applications have closed. Returns whether it is drawn now.

    :func:`draw_due_lotteries` runs it for every round that is due; it can also be queued for one
    round with ``draw_lottery.delay_on_commit(round.pk)``.
    """
    round = LotteryRound.objects.select_related("facility").filter(pk=round_id).first()
    if round is None:
        return False
    if round.status != LotteryRound.Status.DRAWN and timezone.now() < round.closes_at:
        return False
    return services.draw(round).status == LotteryRound.Status.DRAWN


#: Result mails queued by one task run; the rest go to a fresh task (well inside the time limits).
MAILS_PER_TASK = 1000
#: How long after a draw the periodic task still looks for applicants left without their result mail.
MAIL_CATCH_UP = timedelta(days=7)


@shared_task(name="facilities.mail_lottery_results", ignore_result=True)
def mail_lottery_results(round_id: int) -> int:
    """Queue the result mails of a drawn round that are not queued yet; returns how many this run queued."""
    round = (
        LotteryRound.objects.select_related("facility").filter(pk=round_id, status=LotteryRound.Status.DRAWN).first()
    )
    if round is None:
        return 0
    queued = services.mail_results(round, limit=MAILS_PER_TASK)
    if queued >= MAILS_PER_TASK and unmailed_applications(round).exists():
        mail_lottery_results.delay(round_id)
    return queued


@shared_task(name="facilities.draw_due_lotteries", ignore_result=True)
def draw_due_lotteries() -> int:
    """Periodic: draw every open round whose applications have closed, each in its own transaction.

    One round that fails (e.g. staff booked a slot at the counter at that very moment) is logged
    and retried at the next run, with the same saved seed; the others are drawn regardless.
    Rounds drawn earlier whose result mails were not all queued (their task was lost) get a new
    mail task. Returns how many rounds this run drew.
    """
    started = timezone.now()
    recent = LotteryRound.objects.filter(
        status=LotteryRound.Status.DRAWN, drawn_at__gte=started - MAIL_CATCH_UP, drawn_at__lt=started
    )
    for round in recent:
        if unmailed_applications(round).exists():
            mail_lottery_results.delay(round.pk)
    drawn = 0
    due = LotteryRound.objects.filter(status=LotteryRound.Status.OPEN, closes_at__lte=started)
    for round_id in list(due.order_by("closes_at", "pk").values_list("pk", flat=True)):
        try:
            drawn += draw_lottery(round_id)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.exception("Drawing lottery %s failed; it is retried at the next run", round_id)
    return drawn


@shared_task(name="facilities.expire_unconfirmed_wins", ignore_result=True)
def expire_unconfirmed_wins() -> int:
    """Periodic: lottery wins not confirmed in time expire; their slots open for first-come booking."""
    return services.expire_unconfirmed()
