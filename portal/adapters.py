"""allauth hooks: its mails go through the outbox like every other mail."""

from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from notifications.services import html_from_text, queue_mail
from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """Write allauth's flash messages in the language of the page that shows them.

        "Signed in as …" is written during the sign-in request, still in the browser's language,
        but shown on the next page, which speaks the resident's language
        (``portal.middleware.UserLanguageMiddleware``): write it in that language too.
        """
        user = (message_context or {}).get("user") or getattr(request, "user", None)
        language = getattr(user, "language", None) if getattr(user, "is_authenticated", False) else None
        if not language or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return super().add_message(request, level, message_template, message_context, extra_tags, message)
        with translation.override(language):
            return super().add_message(request, level, message_template, message_context, extra_tags, message)

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
