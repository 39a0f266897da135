"""Resident pages of the monthly lottery: open rounds, applying, my applications and results.

Views parse input, ask :mod:`facilities.lottery.selectors` or :mod:`facilities.lottery.services`
and render; a refused application shows the service's message and saves nothing. Another
resident's application or win is a 404.

Each round also has public pages, for anyone, signed in or not: its record (the commitment to
the seed; after the draw the seed, the order of application numbers and the winners), the same
as JSON, and a page that re-runs the draw from the published data (or from a JSON file someone
saved) with :mod:`facilities.lottery.verify`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilities.errors import LotteryError
from facilities.lottery import selectors, services
from facilities.lottery.forms import LotteryApplicationForm, VerifyUploadForm
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
    context = {
        "rounds": [(r, mine.get(r.pk, [])) for r in rounds],
        "upcoming": selectors.upcoming_rounds(),
        "drawn": selectors.drawn_rounds()[:24],
    }
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


# --- The public record of a round ------------------------------------------------------------
def lottery_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """A round's public record: rules, the commitment; after the draw the seed, the order and the winners."""
    round = selectors.public_round(round_id)
    if round is None:
        raise Http404
    mine = []
    if request.user.is_authenticated:  # the visitor's own application numbers, never anyone else's
        mine = list(selectors.applications_of(request.user).filter(round=round))
    context = {
        "round": round,
        "drawn": round.status == LotteryRound.Status.DRAWN,
        "taking_applications": selectors.is_open(round),
        "late_commitment": bool(round.committed_at and round.committed_at > round.opens_at),
        # Built lazily: the template caches the tables it fills once the round is drawn.
        "published": lambda: selectors.public_draw(round),
        "mine": mine,
    }
    return render(request, "facilities/lottery_round.html", context)


def lottery_round_json(request: HttpRequest, round_id: int) -> JsonResponse:
    """The round's public record as JSON: what ``python -m facilities.lottery.verify`` checks."""
    round = selectors.public_round(round_id)
    if round is None:
        raise Http404
    response = JsonResponse(selectors.public_document(round), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="lottery-{round.pk}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def lottery_round_verify(request: HttpRequest, round_id: int) -> HttpResponse:
    """Re-run the draw from the published data (GET), or compare a JSON file the visitor saved with it (POST).

    The published draw never changes once written (the database refuses it), so its check is
    cached. An uploaded file is compared with the published record rather than re-run: a file
    of made-up inputs could keep the server busy, and ``python -m facilities.lottery.verify``
    re-runs any file on the visitor's own computer.
    """
    round = selectors.public_round(round_id)
    if round is None:
        raise Http404
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    uploaded = request.method == "POST"
    status = 200
    outcome = None
    if not uploaded:
        outcome = selectors.published_check(round)
    elif form.is_valid():
        outcome = selectors.compare_with_published(round, form.cleaned_data["document"])
    else:
        status = 400
    context = {"round": round, "form": form, "outcome": outcome, "uploaded": uploaded}
    return render(request, "facilities/lottery_verify.html", context, status=status)
