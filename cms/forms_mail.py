"""Mails about an answer sent through a :class:`cms.models.FormPage`.

Both go through the outbox in the caller's transaction, so they exist if and only if the
submission was stored, and are sent once it commits:

* staff (``FormPage.staff_email``) get the answers and a link to all answers in the admin;
* the sender gets a copy of the answers, in the language of the request, if the page names
  a confirmation field and the sender entered a valid address in it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.services import queue_templated_mail


def _display(value: Any) -> Any:
    """A submitted value as plain text; yes/no stays lazy so it is translated in the mail's language."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


def submission_fields(page, submission) -> list[tuple[str, Any]]:
    """(label, value) of each form field, in the order of the form."""
    data = submission.form_data
    return [(field.label, _display(data.get(field.clean_name))) for field in page.get_form_fields()]


def confirmation_address(page, submission) -> str | None:
    """The sender's address from the page's confirmation field (by label or field name), if valid."""
    wanted = page.confirmation_field_name.strip()
    if not wanted:
        return None
    for field in page.get_form_fields():
        if wanted in (field.label, field.clean_name):
            address = str(submission.form_data.get(field.clean_name) or "").strip()
            try:
                validate_email(address)
            except ValidationError:
                return None
            return address
    return None


def notify_submission(page, submission, request) -> None:
    """Queue the staff notification and, if asked for, the sender's copy of ``submission``."""
    context = {
        "page_title": page.title,
        "page_url": page.full_url or "",
        "fields": submission_fields(page, submission),
        "submitted_at": submission.submit_time,
        "submissions_url": settings.WAGTAILADMIN_BASE_URL + reverse("wagtailforms:list_submissions", args=[page.id]),
    }
    if page.staff_email:
        queue_templated_mail(
            template="form_submission_staff",
            context=context,
            to_email=page.staff_email,
            idempotency_key=f"form:{submission.pk}:staff",
            language=settings.LANGUAGE_CODE,
        )
    address = confirmation_address(page, submission)
    if address:
        language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or settings.LANGUAGE_CODE
        queue_templated_mail(
            template="form_submission_confirmation",
            context={key: value for key, value in context.items() if key != "submissions_url"},
            to_email=address,
            idempotency_key=f"form:{submission.pk}:confirm",
            language=language,
        )
