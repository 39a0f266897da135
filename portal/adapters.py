"""allauth hooks: its mails go through the outbox like every other mail."""

from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from notifications.services import html_from_text, queue_mail
from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's mail in the recipient's language and queue it in the outbox."""
        recipient = context.get("user") if isinstance(context.get("user"), User) else None
        if recipient is None:
            recipient = User.objects.filter(email__iexact=email).first()
        language = recipient.language if recipient else translation.get_language() or "ja"
        with translation.override(language):
            ctx = {"email": email, **context}
            request = self.request
            if request is not None:
                from django.contrib.sites.shortcuts import get_current_site

                ctx.setdefault("request", request)
                ctx.setdefault("current_site", get_current_site(request))
            message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        if not html and (recipient is None or recipient.mail_html):
            html = html_from_text(message.subject, message.body, language)
        queue_mail(
            to_email=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            category=template_prefix.replace("/", ".").removesuffix("_message"),
            idempotency_key=f"allauth:{template_prefix}:{uuid.uuid4()}",
            recipient=recipient,
            language=language,
        )
