"""Staff pages for reservations in the Wagtail admin (施設予約).

Every change to a reservation or a group goes through :mod:`facilities.services`, so staff
keep to the same no-double-booking guarantee as residents; the generic add/edit forms of
Wagtail are never used for reservations. Pages that show residents' names are written to the
staff access log. Who may do what: :mod:`facilities.staff.permissions`.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import DeleteView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from facilities import rules, services
from facilities.errors import BookingError
from facilities.lottery.selectors import round_audit
from facilities.models import Club, Facility, LotteryRound, Reservation
from facilities.selectors import Availability
from facilities.staff.charts import occupancy_chart
from facilities.staff.exports import EXPORT_COLUMNS, export_row, spreadsheet_safe
from facilities.staff.forms import (
    BlockForm,
    BookOnBehalfForm,
    CancelForm,
    ClubDecisionForm,
    OccupancyForm,
    SlotPickForm,
)
from facilities.staff.permissions import club_permissions, reservation_permissions
from facilities.staff.reports import occupancy_report
from portal.audit import log_staff_access
from portal.errors import add_form_error


# --- Set-up pages ------------------------------------------------------------------------
class ProtectedDeleteView(DeleteView):
    """Deleting a facility, unit or time frame that reservations refer to is refused with a message.

    Reservations are the town's record of who used what and paid; they are never deleted with
    the thing they were for. Staff make a unit not bookable instead.
    """

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("%(object)s cannot be deleted: reservations refer to it. Make the unit not bookable instead.")
                % {"object": str(self.object)},
            )
            return redirect(self.get_success_url())


# --- The reservations list ---------------------------------------------------------------
class ReservationIndexView(IndexView):
    """The reservations list. Every look (and every export) is recorded in the staff access log.

    The CSV export starts with a UTF-8 byte order mark, so Excel opens the Japanese text
    correctly with a double click.
    """

    list_export = list(EXPORT_COLUMNS)
    export_headings = EXPORT_COLUMNS
    custom_value_preprocess = {str: {"csv": spreadsheet_safe}}

    def get(self, request, *args, **kwargs):
        log_staff_access(
            request=request, action="export" if self.is_export else "list", object_type=self.model._meta.label
        )
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit__facility", "frame", "user", "club")

    def search_queryset(self, queryset):
        """Every word must be found in the name (kanji or kana), email, phone or group: 「山田 花子」 finds her."""
        if not self.is_searching:
            return queryset
        fields = [
            "customer_name",
            "customer_phone",
            "user__family_name",
            "user__given_name",
            "user__family_name_kana",
            "user__given_name_kana",
            "user__email",
            "club__name",
        ]
        for word in self.search_query.split():
            query = Q()
            for field in fields:
                query |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(query)
        return queryset

    def get_filename(self):
        return f"reservations-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, item):
        return export_row(item)

    def stream_csv(self, queryset):
        yield "\ufeff".encode()
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

    def _url(self, name: str, *args) -> str:
        return reverse(self.index_url_name.replace(":index", f":{name}"), args=args)

    @cached_property
    def header_buttons(self):
        buttons = []
        if reservation_permissions.user_has_permission(self.request.user, "add"):
            buttons.append(HeaderButton(_("Book for a customer"), url=self._url("book"), icon_name="plus"))
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if reservation_permissions.user_has_permission(self.request.user, "add"):
            buttons.append(Button(_("Block for maintenance"), url=self._url("block"), icon_name="lock", priority=10))
        buttons.append(
            Button(_("Occupancy report"), url=reverse("facilities_occupancy:index"), icon_name="table", priority=20)
        )
        buttons.append(
            Button(
                _("Payments and refunds (CSV)"),
                url=reverse("facilities_payments_export"),
                icon_name="download",
                priority=30,
            )
        )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not reservation_permissions.user_has_permission(self.request.user, "change"):
            return buttons
        if instance.source != Reservation.Source.MAINTENANCE and instance.paid_at:
            buttons.append(
                MenuItem(_("Mark as unpaid"), url=self._url("paid", instance.pk), icon_name="check", priority=40)
            )
        elif instance.source != Reservation.Source.MAINTENANCE and instance.is_active:
            url = reverse("facilities_record_payment", args=[instance.pk])  # facilities.payments.admin
            buttons.append(MenuItem(_("Record the payment"), url=url, icon_name="check", priority=40))
        if instance.refund_amount and not instance.refunded_at:
            url = reverse("facilities_record_refund", args=[instance.pk])
            buttons.append(MenuItem(_("Record the refund"), url=url, icon_name="undo", priority=45))
        if instance.is_active:
            label = _("Remove the block") if instance.status == Reservation.Status.BLOCKED else _("Cancel")
            buttons.append(MenuItem(label, url=self._url("cancel", instance.pk), icon_name="cross", priority=50))
        return buttons


# --- Staff actions -----------------------------------------------------------------------
class StaffActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A form page in the admin, under the reservations list in the breadcrumbs."""

    model = Reservation
    permission_policy = reservation_permissions
    permission_required = "change"
    index_url_name: str | None = None
    header_icon = "calendar"
    template_name = "facilities/admin/form.html"
    submit_label = gettext_lazy("Save")

    def dispatch(self, request, *args, **kwargs):
        # The permission first, so someone without it learns nothing about which records exist.
        if not self.user_has_permission(self.permission_required):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Load what the page is about (after the permission check)."""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_success_url(self) -> str:
        return reverse(self.index_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_label"] = self.submit_label
        context["cancel_url"] = reverse(self.index_url_name)
        return context


class SlotActionView(StaffActionView):
    """Booking or blocking: first the unit and the day (GET), then the frames and the details (POST)."""

    permission_required = "add"
    template_name = "facilities/admin/slots.html"

    def load(self, **kwargs) -> None:
        self.pick = SlotPickForm(self.request.GET or None)
        self.unit = self.day = None
        if self.pick.is_valid():
            self.unit, self.day = self.pick.cleaned_data["unit"], self.pick.cleaned_data["date"]

    def get_form(self, form_class=None):
        if self.unit is None:
            return None
        return super().get_form(form_class)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit, "day": self.day}

    def post(self, request, *args, **kwargs):
        if self.unit is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pick=self.pick, unit=self.unit, day=self.day)
        if self.unit is not None:
            context["slots"] = Availability(self.unit.facility, self.day, self.day).day_slots(self.unit, self.day)
        return context

    def slots(self, frames, days) -> list[services.SlotRequest]:
        return [services.SlotRequest(frame=frame, day=day) for day in days for frame in frames]


class BookOnBehalfView(SlotActionView):
    """Staff book for a customer on the phone or at the counter, without the window and limits."""

    form_class = BookOnBehalfForm
    page_title = gettext_lazy("Book for a customer")
    submit_label = gettext_lazy("Book")

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            reservations = services.book(
                user=data["user"],
                unit=self.unit,
                slots=self.slots(data["frames"], [self.day]),
                club=data["club"],
                source=Reservation.Source.COUNTER,
                created_by=self.request.user,
                customer_name=data["customer_name"].strip(),
                customer_phone=data["customer_phone"].strip(),
                resident=data["resident_rate"],
                enforce_rules=False,
            )
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        total = sum(r.fee for r in reservations)
        messages.success(
            self.request,
            _("Booked %(unit)s on %(day)s: %(n)d slot(s), %(total)s yen to pay at the counter.")
            % {"unit": str(self.unit), "day": self.day.isoformat(), "n": len(reservations), "total": f"{total:,}"},
        )
        return redirect(self.get_success_url())


class BlockView(SlotActionView):
    """Staff block a unit for maintenance, the same frames each day (services.block skips closed days)."""

    form_class = BlockForm
    page_title = gettext_lazy("Block for maintenance")
    submit_label = gettext_lazy("Block")

    def form_valid(self, form):
        data = form.cleaned_data
        last = data["last_date"]
        days = [self.day + timedelta(days=i) for i in range((last - self.day).days + 1)]
        try:
            blocked = services.block(
                unit=self.unit, slots=self.slots(data["frames"], days), reason=data["reason"], by=self.request.user
            )
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Blocked %(n)d slot(s) of %(unit)s.") % {"n": len(blocked), "unit": str(self.unit)}
        )
        return redirect(self.get_success_url())


class ReservationActionView(StaffActionView):
    """An action on one reservation; the page shows who holds it, so opening it is logged."""

    permission_required = "change"
    template_name = "facilities/admin/reservation_action.html"

    def load(self, **kwargs) -> None:
        self.object = get_object_or_404(
            Reservation.objects.select_related("unit__facility", "frame", "user", "club"), pk=kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reservation"] = self.object
        context["details"] = [
            (EXPORT_COLUMNS[key], value) for key, value in export_row(self.object).items() if value not in ("", None)
        ]
        return context


class MarkPaidView(ReservationActionView):
    """Record that the fee was paid at the counter, or undo a mistaken mark."""

    form_class = forms.Form

    def get_page_title(self):
        return _("Mark as unpaid") if self.object.paid_at else _("Mark as paid")

    @property
    def submit_label(self):
        return self.get_page_title()

    def form_valid(self, form):
        paid = self.object.paid_at is None
        services.mark_paid(reservation=self.object, paid=paid)
        messages.success(
            self.request,
            (_("Marked %(reservation)s as paid.") if paid else _("Marked %(reservation)s as unpaid."))
            % {"reservation": str(self.object)},
        )
        return redirect(self.get_success_url())


class CancelView(ReservationActionView):
    """Staff cancel at any time, with a reason that is mailed to the holder."""

    form_class = CancelForm

    def get_page_title(self):
        return _("Remove the block") if self.object.status == Reservation.Status.BLOCKED else _("Cancel the booking")

    @property
    def submit_label(self):
        return self.get_page_title()

    def form_valid(self, form):
        try:
            cancelled = services.cancel(
                reservation=self.object, by=self.request.user, reason=form.cleaned_data["reason"], staff=True
            )
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Cancelled %(reservation)s.") % {"reservation": str(self.object)})
        if cancelled.refund_amount:  # recorded by facilities.payments from the facility's refund tiers
            messages.info(
                self.request,
                _("Refund to pay back at the counter: %(amount)s yen (%(percent)s%% of the fee).")
                % {"amount": f"{cancelled.refund_amount:,}", "percent": cancelled.refund_percent},
            )
        return redirect(self.get_success_url())


class ClubDecisionView(StaffActionView):
    """Approve or reject a registered group; the representative gets the decision and the reason by mail."""

    model = Club
    permission_policy = club_permissions
    permission_required = "change"
    header_icon = "group"
    form_class = ClubDecisionForm
    page_title = gettext_lazy("Approve or reject the group")
    submit_label = gettext_lazy("Send the decision")
    template_name = "facilities/admin/club_decision.html"

    def load(self, **kwargs) -> None:
        self.object = get_object_or_404(Club.objects.select_related("representative"), pk=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.name

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "club": self.object}

    def form_valid(self, form):
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_club(
                club=self.object, approve=approve, reason=form.cleaned_data["reason"], by=self.request.user
            )
        except BookingError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            (
                _("Approved %(name)s; the representative is informed by mail.")
                if approve
                else _("Rejected %(name)s; the representative is informed by mail.")
            )
            % {"name": self.object.name},
        )
        return redirect(self.get_success_url())


class ClubIndexView(IndexView):
    """Registered groups with their representatives: every look is logged."""

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="list", object_type=self.model._meta.label)
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("representative")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if club_permissions.user_has_permission(self.request.user, "change"):
            url = reverse(self.index_url_name.replace(":index", ":decide"), args=[instance.pk])
            buttons.append(MenuItem(_("Approve or reject"), url=url, icon_name="check", priority=5))
        return buttons


# --- Occupancy report ----------------------------------------------------------------------
class OccupancyReportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """How full a facility was in a month, per unit and per day: a chart and the same numbers as tables."""

    permission_policy = reservation_permissions
    permission_required = "view"
    page_title = gettext_lazy("Occupancy report")
    header_icon = "table"
    template_name = "facilities/admin/occupancy.html"
    form_class = OccupancyForm

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        facility = Facility.objects.first()
        today = timezone.localdate()
        data = self.request.GET.copy()
        data.setdefault("facility", str(facility.pk) if facility else "")
        data.setdefault("month", f"{today:%Y-%m}")
        return {"data": data, "prefix": None, "initial": {}}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        report = None
        if form.is_valid():
            report = occupancy_report(form.cleaned_data["facility"], rules.first_of_month(form.cleaned_data["month"]))
        return self.render_to_response(self.get_context_data(form=form, report=report))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = kwargs.get("report")
        if report is not None:
            context.update(occupancy_chart(report))
        return context


# --- The lottery ---------------------------------------------------------------------------
class LotteryRoundIndexView(IndexView):
    """Lottery rounds; a drawn round links to its audit page (seed, order, wins)."""

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == LotteryRound.Status.DRAWN:
            try:
                url = reverse("facilities_lottery_audit", args=[instance.pk])
            except NoReverseMatch:  # the audit page is not installed
                return buttons
            buttons.append(MenuItem(_("Draw audit"), url=url, icon_name="list-ol", priority=5))
        return buttons


class LotteryAuditView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """The staff's audit page of a lottery draw (read-only): seed, order of applicants and each win.

    ``?replay=1`` re-runs the draw and compares. URL name ``facilities_lottery_audit`` (argument:
    the round's id), at /admin/facilities/lottery-audit/<id>/; the lottery admin links to it.
    Viewing needs the ``view_lotteryround`` permission (the 施設 group has it) and is written to
    the staff access log, because the page names the applicants.
    """

    permission_policy = ModelPermissionPolicy(LotteryRound)
    permission_required = "view"
    header_icon = "list-ol"
    template_name = "facilities/lottery_audit.html"

    def dispatch(self, request, *args, **kwargs):
        self.round = get_object_or_404(LotteryRound.objects.select_related("facility"), pk=kwargs["round_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Lottery draw: %(facility)s %(month)s") % {
            "facility": self.round.facility.name,
            "month": f"{self.round.month:%Y-%m}",
        }

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.round)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_replay = self.request.GET.get("replay") == "1"
        context["audit"] = round_audit(self.round, with_replay=with_replay)
        context["round"] = self.round
        return context
