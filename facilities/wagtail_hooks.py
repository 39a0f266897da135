"""The 施設予約 menu of the Wagtail admin: reservations, the occupancy report, groups, lotteries and the set-up.

Only staff with the facilities permissions (the 施設 group) and superusers see or open these
pages; everyone else is sent back to the dashboard by Wagtail's permission checks. The views
are in :mod:`facilities.staff`; this module only registers them. The lottery's draw audit has
no menu item: the lotteries list links to it (URL name ``facilities_lottery_audit``).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from facilities.models import (
    Closure,
    Club,
    Facility,
    Fee,
    LotteryRound,
    OpeningHours,
    Reservation,
    TimeFrame,
    Unit,
)
from facilities.penalties.staff import UsageViewSet
from facilities.staff.forms import ClosureForm, FeeForm, ReservationFilterSet, TimeFrameForm, UnitForm
from facilities.staff.permissions import ClubPolicy, NoDeletePolicy, ReservationListPolicy, reservation_permissions
from facilities.staff.views import (
    BlockView,
    BookOnBehalfView,
    CancelView,
    ClubDecisionView,
    ClubIndexView,
    LotteryAuditView,
    LotteryRoundIndexView,
    MarkPaidView,
    OccupancyReportView,
    ProtectedDeleteView,
    ReservationIndexView,
)
from portal.admin_views import AuditedInspectView

from facilities.payments.labels import state_label  # noqa: E402  isort: skip

# The payment pages register their own admin URLs (record a payment or refund, the accounting CSV).
import facilities.payments.admin  # noqa: E402, F401  isort: skip


class ReservationViewSet(ModelViewSet):
    model = Reservation
    icon = "calendar"
    menu_label = _("Reservations")
    url_prefix = "facilities/reservations"
    index_view_class = ReservationIndexView
    inspect_view_class = AuditedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    ordering = ["-start"]
    list_display = [
        "date",
        Column("frame", label=_("Time frame"), accessor="frame.label"),
        Column("unit", label=_("Unit"), accessor="unit"),
        Column("holder", label=_("Booked by"), accessor="holder_name"),
        "status",
        BooleanColumn("paid", label=_("Paid"), accessor=lambda r: r.paid_at is not None),
        Column("payment", label=_("Payment state"), accessor=state_label),
        "fee",
        "source",
    ]
    filterset_class = ReservationFilterSet
    search_fields = ["customer_name"]  # turns the search box on; ReservationIndexView searches more fields
    inspect_view_fields = [
        "unit",
        "date",
        "frame",
        "start",
        "end",
        "user",
        "club",
        "customer_name",
        "customer_phone",
        "status",
        "source",
        "resident_rate",
        "fee",
        "paid_at",
        "payment_method",
        "pay_by",
        "refund_percent",
        "refund_amount",
        "refunded_at",
        "lapsed_at",
        "created_at",
        "cancelled_at",
        "cancel_reason",
        "note",
    ]
    form_fields = ["note"]  # required by ModelViewSet; the policy never lets anyone use a form

    @property
    def permission_policy(self):
        return ReservationListPolicy(self.model)

    def _action(self, view_class):
        return view_class.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("book/", self._action(BookOnBehalfView), name="book"),
            path("block/", self._action(BlockView), name="block"),
            path("paid/<int:pk>/", self._action(MarkPaidView), name="paid"),
            path("cancel/<int:pk>/", self._action(CancelView), name="cancel"),
        ]


class OccupancyViewSet(ViewSet):
    icon = "table"
    menu_label = _("Occupancy report")
    url_prefix = "facilities/occupancy"

    @property
    def menu_item_class(self):
        def is_shown(_self, request):
            return reservation_permissions.user_has_permission(request.user, "view")

        return type("OccupancyMenuItem", (MenuItem,), {"is_shown": is_shown})

    def get_urlpatterns(self):
        return [path("", OccupancyReportView.as_view(), name="index")]


class ClubViewSet(ModelViewSet):
    model = Club
    icon = "group"
    url_prefix = "facilities/groups"
    index_view_class = ClubIndexView
    inspect_view_class = AuditedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    ordering = ["status", "name"]
    list_display = [
        "name",
        Column("representative", label=_("Representative"), accessor="representative.get_full_name"),
        "member_count",
        Column("resident_share", label=_("Residents (%)"), accessor="resident_share"),
        "status",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "representative__family_name", "representative__given_name", "representative__email"]
    inspect_view_fields = [
        "name",
        "representative",
        "member_count",
        "resident_member_count",
        "purpose",
        "status",
        "decision_reason",
        "decided_at",
        "created_at",
    ]
    form_fields = ["name", "member_count", "resident_member_count", "purpose"]

    @property
    def permission_policy(self):
        return ClubPolicy(self.model)

    def get_urlpatterns(self):
        decide = ClubDecisionView.as_view(index_url_name=self.get_url_name("index"))
        return [*super().get_urlpatterns(), path("decide/<int:pk>/", decide, name="decide")]


class LotteryRoundViewSet(ModelViewSet):
    """The monthly lotteries: staff open a round (facility, month, application period); the draw is automatic."""

    model = LotteryRound
    icon = "list-ol"
    url_prefix = "facilities/lotteries"
    index_view_class = LotteryRoundIndexView
    copy_view_enabled = False
    list_display = ["__str__", "status", "opens_at", "closes_at", "drawn_at"]
    list_filter = ["facility", "status"]
    form_fields = ["facility", "month", "opens_at", "closes_at", "confirm_days", "max_choices", "max_wins"]

    @property
    def permission_policy(self):
        return NoDeletePolicy(self.model)


class FacilityViewSet(ModelViewSet):
    delete_view_class = ProtectedDeleteView
    model = Facility
    icon = "home"
    url_prefix = "facilities/facilities"
    copy_view_enabled = False
    list_display = ["name", "kind", "address", "phone", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    form_fields = [
        "name",
        "reading",
        "slug",
        "kind",
        "address",
        "phone",
        "description",
        "accessibility",
        "equipment",
        "photo",
        "closed_on_holidays",
        "first_come_opens_months_before",
        "booking_closes_days_before",
        "max_active_reservations",
        "max_slots_per_day",
        "cancel_days_before",
        "sort_order",
        "pay_by_rule",
        "pay_by_value",
        "refund_tiers",
    ]


class UnitViewSet(ModelViewSet):
    delete_view_class = ProtectedDeleteView
    model = Unit
    icon = "placeholder"
    url_prefix = "facilities/units"
    list_display = ["name", "facility", "parent", "capacity", "groups_only", "active"]
    list_filter = ["facility", "groups_only", "active"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return UnitForm


class TimeFrameViewSet(ModelViewSet):
    delete_view_class = ProtectedDeleteView
    model = TimeFrame
    icon = "time"
    url_prefix = "facilities/frames"
    list_display = ["label", "unit", "start", "end"]
    list_filter = ["unit__facility", "unit"]
    search_fields = ["label"]

    def get_form_class(self, for_update=False):
        return TimeFrameForm


class OpeningHoursViewSet(ModelViewSet):
    model = OpeningHours
    icon = "time"
    url_prefix = "facilities/hours"
    copy_view_enabled = False
    list_display = ["facility", "weekday", "opens", "closes"]
    list_filter = ["facility"]
    form_fields = ["facility", "weekday", "opens", "closes"]


class ClosureViewSet(ModelViewSet):
    model = Closure
    icon = "date"
    url_prefix = "facilities/closures"
    ordering = ["-start_date"]
    list_display = ["reason", "facility", "unit", "start_date", "end_date"]
    list_filter = ["facility"]
    search_fields = ["reason"]

    def get_form_class(self, for_update=False):
        return ClosureForm


class FeeViewSet(ModelViewSet):
    model = Fee
    icon = "tag"
    url_prefix = "facilities/fees"
    list_display = ["frame", "unit", "resident", "day_type", "amount"]
    list_filter = ["unit__facility", "resident", "day_type"]

    def get_form_class(self, for_update=False):
        return FeeForm


class FacilitiesViewSetGroup(ViewSetGroup):
    menu_label = _("Facility reservation")
    menu_icon = "calendar"
    menu_order = 300
    items = (
        ReservationViewSet("facilities_reservations"),
        OccupancyViewSet("facilities_occupancy"),
        UsageViewSet("facilities_usage"),
        ClubViewSet("facilities_groups"),
        LotteryRoundViewSet("facilities_lotteries"),
        FacilityViewSet("facilities_facilities"),
        UnitViewSet("facilities_units"),
        TimeFrameViewSet("facilities_frames"),
        OpeningHoursViewSet("facilities_hours"),
        ClosureViewSet("facilities_closures"),
        FeeViewSet("facilities_fees"),
    )


@hooks.register("register_admin_viewset")
def register_facilities_viewsets():
    return FacilitiesViewSetGroup()


@hooks.register("register_admin_urls")
def register_lottery_audit_url():
    return [
        path("facilities/lottery-audit/<int:round_id>/", LotteryAuditView.as_view(), name="facilities_lottery_audit")
    ]
