"""The family's safety-mail pages under /my/safety/. Views stay thin; the rules are in the services.

Every page about a member goes through ``portal.selectors.member_for_user``: a member of
another household is a 404, never a 403, so nobody learns which member IDs exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from notifications import broadcasts, safety, safety_selectors
from notifications.safety_forms import BroadcastPreferenceForm, SubscriptionForm
from portal.selectors import member_for_user

HISTORY_PAGE_SIZE = 30
BROADCASTS_PAGE_SIZE = 20


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/safety/overview.html",
        {"family": safety_selectors.family_overview(request.user), "history_days": safety_selectors.HISTORY_DAYS},
    )


@login_required
def member_settings(request: HttpRequest, member_id: int) -> HttpResponse:
    member = member_for_user(request.user, member_id)
    if member is None:
        raise Http404
    watched = hasattr(member, "watched")
    current = safety.subscription_for(request.user, member)
    form = SubscriptionForm(
        request.POST or None,
        watched=watched,
        initial={"mode": current.mode, "no_activity_alert": current.no_activity_alert},
    )
    if request.method == "POST" and form.is_valid():
        safety.set_subscription(
            user=request.user,
            member=member,
            mode=form.cleaned_data["mode"],
            no_activity_alert=form.cleaned_data.get("no_activity_alert", False),
        )
        messages.success(request, _("Your choice was saved."))
        return redirect("portal:safety")
    return render(
        request, "notifications/safety/member_settings.html", {"member": member, "form": form, "watched": watched}
    )


@login_required
def member_history(request: HttpRequest, member_id: int) -> HttpResponse:
    found = safety_selectors.history_for(request.user, member_id)
    if found is None:
        raise Http404
    member, taps = found
    page = Paginator(taps, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/safety/history.html",
        {"member": member, "page": page, "history_days": safety_selectors.HISTORY_DAYS},
    )


@login_required
def broadcast_preferences(request: HttpRequest) -> HttpResponse:
    form = BroadcastPreferenceForm(
        request.POST or None, initial={"categories": broadcasts.categories_for(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        broadcasts.set_categories(request.user, form.cleaned_data["categories"])
        messages.success(request, _("Your choice was saved."))
        return redirect("portal:safety_broadcasts")
    page = Paginator(broadcasts.received_by(request.user), BROADCASTS_PAGE_SIZE).get_page(request.GET.get("page"))
    broadcasts.mark_read(request.user)
    items = broadcasts.shown_in(page.object_list, get_language())
    return render(request, "notifications/safety/broadcasts.html", {"form": form, "page": page, "items": items})
