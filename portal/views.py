"""Resident pages: dashboard, profile, account deletion and household. Views stay thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import selectors, services
from portal.dashboard import registry
from portal.errors import InvitationError, add_form_error
from portal.forms import DeleteAccountForm, InviteForm, MemberForm, ProfileForm


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {"panels": registry.for_request(request)})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(user=request.user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("portal:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.PRODUCTION,
        )
        return response
    return render(request, "portal/profile.html", {"form": form})


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user=user)
        messages.success(request, _("Your account was deleted."))
        return redirect("/")
    return render(request, "portal/account_delete.html", {"form": form})


# --- Household ---------------------------------------------------------------------------


def _own_member_or_404(request: HttpRequest, member_id: int):
    member = selectors.member_owned_by(request.user, member_id)
    if member is None:
        raise Http404
    return member


@login_required
def household(request: HttpRequest) -> HttpResponse:
    members = selectors.members_visible_to(request.user).prefetch_related("guardians__user")
    return render(request, "portal/household.html", {"members": members})


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.add_member(owner=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s was added to your household.") % {"name": member})
        return redirect("portal:member_detail", member.pk)
    return render(request, "portal/member_form.html", {"form": form, "adding": True})


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_for_user(request.user, member_id)
    if member is None:
        raise Http404
    is_owner = member.household.owner_id == request.user.pk
    context = {
        "member": member,
        "is_owner": is_owner,
        "guardians": selectors.guardians_of(member),
        "shares": selectors.shares_of(member) if is_owner else [],
        "invitations": selectors.pending_invitations_for_member(member) if is_owner else [],
    }
    return render(request, "portal/member_detail.html", context)


@login_required
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _own_member_or_404(request, member_id)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        services.update_member(member=member, **form.cleaned_data)
        messages.success(request, _("The changes were saved."))
        return redirect("portal:member_detail", member.pk)
    return render(request, "portal/member_form.html", {"form": form, "member": member})


@login_required
def member_delete(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _own_member_or_404(request, member_id)
    if request.method == "POST":
        services.remove_member(member=member)
        messages.success(request, _("%(name)s was removed from your household.") % {"name": member})
        return redirect("portal:household")
    return render(request, "portal/member_delete.html", {"member": member})


@login_required
def member_invite(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _own_member_or_404(request, member_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_guardian(
                member=member,
                email=form.cleaned_data["email"],
                invited_by=request.user,
                site_url=request.build_absolute_uri("/"),
            )
        except InvitationError as error:
            add_form_error(form, error, "email")
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("portal:member_detail", member.pk)
    return render(request, "portal/member_invite.html", {"form": form, "member": member})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id) -> HttpResponse:
    invitation = selectors.invitation_owned_by(request.user, invitation_id)
    if invitation is None:
        raise Http404
    services.revoke_invitation(invitation=invitation)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("portal:member_detail", invitation.member_id)


@login_required
@require_POST
def share_remove(request: HttpRequest, share_id: int) -> HttpResponse:
    """The owner stops sharing a member, or a guardian stops sharing with themself."""
    share = selectors.share_for_user(request.user, share_id)
    if share is None:
        raise Http404
    services.stop_sharing(guardian=share)
    messages.success(request, _("The member is no longer shared."))
    return redirect("portal:household")


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise Http404
    error = None
    try:
        services.check_invitation(invitation, request.user)
    except InvitationError as exc:
        error = exc.message
    if request.method == "POST" and error is None:
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except InvitationError as exc:
            error = exc.message
        else:
            messages.success(request, _("You now share %(name)s.") % {"name": invitation.member})
            return redirect("portal:member_detail", invitation.member_id)
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )
