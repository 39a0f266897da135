"""A read-only delivery report of the outbox in the Wagtail admin.

Staff see who was mailed, about what, and whether it arrived; not the mail's text, which
may describe a child's or an elderly person's movements. Nobody edits a sent record, and
every look is written to the staff access log.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from notifications.models import OutboundMail
from portal.admin_views import AuditedIndexView, AuditedInspectView, ReadOnlyPolicy


class OutboundMailViewSet(ModelViewSet):
    model = OutboundMail
    index_view_class = AuditedIndexView
    inspect_view_class = AuditedInspectView
    icon = "mail"
    menu_label = _("Outgoing mail")
    add_to_admin_menu = True
    menu_order = 900
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["created_at", "to_email", "category", "status", "attempts", "sent_at"]
    list_filter = ["status", "category"]
    search_fields = ["to_email", "category"]
    inspect_view_fields = [
        "to_email",
        "category",
        "language",
        "status",
        "attempts",
        "last_error",
        "message_id",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    form_fields = ["status"]  # required by ModelViewSet; the policy never lets anyone use a form

    @property
    def permission_policy(self):
        return ReadOnlyPolicy(self.model)


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return OutboundMailViewSet("outbound_mail")
