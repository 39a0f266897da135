"""Non-page URLs of the town homepage (feeds, calendar files). Mounted before Wagtail's pages."""

urlpatterns: list = []
