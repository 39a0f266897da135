"""/my/ is made of panels that apps register; portal does not know them in advance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.dashboard import Panel, registry
from tests.portal.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_panel():
    panel = registry.register(
        Panel(
            key="test-service",
            title="テストサービス",
            template="portal/panels/profile.html",
            order=15,
            is_visible=lambda request: request.user.email.startswith("visible"),
        )
    )
    yield panel
    registry.unregister("test-service")


def test_dashboard_shows_the_registered_panels_in_order(client):
    client.force_login(UserFactory())
    body = client.get(reverse("portal:dashboard")).content.decode()
    positions = [body.index(f'id="panel-{key}"') for key in ("profile", "household", "mail")]
    assert positions == sorted(positions)


def test_an_app_can_add_a_panel_without_editing_portal(client, extra_panel):
    client.force_login(UserFactory(email="visible@example.jp"))
    assert "テストサービス" in client.get(reverse("portal:dashboard")).content.decode()
    client.force_login(UserFactory(email="hidden@example.jp"))
    assert "テストサービス" not in client.get(reverse("portal:dashboard")).content.decode()


def test_dashboard_shows_only_the_residents_own_household(client):
    mine = MemberFactory(given_name="一郎")
    MemberFactory(given_name="次郎")
    client.force_login(mine.household.owner)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "一郎" in body
    assert "次郎" not in body


def test_failing_mail_address_is_flagged_on_the_dashboard(client):
    from notifications.models import OutboundMail

    user = UserFactory(email="bounces@example.jp")
    OutboundMail.objects.create(
        idempotency_key="x",
        category="t",
        recipient=user,
        to_email=user.email,
        from_email="a@example.jp",
        subject="s",
        body_text="b",
        message_id="<x@example.jp>",
        status=OutboundMail.Status.FAILED,
    )
    client.force_login(user)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert 'role="alert"' in body
    assert "bounces@example.jp" in body
