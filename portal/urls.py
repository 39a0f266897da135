from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.languages import AllLanguagesSitemap
from portal import health, views

app_name = "portal"

my_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("household/", views.household, name="household"),
    path("household/members/add/", views.member_add, name="member_add"),
    path("household/members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("household/members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("household/members/<int:member_id>/delete/", views.member_delete, name="member_delete"),
    path("household/members/<int:member_id>/invite/", views.member_invite, name="member_invite"),
    path("household/invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("household/shares/<int:share_id>/remove/", views.share_remove, name="share_remove"),
    path("household/invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Safety mail for the family (portal:safety, portal:safety_member …), see safety/urls.py
    path("safety/", include("safety.urls")),
    path("health/", include("health.urls")),
    path("disclosure/", include("disclosure.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": {"wagtail": AllLanguagesSitemap}}, name="sitemap"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    # Browsers and feed readers ask for /favicon.ico whatever the page links: no 404 in their console.
    path("favicon.ico", lambda request: redirect(static("portal/favicon.ico"), permanent=True), name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("my/", include((my_patterns, "portal"))),
    path("mail/", include(("notifications.urls", "notifications"))),
    # Card readers (safety mail): signed JSON only, no cookies or CSRF; docs/terminal-api.md.
    path("api/terminals/", include(("safety.api_urls", "terminal_api"))),
    # A doctor opens a resident's health share link here, without an account (health/sharing).
    path("health-share/", include("health.sharing.public_urls")),
    # /facilities/... (public) and /my/reservations/... (the resident's), see facilities/urls.py
    path("", include("facilities.urls")),
    # The public archive of decided requests (公開アーカイブ), see disclosure/archive/urls.py
    path("disclosure/archive/", include("disclosure.archive.urls")),
    # The public document catalogue (公開目録) and its search, see disclosure/catalogue/urls.py
    path("disclosure/", include("disclosure.catalogue.urls")),
    # Decision letters and disclosed documents, behind disclosure/release/access.py
    path("disclosure/released/", include("disclosure.release.urls")),
    # The yearly 運用状況 (counts only) as a page and CSV, see disclosure/stats/urls.py
    path("disclosure/statistics/", include("disclosure.stats.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include("cms.urls"))]

# Town pages: Japanese at /, English at /en/, easy Japanese at /ja-x-easy/ (cms.languages). Only
# the pages: the URLs above keep their paths and follow the visitor's chosen language.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
