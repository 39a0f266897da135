"""Sign-up, login, profile, account deletion and staff two-factor authentication."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.core import mail as django_mail
from django.urls import reverse

from notifications.models import OutboundMail
from portal.models import User
from tests.portal.factories import PASSWORD, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def signup_data(**overrides):
    data = {
        "email": "new.resident@example.jp",
        "password1": "sakura-Mochi-2026",
        "password2": "sakura-Mochi-2026",
        "family_name": "佐藤",
        "given_name": "一郎",
        "family_name_kana": "サトウ",
        "given_name_kana": "イチロウ",
        "district": "",
        "language": "ja",
    }
    data.update(overrides)
    return data


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def test_signup_sends_verification_mail_through_the_outbox(client, django_capture_on_commit_callbacks):
    district = DistrictFactory(name="本町一丁目")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data(district=district.pk))
    assert response.status_code == 302
    user = User.objects.get(email="new.resident@example.jp")
    assert (user.family_name, user.given_name_kana, user.district) == ("佐藤", "イチロウ", district)
    assert not EmailAddress.objects.get(user=user).verified
    row = OutboundMail.objects.get(to_email="new.resident@example.jp")
    assert row.status == OutboundMail.Status.SENT
    assert row.category.startswith("account.email.email_confirmation")
    assert row.body_html, "allauth mails get an HTML part too"
    [sent] = django_mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", sent.body).group(0)
    # Following the link and confirming verifies the address; then the resident can log in.
    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    response = client.post(LOGIN, {"login": "new.resident@example.jp", "password": "sakura-Mochi-2026"})
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_unverified_resident_cannot_log_in(client):
    client.post(SIGNUP, signup_data())
    client.logout()
    client.post(LOGIN, {"login": "new.resident@example.jp", "password": "sakura-Mochi-2026"})
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("language", "overrides", "message"),
    [
        ("ja", {"email": "not-an-address"}, "有効なメールアドレスを入力してください。"),
        ("en", {"email": "not-an-address"}, "Enter a valid email address."),
        ("ja", {"password1": "abc", "password2": "abc"}, "このパスワードは短すぎます。"),
        ("en", {"password1": "abc", "password2": "abc"}, "This password is too short."),
        ("ja", {"password2": "something-else-2026"}, "同じパスワードを入力してください。"),
        ("en", {"password2": "something-else-2026"}, "You must type the same password each time."),
        ("ja", {"family_name_kana": "sato"}, "カタカナ"),
        ("en", {"family_name_kana": "sato"}, "Enter the reading in hiragana or katakana."),
    ],
)
def test_bad_signup_input_is_explained_and_saves_nothing(client, language, overrides, message):
    response = in_language(client, language).post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'lang="{language}"' in response.content.decode()
    assert not User.objects.filter(email="new.resident@example.jp").exists()
    assert OutboundMail.objects.count() == 0


@pytest.mark.parametrize("language", ["ja", "en"])
def test_duplicate_signup_creates_nothing_and_tells_the_address_owner(
    client, language, django_capture_on_commit_callbacks
):
    """The page does not reveal who has an account; the owner of the address gets a clear mail."""
    owner = UserFactory(email="taken@example.jp", language=language)
    with django_capture_on_commit_callbacks(execute=True):
        in_language(client, language).post(SIGNUP, signup_data(email="taken@example.jp"))
    assert User.objects.filter(email__iexact="taken@example.jp").count() == 1
    [row] = OutboundMail.objects.filter(to_email="taken@example.jp")
    assert row.category == "account.email.account_already_exists"
    assert row.recipient == owner
    assert row.language == language
    expected = "アカウントが既に存在" if language == "ja" else "Account Already Exists"
    assert expected in row.subject
    assert "taken@example.jp" in row.body_text


@pytest.mark.sqlite
def test_failed_logins_are_rate_limited(client):
    user = UserFactory(email="target@example.jp")
    for _ in range(5):
        response = client.post(LOGIN, {"login": user.email, "password": "wrong-password"})
        assert "入力されたメールアドレスもしくはパスワードが正しくありません。" in response.content.decode()
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert "ログイン失敗が連続しています。" in response.content.decode()
    assert client.get(reverse("portal:dashboard")).status_code == 302, "not logged in, even with the right password"


def test_profile_edit_saves_and_switches_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("portal:profile"),
        {
            "family_name": "鈴木",
            "given_name": "次郎",
            "family_name_kana": "すずき",
            "given_name_kana": "じろう",
            "district": "",
            "phone": "0123-45-6789",
            "language": "en",
            "mail_html": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.family_name, user.phone, user.language, user.receive_town_news) == (
        "鈴木",
        "0123-45-6789",
        "en",
        False,
    )
    assert response.cookies["django_language"].value == "en"
    assert "Your profile" in client.get(reverse("portal:profile")).content.decode()


def test_profile_rejects_a_bad_phone_number_and_keeps_the_old_one(client):
    user = UserFactory(phone="")
    client.force_login(user)
    response = client.post(
        reverse("portal:profile"), {"family_name": "x", "given_name": "y", "phone": "call me", "language": "ja"}
    )
    assert response.status_code == 200
    assert "0123-45-6789" in response.content.decode()  # the message shows the expected format
    user.refresh_from_db()
    assert user.phone == "" and user.family_name == "山田"


def test_account_deletion_needs_the_password_and_removes_the_household(client):
    from notifications.services import queue_mail
    from tests.portal.factories import MemberFactory

    member = MemberFactory()
    user = member.household.owner
    queue_mail(to_email=user.email, subject="s", body_text="b", category="t", idempotency_key="t1", recipient=user)
    client.force_login(user)
    response = client.post(reverse("portal:account_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post(reverse("portal:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not type(member).objects.filter(pk=member.pk).exists()
    assert not OutboundMail.objects.filter(to_email=user.email).exists(), "no mail to them is kept"
    assert client.get(reverse("portal:dashboard")).status_code == 302


# --- Staff and two-factor authentication ---------------------------------------------------


@pytest.fixture
def staff():
    user = UserFactory(email="staff@example.jp", is_staff=True)
    user.groups.add(Group.objects.get(name="広報"))
    return user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_staff_without_second_factor_must_set_one_up(client, staff):
    client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_with_totp_reaches_the_admin_after_the_code(client, staff):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    response = client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_session_without_the_second_factor_is_signed_out(client, staff):
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)  # as if signed in by a path that skipped the second factor
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_wagtail_login_form_is_replaced_by_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_residents_cannot_open_the_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_password_reset_mail_goes_through_the_outbox(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.jp", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "forgetful@example.jp"})
    assert response.status_code == 302
    row = OutboundMail.objects.get(recipient=user)
    assert row.status == OutboundMail.Status.SENT
    assert row.language == "en"
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", row.body_text).group(1)
    form_url = client.get(link).url  # allauth moves the key into the session, then shows the form
    response = client.post(form_url, {"password1": "new-Secret-2026x", "password2": "new-Secret-2026x"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-Secret-2026x")


def test_email_change_needs_verification_of_the_new_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="old@example.jp")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "new@example.jp"})
    row = OutboundMail.objects.get(to_email="new@example.jp")
    assert "confirm-email" in row.body_text
    user.refresh_from_db()
    assert user.email == "old@example.jp", "the login changes only after the new address is verified"
    assert EmailAddress.objects.get(email="new@example.jp").verified is False


def test_two_factor_page_offers_totp_recovery_codes_and_passkeys(client):
    client.force_login(UserFactory())
    body = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_activate_totp") in body
    assert reverse("mfa_add_webauthn") in body
    # Setting up a factor needs a recent password: a session without one is asked for it first.
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.url.startswith(reverse("account_reauthenticate"))


# --- One product (issue 12): allauth's messages and pages speak the portal's language -----------
def test_the_signed_in_message_is_in_the_residents_language_not_the_browsers(client):
    """An English browser signing in a Japanese resident: /my/ is Japanese, so is "signed in as …"."""
    user = UserFactory(language="ja")
    response = client.post(
        LOGIN, {"login": user.email, "password": PASSWORD}, follow=True, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"ユーザー {user.get_full_name()} としてログインしました。"]
    assert "Successfully signed in" not in response.content.decode()


@pytest.mark.parametrize(
    "language, title, other",
    [("ja", "試行回数が多すぎます", "Too many attempts"), ("en", "Too many attempts", "試行回数")],
)
def test_the_rate_limit_page_is_the_portals_page_in_the_readers_language(client, settings, language, title, other):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    in_language(client, language)
    client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    html = response.content.decode()
    assert response.status_code == 429
    assert f"<h1>{title}</h1>" in html and other not in html
    assert "Too Many Requests" not in html


def test_the_second_factor_is_called_2段階認証_everywhere(client):
    """allauth's own Japanese says 多要素認証; residents read one plain word on every page (issue 12)."""
    client.force_login(UserFactory(language="ja"))
    for url in (reverse("mfa_index"), reverse("portal:profile")):
        body = client.get(url).content.decode()
        assert "多要素認証" not in body, url
    assert "2段階認証" in client.get(reverse("mfa_index")).content.decode()
