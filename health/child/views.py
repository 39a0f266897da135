"""/my/health/<record>/…: pregnancy, birth, growth and vaccination pages (thin: selector or service, render).

Every page gets the record through ``health.selectors.record_for`` (None → 404) first, so another
resident and staff get 404. Child pages answer 404 on an adult's record, the pregnancy page on a child's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from health import selectors as health_selectors
from health.child import forms, selectors, services
from health.child.services import ChildError
from health.models import VaccineDose
from portal.errors import add_form_error, show_error


def _posted_id(request, name: str) -> int:
    """An id posted by one of our forms; anything else counts as none (0 matches no row)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def _record(request, record_id: int, *, child: bool):
    record = health_selectors.record_for(request.user, record_id)
    if record is None or selectors.is_child_record(record) != child:
        raise Http404
    return record


@login_required
@require_http_methods(["GET", "POST"])
def growth(request: HttpRequest, record_id: int) -> HttpResponse:
    """The child's growth: chart against the reference percentiles, the data table, a form to add a day."""
    record = _record(request, record_id, child=True)
    profile = selectors.profile_of(record)
    form = forms.GrowthForm(prefix="g")
    profile_form = forms.ProfileForm(instance=profile, prefix="p")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "profile":
            profile_form = forms.ProfileForm(request.POST, instance=profile, prefix="p")
            if profile_form.is_valid():
                services.save_profile(record=record, **profile_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("portal:health_growth", record.pk)
        elif action == "delete":
            services.delete_growth(record=record, entry_id=_posted_id(request, "entry"))
            messages.success(request, _("Deleted."))
            return redirect("portal:health_growth", record.pk)
        else:
            form = forms.GrowthForm(request.POST, prefix="g")
            if form.is_valid():
                try:
                    services.save_growth(record=record, **form.cleaned_data)
                except ChildError as error:
                    add_form_error(form, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("portal:health_growth", record.pk)
    view = selectors.growth_view(record, timezone.localdate())
    return render(
        request,
        "health/child/growth.html",
        {
            "record": record,
            "view": view,
            "form": form,
            "profile_form": profile_form,
            "birth_date": selectors.birth_date_of(record),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vaccinations(request: HttpRequest, record_id: int) -> HttpResponse:
    """The child's vaccinations: each dose due, overdue or done, and a form to record a dose given."""
    record = _record(request, record_id, child=True)
    form = None
    if request.method == "POST":
        if request.POST.get("action") == "forget":
            services.forget_dose(record=record, given_id=_posted_id(request, "given"))
            messages.success(request, _("Deleted."))
            return redirect("portal:health_vaccinations", record.pk)
        form = forms.DoseForm(request.POST)
        if form.is_valid():
            dose = VaccineDose.objects.filter(pk=form.cleaned_data["dose"]).first()
            if dose is None:
                raise Http404
            try:
                services.record_dose(
                    record=record,
                    dose=dose,
                    date=form.cleaned_data["date"],
                    lot=form.cleaned_data["lot"],
                    clinic=form.cleaned_data["clinic"],
                )
            except ChildError as error:
                show_error(request, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("portal:health_vaccinations", record.pk)
        else:
            messages.error(request, _("Enter the date the dose was given."))
    today = timezone.localdate()
    plan = selectors.vaccination_plan(record, today)
    return render(
        request,
        "health/child/vaccinations.html",
        {"record": record, "plan": plan, "today": today, "birth_date": selectors.birth_date_of(record)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def birth(request: HttpRequest, record_id: int) -> HttpResponse:
    """The birth record of a child (出生時の記録)."""
    record = _record(request, record_id, child=True)
    instance = selectors.birth_of(record)
    initial = {} if instance else {"date": record.member.birth_date}
    form = forms.BirthForm(instance=instance, initial=initial)
    if request.method == "POST":
        form = forms.BirthForm(request.POST, instance=instance)
        form.instance.record = record
        if form.is_valid():
            try:
                services.save_birth(record=record, **{f: form.cleaned_data[f] for f in forms.BirthForm.Meta.fields})
            except ChildError as error:
                add_form_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("portal:health_birth", record.pk)
    return render(
        request, "health/child/birth.html", {"record": record, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def pregnancy(request: HttpRequest, record_id: int) -> HttpResponse:
    """The mother's pregnancy record: due date, prenatal check-ups, notes."""
    record = _record(request, record_id, child=False)
    pregnancy_form = forms.PregnancyForm(prefix="n")
    checkup_form = forms.CheckupForm(prefix="c")
    current = selectors.pregnancies(record)
    if request.method == "POST":
        if request.POST.get("action") == "checkup":
            target = selectors.pregnancy_for(record, _posted_id(request, "pregnancy"))
            if target is None:
                raise Http404
            checkup_form = forms.CheckupForm(request.POST, prefix="c")
            if checkup_form.is_valid():
                try:
                    services.add_checkup(pregnancy=target, **checkup_form.cleaned_data)
                except ChildError as error:
                    add_form_error(checkup_form, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("portal:health_pregnancy", record.pk)
        else:
            pregnancy_form = forms.PregnancyForm(request.POST, prefix="n")
            if pregnancy_form.is_valid():
                try:
                    services.add_pregnancy(record=record, **pregnancy_form.cleaned_data)
                except ChildError as error:
                    add_form_error(pregnancy_form, error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("portal:health_pregnancy", record.pk)
    return render(
        request,
        "health/child/pregnancy.html",
        {"record": record, "pregnancies": current, "pregnancy_form": pregnancy_form, "checkup_form": checkup_form},
        status=400 if request.method == "POST" else 200,
    )
