"""Staff pages of usage records and penalties in the Wagtail admin (施設予約 → 利用実績・ペナルティ).

* the usage day page: a facility's bookings of one day; mark each used or not shown, or tick
  several and mark them together (all or nothing). Marking is refused before a slot starts.
* current suspensions, and lifting one early with a reason.

Both pages show residents' names, so each look is written to the staff access log, and so is
each lift (action ``lift_suspension``, with the suspension's id; the reason is on the suspension).
Marking and lifting need ``change_reservation`` (the 施設 group has it); looking needs ``view_reservation``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet

from facilities.models import Facility, Reservation
from facilities.penalties import selectors, services
from facilities.penalties.models import Suspension, UsageRecord
from facilities.staff.permissions import reservation_permissions
from portal.audit import log_staff_access
from portal.errors import add_form_error


class DayForm(forms.Form):
    facility = forms.ModelChoiceField(label=gettext_lazy("Facility"), queryset=Facility.objects.all())
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for lifting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Kept with the suspension and in the staff access log."),
    )


class UsageDayView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """One facility's bookings on one day, to mark used or not shown (one by one or ticked together)."""

    permission_policy = reservation_permissions
    permission_required = "view"
    page_title = gettext_lazy("Usage and no-shows")
    header_icon = "tick"
    template_name = "facilities/penalties/admin/usage_day.html"

    def _form(self, data) -> DayForm:
        data = data.copy()
        facility = Facility.objects.first()
        data.setdefault("facility", str(facility.pk) if facility else "")
        data.setdefault("day", timezone.localdate().isoformat())
        return DayForm(data)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="list", object_type=UsageRecord._meta.label)
        return self.render_to_response(self.get_context_data(form=self._form(request.GET)))

    def post(self, request, *args, **kwargs):
        if not reservation_permissions.user_has_permission(request.user, "change"):
            raise PermissionDenied
        form = self._form(request.POST)
        error = None
        if form.is_valid():
            single = request.POST.get("mark", "")
            if ":" in single:  # one row's button: "<id>:<outcome>"
                pk, outcome = single.split(":", 1)
                ids = [pk]
            else:
                outcome = request.POST.get("bulk", "")
                ids = request.POST.getlist("reservation")
            chosen = list(
                Reservation.objects.filter(
                    pk__in=[i for i in ids if i.isdigit()],
                    unit__facility=form.cleaned_data["facility"],
                    date=form.cleaned_data["day"],
                )
            )
            try:
                if not chosen:
                    raise services.PenaltyError(_("Choose at least one booking."), code="nothing_chosen")
                records = services.mark_usage_bulk(reservations=chosen, outcome=outcome, by=request.user)
            except services.PenaltyError as exc:
                error = exc.message
            else:
                label = dict(UsageRecord.Outcome.choices)[outcome]
                text = ngettext(
                    "Marked %(n)d booking: %(outcome)s.", "Marked %(n)d bookings: %(outcome)s.", len(records)
                )
                messages.success(request, text % {"n": len(records), "outcome": label})
                query = f"?facility={form.cleaned_data['facility'].pk}&day={form.cleaned_data['day'].isoformat()}"
                return redirect(reverse("facilities_usage:index") + query)
        context = self.get_context_data(form=form, error=error)
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs["form"]
        context["reservations"] = (
            selectors.day_reservations(form.cleaned_data["facility"], form.cleaned_data["day"])
            if form.is_valid()
            else []
        )
        context["now"] = timezone.now()
        context["can_mark"] = reservation_permissions.user_has_permission(self.request.user, "change")
        context["outcomes"] = [UsageRecord.Outcome.USED, UsageRecord.Outcome.NO_SHOW]
        return context


class SuspensionListView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Current suspensions (not lifted, not over), each with a link to lift it."""

    permission_policy = reservation_permissions
    permission_required = "view"
    page_title = gettext_lazy("Suspensions")
    header_icon = "lock"
    template_name = "facilities/penalties/admin/suspensions.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="list", object_type=Suspension._meta.label)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["suspensions"] = selectors.suspensions_for_staff()
        context["can_lift"] = reservation_permissions.user_has_permission(self.request.user, "change")
        return context


class LiftView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Lift a suspension early, with a reason; the lift is written to the staff access log."""

    permission_policy = reservation_permissions
    permission_required = "change"
    page_title = gettext_lazy("Lift the suspension")
    header_icon = "lock-open"
    template_name = "facilities/penalties/admin/lift.html"
    form_class = LiftForm

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(Suspension.objects.select_related("user", "club"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["suspension"] = self.object
        context["submit_label"] = _("Lift the suspension")
        context["cancel_url"] = reverse("facilities_usage:suspensions")
        return context

    def form_valid(self, form):
        try:
            services.lift(suspension=self.object, by=self.request.user, reason=form.cleaned_data["reason"])
        except services.PenaltyError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        log_staff_access(request=self.request, action="lift_suspension", obj=self.object)
        messages.success(self.request, _("The suspension of %(holder)s was lifted.") % {"holder": self.object})
        return redirect("facilities_usage:suspensions")


class UsageViewSet(ViewSet):
    """The menu item and the URLs (``facilities_usage:index``, ``:suspensions``, ``:lift``)."""

    icon = "tick"
    menu_label = gettext_lazy("Usage and penalties")
    url_prefix = "facilities/usage"

    @property
    def menu_item_class(self):
        def is_shown(_self, request):
            return reservation_permissions.user_has_permission(request.user, "view")

        return type("UsageMenuItem", (MenuItem,), {"is_shown": is_shown})

    def get_urlpatterns(self):
        return [
            path("", UsageDayView.as_view(), name="index"),
            path("suspensions/", SuspensionListView.as_view(), name="suspensions"),
            path("suspensions/<int:pk>/lift/", LiftView.as_view(), name="lift"),
        ]
