"""The 健康 staff's admin of mother and child in Wagtail: the vaccination schedule and growth reference tables.

Staff edit vaccines and their doses (windows as ages, "for children born from/until"), and load the
Japanese 乳幼児身体発育調査 percentile table as CSV (format in docs/health.md): every row is checked
and nothing is saved when any row is wrong. These are the town's tables; no one's record is here.
"""

from __future__ import annotations

from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, DeleteView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from health.child import services
from health.child.forms import ReferenceUploadForm
from health.models import GrowthReference, Vaccine, VaccineDose


class ProtectedDeleteView(DeleteView):
    """Deleting a vaccine or dose that a child's record names is refused with a message (change it instead)."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ProtectedError:
            messages.error(
                request, _("Children's records name this vaccine dose, so it cannot be deleted. Change it instead.")
            )
            return redirect(self.index_url_name)


class VaccineViewSet(ModelViewSet):
    model = Vaccine
    icon = "pick"
    form_fields = ["code", "name", "name_en", "born_from", "born_until", "order", "notes"]
    list_display = ["name", "code", "born_from", "born_until", "order"]
    search_fields = ["name", "name_en", "code"]
    copy_view_enabled = False
    delete_view_class = ProtectedDeleteView


class VaccineDoseViewSet(ModelViewSet):
    model = VaccineDose
    icon = "date"
    form_fields = [
        "vaccine",
        "number",
        "label",
        "start_months",
        "start_days",
        "end_months",
        "end_days",
        "interval_from",
        "interval_months",
        "interval_days",
        "notes",
    ]
    list_display = ["__str__", "start_months", "start_days", "end_months", "end_days"]
    list_filter = ["vaccine"]
    copy_view_enabled = False
    delete_view_class = ProtectedDeleteView


class ReferenceUploadView(CreateView):
    """Upload a percentile table: the service checks every row and saves all or nothing."""

    def get_form_class(self):
        return ReferenceUploadForm

    def form_valid(self, form):
        try:
            table = services.load_reference_table(
                data=form.cleaned_data["file"].read(),
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                is_default=form.cleaned_data["is_default"],
                by=self.request.user,
            )
        except services.ReferenceCsvError as error:
            for message in error.errors[:50]:
                form.add_error("file", message)
            self.produced_error_message = error.message
            return self.form_invalid(form)
        except services.ChildError as error:
            form.add_error(None, error.message)
            self.produced_error_message = error.message
            return self.form_invalid(form)
        messages.success(self.request, _("Loaded %(count)d rows.") % {"count": table.rows.count()})
        return redirect(self.get_success_url())


class GrowthReferenceViewSet(ModelViewSet):
    model = GrowthReference
    icon = "table"
    form_fields = ["name", "source", "is_default"]
    list_display = ["name", "source", "is_default", "uploaded_at"]
    add_view_class = ReferenceUploadView
    copy_view_enabled = False
    inspect_view_enabled = False


class MotherChildAdminGroup(ViewSetGroup):
    menu_label = gettext_lazy("Mother and child")
    menu_icon = "pick"
    menu_order = 450
    items = (
        VaccineViewSet("health_vaccines"),
        VaccineDoseViewSet("health_vaccine_doses"),
        GrowthReferenceViewSet("health_growth_references"),
    )
