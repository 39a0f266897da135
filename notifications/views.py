from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from notifications import unsubscribe as unsub


def _recipient_language(user_id: int) -> str:
    """The language the mail was written in: the recipient's, not the browser's (mail clients send none)."""
    language = get_user_model().objects.filter(pk=user_id).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


@csrf_exempt  # RFC 8058: the mail client POSTs without cookies or a CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button; POST (one click from the mail client, or the button) unsubscribes.

    Both pages speak the recipient's language, like the mail whose link led here.
    """
    req = unsub.read_token(token)
    if req is None:
        raise Http404
    language = _recipient_language(req.user_id)
    with translation.override(language):
        request.LANGUAGE_CODE = translation.get_language()
        if request.method == "POST":
            req.topic.unsubscribe(req.user_id, req.subject)
            response = render(request, "notifications/unsubscribe_done.html", {"topic": req.topic})
        else:
            response = render(request, "notifications/unsubscribe_confirm.html", {"topic": req.topic, "token": token})
    response.headers["Content-Language"] = language
    return response
