from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in resident sees the portal in their preferred language.

    An explicit choice in the language switcher (the language cookie) still wins, so a
    resident can look at a page in the other language without changing their profile. On the
    town's pages the URL alone decides (``cms.languages``): /kurashi/ is Japanese for everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not getattr(request, "language_from_url", False)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class StaffMfaMiddleware:
    """Staff must use a second factor before they reach the Wagtail admin.

    Staff without an authenticator are sent to set one up; staff who signed in without it
    in this session are signed out and asked to sign in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PORTAL_STAFF_MFA_REQUIRED and request.path.startswith("/admin/"):
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        user = request.user
        if request.path.startswith("/admin/login/"):
            # Wagtail's own login form knows no second factor: always use allauth's.
            return redirect(f"{reverse('account_login')}?next=/admin/")
        if not user.is_authenticated or not (user.is_staff or user.is_superuser):
            return None
        if not Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists():
            messages.warning(request, _("Staff must set up two-factor authentication before using the admin."))
            return redirect("mfa_activate_totp")
        if not any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
            logout(request)
            messages.warning(request, _("Please sign in again with your second factor."))
            return redirect(f"{reverse('account_login')}?next=/admin/")
        return None
