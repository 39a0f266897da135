"""Safety broadcasts (安全安心メール) in the Wagtail admin, for the 学校・見守り group.

Staff write a message (category, title, text) and choose the audience, then always see a
preview (how many residents it reaches now and the mail they get) before they send it now or
schedule it. After sending, a progress page shows queued / sent / failed counts from the
outbox; it refreshes itself with ``<meta http-equiv="refresh">`` (no script, so the CSP holds)
and lists the addresses that failed. Permissions are the model permissions on ``Broadcast``:
writing needs ``add``/``change``, sending ``change``, the progress page ``view``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from portal.audit import log_staff_access
from safety import selectors, services
from safety.models import Broadcast
from safety.staff.forms import BroadcastForm, ScheduleForm

#: Seconds between refreshes of the progress page while mails are still queued.
REFRESH_SECONDS = 3

broadcast_permissions = ModelPermissionPolicy(Broadcast)


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
    template_name = "safety/admin/broadcast_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            broadcast=self.broadcast,
            preview=selectors.preview(self.broadcast),
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
            services.send_broadcast_now(broadcast=broadcast)
            messages.success(request, _("Sending started."))
            return redirect("safety_broadcasts:progress", broadcast.pk)
        if action == "unschedule":
            services.cancel_broadcast_schedule(broadcast=broadcast)
            messages.success(request, _("The message is a draft again and will not be sent."))
            return redirect("safety_broadcasts:preview", broadcast.pk)
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if form.is_valid() and form.cleaned_data["send_at"] is None:
                form.add_error("send_at", _("Choose when to send it."))
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(schedule_form=form))
            services.schedule_broadcast(broadcast=broadcast, send_at=form.cleaned_data["send_at"])
            messages.success(request, _("The message will be sent at the chosen time."))
            return redirect("safety_broadcasts:index")
        return redirect("safety_broadcasts:preview", broadcast.pk)


class ProgressView(BroadcastPageView):
    """Live delivery progress and the delivery report. Lists residents' addresses, so each look is logged."""

    permission_required = "view"
    page_title = gettext_lazy("Delivery progress")
    template_name = "safety/admin/broadcast_progress.html"

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view_broadcast_report", obj=self.broadcast)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = selectors.progress(self.broadcast)
        still_going = self.broadcast.status in (Broadcast.Status.SENDING,) or (
            self.broadcast.status == Broadcast.Status.SENT and not progress.finished
        )
        context.update(
            broadcast=self.broadcast,
            progress=progress,
            failed=selectors.failed_mails(self.broadcast) if progress.failed else [],
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
