from __future__ import annotations

import pytest
import redis

pytest.register_assert_rewrite("tests.browser")  # loaded as a plugin by the browser test modules

from django.core.cache import cache  # noqa: E402

from notifications.services import _Connection  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402


def pytest_collection_modifyitems(items):
    """Every transactional test starts from what the migrations made, whatever ran before it.

    A transactional test ends by emptying the database. With ``serialized_rollback`` its flush
    leaves the tables empty and the next test that asks for it reloads the migrations' data (the
    Wagtail root page and site, locales, staff groups, the workflow) as it was. Without it, the
    flush recreates content types, permissions and locales under new ids: tests after it then see
    none of that data, and a later restore collides with those rows. So all of them restore.
    """
    from pytest_django.fixtures import validate_django_db

    for item in items:
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, databases, serialized_rollback, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        fixtures = getattr(item, "fixturenames", ())
        transactional = transaction or reset_sequences or "transactional_db" in fixtures or "live_server" in fixtures
        if transactional and not serialized_rollback:
            restoring = pytest.mark.django_db(
                transaction=True,
                reset_sequences=reset_sequences,
                databases=databases,
                serialized_rollback=True,
                available_apps=available_apps,
            )
            item.add_marker(restoring, append=False)  # closest to the test, so it is the one read


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hashing strength is not under test; a fast hasher keeps factories cheap."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Tests run tasks in-process; the worker tests start real worker processes instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fresh_state():
    cache.clear()
    _Connection.reset()
    yield
    _Connection.reset()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def broker():
    """Publish to the real Redis broker (an empty database of its own) instead of running in-process."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), "worker tests need CELERY_BROKER_URL or REDIS_URL (see README, Tests)"
    redis.Redis.from_url(url).flushdb()
    celery_app.conf.task_always_eager = False
    yield url
    celery_app.conf.task_always_eager = True
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Send mail over SMTP to the test's own server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_sink


@pytest.fixture
def home(db):
    """A Wagtail home page as the root of the default site, with nothing under it."""
    from wagtail.models import Page, Site

    from cms.models import HomePage

    home = HomePage(title="みどり町", slug="midori")
    Page.get_first_root_node().add_child(instance=home)
    for site in Site.objects.all():  # save(), not update(): saving clears Wagtail's cached site root paths
        site.root_page = home
        site.save()
    return home
