"""Staff admin of safety mail (学校・見守り group): people, consent, IC cards, terminals, wording, taps.

The rules, in plain words:

* Only staff with the model permissions (the 学校・見守り group, granted by notifications migration 0004) and
  superusers see these pages; other staff groups get nothing, not even the member chooser.
* A card ID typed or scanned by staff goes straight to :func:`safety.services.register_card`
  and is hashed; it is never saved or shown. Lists show only the label (last digits).
* A lost card is deactivated at once (its taps stop matching) and staff go on to register the new
  card for the same person.
* A terminal's new key secret is shown once, on the page that creates it.
* Every staff look at taps (the location history) is written to the access log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from portal.admin_views import AuditedIndexView, AuditedInspectView, ReadOnlyPolicy
from portal.errors import add_form_error
from portal.models import HouseholdMember
from safety import services, terminals
from safety.errors import SafetyError
from safety.models import Card, Consent, MailText, School, Student, Tap, Terminal, WatchedPerson
from safety.staff.forms import CardEditForm, CardRegisterForm, MailTextForm, MemberSearchForm


def can_manage_people(user) -> bool:
    """Staff who register pupils, watched people or cards (and superusers)."""
    return user.is_active and (user.is_superuser or user.has_perm("safety.change_student"))


# --- Choosing a household member -----------------------------------------------------------
class SafetyStaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_people(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MemberChooseView(SafetyStaffOnlyMixin, chooser_views.ChooseView):
    filter_form_class = MemberSearchForm


class MemberChooseResultsView(SafetyStaffOnlyMixin, chooser_views.ChooseResultsView):
    filter_form_class = MemberSearchForm


class MemberChosenView(SafetyStaffOnlyMixin, chooser_views.ChosenView):
    pass


class MemberChooserViewSet(ChooserViewSet):
    """A search-by-name chooser of household members, used by every form with a ``member`` field here."""

    model = HouseholdMember
    icon = "user"
    choose_one_text = gettext_lazy("Choose a household member")
    choose_another_text = gettext_lazy("Choose another household member")
    choose_view_class = MemberChooseView
    choose_results_view_class = MemberChooseResultsView
    chosen_view_class = MemberChosenView
    per_page = 20


member_chooser_viewset = MemberChooserViewSet("safety_member_chooser", url_prefix="safety/members/chooser")


# --- People and consent --------------------------------------------------------------------
class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    form_fields = ["name"]
    search_fields = ["name"]
    copy_view_enabled = False
    url_prefix = "safety/schools"


class StudentViewSet(ModelViewSet):
    model = Student
    icon = "group"
    form_fields = ["member", "school", "grade", "class_name"]
    list_display = ["member", "school", "grade", "class_name"]
    list_filter = ["school", "grade"]
    search_fields = ["member__family_name", "member__given_name", "member__family_name_kana"]
    copy_view_enabled = False
    url_prefix = "safety/students"


class WatchedPersonViewSet(ModelViewSet):
    model = WatchedPerson
    icon = "user"
    form_fields = ["member", "no_activity_hours"]
    list_display = ["member", "no_activity_hours", "last_alerted_at"]
    search_fields = ["member__family_name", "member__given_name", "member__family_name_kana"]
    copy_view_enabled = False
    url_prefix = "safety/watched"


class ConsentCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.recorded_by = self.request.user
        instance.save()
        return instance


class ConsentViewSet(ModelViewSet):
    model = Consent
    icon = "tick-inverse"
    add_view_class = ConsentCreateView
    form_fields = ["member", "purpose", "given_by", "given_at", "withdrawn_at"]
    list_display = ["member", "purpose", "given_by", "given_at", "withdrawn_at"]
    list_filter = ["purpose"]
    search_fields = ["member__family_name", "member__given_name", "given_by"]
    copy_view_enabled = False
    url_prefix = "safety/consents"


# --- Cards ---------------------------------------------------------------------------------
class CardCreateView(CreateView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        member = self.request.GET.get("member")
        if member and member.isdigit():
            kwargs.setdefault("initial", {})["member"] = int(member)
        return kwargs

    def save_instance(self):
        data = self.form.cleaned_data
        card_id = data["card_id"].strip()
        return services.register_card(member=data["member"], card_id=card_id, label=card_id, by=self.request.user)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except SafetyError as error:
            add_form_error(form, error)
            self.produced_error_message = error.message
            return self.form_invalid(form)


def card_lost(request, pk):
    """Lost card: deactivate it (its taps stop matching), then register the new card for the same person."""
    if not ModelPermissionPolicy(Card).user_has_permission(request.user, "change"):
        raise PermissionDenied
    card = get_object_or_404(Card, pk=pk)
    if request.method == "POST":
        if card.status == Card.Status.ACTIVE:
            services.deactivate_card(card=card, lost=True)
            messages.success(request, _("The card no longer works. Register the new card now."))
        return redirect(reverse("safety_cards:add") + f"?member={card.member_id}")
    return TemplateResponse(request, "safety/admin/card_lost.html", {"card": card})


class CardViewSet(ModelViewSet):
    model = Card
    icon = "tag"
    add_view_class = CardCreateView
    list_display = ["member", "label", "status", "issued_at", "deactivated_at"]
    list_filter = ["status"]
    search_fields = ["member__family_name", "member__given_name", "label"]
    copy_view_enabled = False
    delete_view_enabled = False
    url_prefix = "safety/cards"
    form_fields = ["label"]

    def get_form_class(self, for_update=False):
        return CardEditForm if for_update else CardRegisterForm

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/lost/", card_lost, name="lost")]


# --- Terminals -----------------------------------------------------------------------------
def rotate_terminal_key(request, pk):
    """Create a new key for a terminal and show its secret, this once; old keys keep working for a day."""
    from datetime import timedelta

    if not ModelPermissionPolicy(Terminal).user_has_permission(request.user, "change"):
        raise PermissionDenied
    terminal = get_object_or_404(Terminal, pk=pk)
    context = {"terminal": terminal, "keys": terminal.keys.order_by("-created_at")}
    if request.method == "POST":
        with transaction.atomic():
            context["new_key"] = terminals.rotate_key(terminal, grace=timedelta(days=1))
    response = TemplateResponse(request, "safety/admin/terminal_key.html", context)
    response["Cache-Control"] = "no-store"
    return response


class TerminalViewSet(ModelViewSet):
    model = Terminal
    icon = "cogs"
    form_fields = ["name", "kind", "place", "school", "active", "rate_limit_per_minute"]
    list_display = ["name", "kind", "place", "school", "active"]
    list_filter = ["kind", "school", "active"]
    search_fields = ["name", "place"]
    copy_view_enabled = False
    delete_view_enabled = False
    url_prefix = "safety/terminals"

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/key/", rotate_terminal_key, name="key")]


# --- Mail wording --------------------------------------------------------------------------
class MailTextViewSet(ModelViewSet):
    model = MailText
    icon = "mail"
    list_display = ["key", "language", "subject"]
    list_filter = ["key", "language"]
    copy_view_enabled = False
    url_prefix = "safety/mail-texts"
    form_fields = ["key", "language", "subject", "body"]

    def get_form_class(self, for_update=False):
        return MailTextForm


# --- Taps (location history): read-only and access-logged ----------------------------------
class TapViewSet(ModelViewSet):
    model = Tap
    icon = "site"
    index_view_class = AuditedIndexView
    inspect_view_class = AuditedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    url_prefix = "safety/taps"
    list_display = ["occurred_at", "member", "terminal", "kind", "mail_state", "received_at"]
    list_filter = ["terminal", "kind", "mail_state", "occurred_at"]
    search_fields = ["member__family_name", "member__given_name", "terminal__place"]
    inspect_view_fields = ["occurred_at", "received_at", "member", "terminal", "kind", "mail_state", "event_id"]
    form_fields = ["kind"]  # required by ModelViewSet; the policy never lets anyone use a form

    @property
    def permission_policy(self):
        return ReadOnlyPolicy(self.model)


class SafetyAdminGroup(ViewSetGroup):
    menu_label = gettext_lazy("School and watch-over")
    menu_icon = "group"
    menu_order = 420
    items = (
        SchoolViewSet("safety_schools"),
        StudentViewSet("safety_students"),
        WatchedPersonViewSet("safety_watched"),
        ConsentViewSet("safety_consents"),
        CardViewSet("safety_cards"),
        TerminalViewSet("safety_terminals"),
        MailTextViewSet("safety_mail_texts"),
        TapViewSet("safety_taps"),
    )
