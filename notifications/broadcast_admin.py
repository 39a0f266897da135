"""Safety broadcasts (安全安心メール) in the Wagtail admin, for the 学校・見守り group.

Staff write a message (category, title, text) and choose the audience, then always see a
preview (how many residents it reaches now and the mail they get) before they send it now or
schedule it. After sending, a progress page shows queued / sent / failed counts from the
outbox; it refreshes itself with ``<meta http-equiv="refresh">`` (no script, so the CSP holds)
and lists the addresses that failed. Permissions are the model permissions on ``Broadcast``:
writing needs ``add``/``change``, sending ``change``, the progress page ``view``.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from notifications import broadcasts
from notifications.models import Broadcast
from portal.audit import log_staff_access

GRADE_CHOICES = [(g, str(g)) for g in range(1, 10)]
#: Seconds between refreshes of the progress page while mails are still queued.
REFRESH_SECONDS = 3

broadcast_permissions = ModelPermissionPolicy(Broadcast)


class BroadcastForm(forms.ModelForm):
    target_grades = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Grades"),
        choices=GRADE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("With schools: those grades at those schools. Without schools: at every school."),
    )

    class Meta:
        model = Broadcast
        fields = [
            "category",
            "title",
            "body",
            "title_en",
            "body_en",
            "target_all",
            "target_schools",
            "target_grades",
            "target_districts",
        ]
        widgets = {
            "target_schools": forms.CheckboxSelectMultiple,
            "target_districts": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "target_all": gettext_lazy("Everyone who receives this category. The choices below are then ignored."),
            "target_districts": gettext_lazy(
                "Residents of these districts also receive it, whatever their children's schools."
            ),
        }

    def clean(self):
        data = super().clean()
        if bool(data.get("title_en")) != bool(data.get("body_en")):
            missing = "body_en" if data.get("title_en") else "title_en"
            self.add_error(missing, _("Write both the English title and the English message, or neither."))
        if not data.get("target_all") and not (
            data.get("target_schools") or data.get("target_grades") or data.get("target_districts")
        ):
            raise ValidationError(_("Choose who receives this: everyone, or schools, grades or districts."))
        return data

    def save(self, commit=True):
        if self.instance.status == Broadcast.Status.SCHEDULED:
            self.instance.status = Broadcast.Status.DRAFT  # a changed message is previewed again before it goes
        return super().save(commit)


class BroadcastCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        self.form.save_m2m()
        return instance

    def get_success_url(self):
        return reverse("safety_broadcasts:preview", args=[self.object.pk])

    def get_success_message(self, instance):
        return _("Check the preview, then send or schedule the message.")


class BroadcastEditView(EditView):
    def dispatch(self, request, *args, **kwargs):
        broadcast = Broadcast.objects.filter(pk=kwargs.get("pk")).first()
        if broadcast is not None and broadcast.status in (Broadcast.Status.SENDING, Broadcast.Status.SENT):
            return redirect("safety_broadcasts:progress", broadcast.pk)  # a sent message is not changed
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("safety_broadcasts:preview", args=[self.object.pk])

    def get_success_message(self):
        return _("Check the preview, then send or schedule the message.")


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("Only for “Schedule”. Japan time."),
    )

    def clean_send_at(self) -> datetime | None:
        value = self.cleaned_data.get("send_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("Choose a time in the future."))
        return value


class BroadcastPageView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """A page about one broadcast, under the broadcasts list in the breadcrumbs."""

    permission_policy = broadcast_permissions
    permission_required = "change"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, self.permission_required):
            raise PermissionDenied
        self.broadcast = get_object_or_404(Broadcast, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.broadcast.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("safety_broadcasts:index"), "label": Broadcast._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]


class PreviewView(BroadcastPageView):
    page_title = gettext_lazy("Preview and send")
    template_name = "notifications/admin/broadcast_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            broadcast=self.broadcast,
            preview=broadcasts.preview(self.broadcast),
            schedule_form=kwargs.get("schedule_form") or ScheduleForm(initial={"send_at": self.broadcast.send_at}),
            editable=self.broadcast.status in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED),
        )
        return context

    def post(self, request, *args, **kwargs):
        broadcast = self.broadcast
        if broadcast.status not in (Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED):
            messages.error(request, _("This message was sent already."))
            return redirect("safety_broadcasts:progress", broadcast.pk)
        action = request.POST.get("action")
        if action == "send":
            broadcasts.send_now(broadcast)
            messages.success(request, _("Sending started."))
            return redirect("safety_broadcasts:progress", broadcast.pk)
        if action == "unschedule":
            broadcasts.cancel_schedule(broadcast)
            messages.success(request, _("The message is a draft again and will not be sent."))
            return redirect("safety_broadcasts:preview", broadcast.pk)
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if form.is_valid() and form.cleaned_data["send_at"] is None:
                form.add_error("send_at", _("Choose when to send it."))
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(schedule_form=form))
            broadcasts.schedule(broadcast, form.cleaned_data["send_at"])
            messages.success(request, _("The message will be sent at the chosen time."))
            return redirect("safety_broadcasts:index")
        return redirect("safety_broadcasts:preview", broadcast.pk)


class ProgressView(BroadcastPageView):
    """Live delivery progress and the delivery report. Lists residents' addresses, so each look is logged."""

    permission_required = "view"
    page_title = gettext_lazy("Delivery progress")
    template_name = "notifications/admin/broadcast_progress.html"

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view_broadcast_report", obj=self.broadcast)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = broadcasts.progress(self.broadcast)
        still_going = self.broadcast.status in (Broadcast.Status.SENDING,) or (
            self.broadcast.status == Broadcast.Status.SENT and not progress.finished
        )
        context.update(
            broadcast=self.broadcast,
            progress=progress,
            failed=broadcasts.failed_mails(self.broadcast) if progress.failed else [],
            refresh_seconds=REFRESH_SECONDS if still_going else None,
        )
        return context


class BroadcastViewSet(ModelViewSet):
    model = Broadcast
    add_view_class = BroadcastCreateView
    edit_view_class = BroadcastEditView
    icon = "warning"
    menu_label = gettext_lazy("Safety broadcasts")
    add_to_admin_menu = True
    menu_order = 410
    url_prefix = "safety/broadcasts"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["title", "category", "status", "send_at", "recipient_count"]
    list_filter = ["category", "status"]

    def get_form_class(self, for_update=False):
        return BroadcastForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<uuid:pk>/preview/", PreviewView.as_view(), name="preview"),
            path("<uuid:pk>/progress/", ProgressView.as_view(), name="progress"),
        ]


broadcast_viewset = BroadcastViewSet("safety_broadcasts")
