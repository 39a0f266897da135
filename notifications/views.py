from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from notifications import unsubscribe as unsub


@csrf_exempt  # RFC 8058: the mail client POSTs without cookies or a CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button; POST (one click from the mail client, or the button) unsubscribes."""
    req = unsub.read_token(token)
    if req is None:
        raise Http404
    if request.method == "POST":
        req.topic.unsubscribe(req.user_id, req.subject)
        return render(request, "notifications/unsubscribe_done.html", {"topic": req.topic})
    return render(request, "notifications/unsubscribe_confirm.html", {"topic": req.topic, "token": token})
