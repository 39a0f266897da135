"""Resident pages of the monthly lottery: open rounds, applying, my applications and results.

Views parse input, ask :mod:`facilities.lottery.selectors` or :mod:`facilities.lottery.services`
and render; a refused application shows the service's message and saves nothing. Another
resident's application or win is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilities.errors import LotteryError
from facilities.lottery import selectors, services
from facilities.lottery.forms import LotteryApplicationForm
from facilities.models import LotteryApplication, LotteryRound
from portal.errors import add_form_error, show_error


def lottery_rounds(request: HttpRequest) -> HttpResponse:
    """The lotteries taking applications now, with the resident's own application to each, and those opening later."""
    rounds = list(selectors.open_rounds())
    mine = {}
    if request.user.is_authenticated:
        for application in selectors.applications_of(request.user).filter(
            round__in=rounds, status=LotteryApplication.Status.SUBMITTED
        ):
            mine.setdefault(application.round_id, []).append(application)
    context = {"rounds": [(r, mine.get(r.pk, [])) for r in rounds], "upcoming": selectors.upcoming_rounds()}
    return render(request, "facilities/lottery_rounds.html", context)


@login_required
def lottery_apply(request: HttpRequest, round_id: int) -> HttpResponse:
    round = get_object_or_404(LotteryRound.objects.select_related("facility"), pk=round_id)
    if not selectors.is_open(round):
        return render(request, "facilities/lottery_apply.html", {"round": round, "closed": True})
    form = LotteryApplicationForm(request.POST or None, round=round, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.apply(user=request.user, round=round, choices=form.choices, club=form.chosen_club)
        except LotteryError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("Your application is received. The results are mailed after the draw."))
            return redirect("facilities:lottery_application", application.pk)
    status = 400 if form.errors else 200
    return render(request, "facilities/lottery_apply.html", {"round": round, "form": form}, status=status)


def _annotate(application: LotteryApplication, now) -> LotteryApplication:
    application.open = selectors.is_open(application.round, now=now)
    for choice in application.choices.all():
        reservation = choice.reservation
        choice.confirmable = bool(reservation) and services.can_confirm(reservation, now=now)
    return application


@login_required
def lottery_mine(request: HttpRequest) -> HttpResponse:
    """The resident's applications, newest round first: status, choices, wins to confirm."""
    now = timezone.now()
    applications = [_annotate(a, now) for a in selectors.applications_of(request.user)]
    return render(request, "facilities/lottery_mine.html", {"applications": applications})


@login_required
def lottery_application(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_for(request.user, application_id)
    if application is None:
        raise Http404
    return render(
        request, "facilities/lottery_application.html", {"application": _annotate(application, timezone.now())}
    )


@login_required
def lottery_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """Ask before withdrawing, like cancelling a booking; the POST withdraws (while the round is open)."""
    application = selectors.application_for(request.user, application_id)
    if application is None:
        raise Http404
    if request.method == "POST":
        try:
            services.withdraw(application=application, user=request.user)
        except LotteryError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("facilities:lottery_application", application.pk)
    return render(request, "facilities/lottery_withdraw.html", {"application": _annotate(application, timezone.now())})


@login_required
@require_POST
def lottery_confirm(request: HttpRequest, reservation_id: int) -> HttpResponse:
    reservation = selectors.lottery_reservation_for(request.user, reservation_id)
    if reservation is None:
        raise Http404
    try:
        services.confirm(reservation=reservation, user=request.user)
    except LotteryError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Your booking is confirmed. A confirmation mail is on its way."))
    choice = getattr(reservation, "lottery_choice", None)
    if choice is not None:
        return redirect("facilities:lottery_application", choice.application_id)
    return redirect("facilities:lottery_mine")
