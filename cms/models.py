"""Wagtail page types of the town's homepage.

The tree is fixed by ``parent_page_types``/``subpage_types`` so an editor cannot put a page
where residents would not look for it: home → index pages and departments → standard pages;
home → news index → news; home → event index → events.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.blocks import BodyBlock

CONTENT_PAGES = ["cms.StandardPage", "cms.IndexPage", "cms.ServicePage", "cms.FormPage"]


def site_root_url() -> str:
    """The public base URL of the portal (``SITE_URL``), without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def page_full_url(page: Page, request=None) -> str | None:
    """The absolute URL of any page, specific or not, at ``SITE_URL`` (None if it is not routable)."""
    parts = page.get_url_parts(request)
    if parts is None or parts[2] is None:
        return None
    return site_root_url() + parts[2]


class SiteUrlMixin:
    """Absolute URLs of a page start with ``SITE_URL``, not with the Wagtail Site record's host.

    Canonical and hreflang links, sitemap.xml, feeds and mails use ``full_url``; the Site record
    says ``localhost`` on a fresh install, while ``SITE_URL`` is the address residents use. The
    portal is one site, so the page's path within it is all Wagtail's record has to add.
    Every page type inherits this first (a test checks it).
    """

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None or parts[1] is None:
            return parts
        site_id, _root_url, page_path = parts
        return site_id, site_root_url(), page_path


class KeyTaskBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"))
    title = blocks.CharBlock(label=_("Title (if different)"), required=False, max_length=60)

    class Meta:
        icon = "link"
        label = _("Key task")


class HomePage(SiteUrlMixin, Page):
    """The town portal's front page."""

    lead = models.CharField(_("lead"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)
    key_tasks = StreamField(
        [("task", KeyTaskBlock())],
        blank=True,
        verbose_name=_("frequently used procedures"),
        help_text=_("The procedures residents look for most, in order."),
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("key_tasks"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [*CONTENT_PAGES, "cms.DepartmentPage", "cms.NewsIndexPage", "cms.EventIndexPage", "cms.SiteMapPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = self._in_own_language(NewsPage.objects.live().public().order_by("-date", "-pk"))
        context["upcoming_events"] = self._in_own_language(
            EventPage.objects.live().public().filter(end__gte=timezone.now()).order_by("start")
        )
        return context

    def _in_own_language(self, pages, limit: int = 5) -> list:
        """The first ``limit`` of ``pages`` in this home page's language; if it has none, the Japanese ones.

        News and events are mostly written in Japanese only: an English home page lists them
        (marked lang="ja") rather than saying there is no news.
        """
        own = list(pages.filter(locale_id=self.locale_id)[:limit])
        if own or self.locale.language_code == settings.LANGUAGE_CODE:
            return own
        return list(pages.filter(locale__language_code=settings.LANGUAGE_CODE)[:limit])


class StandardPage(SiteUrlMixin, Page):
    """A page about one procedure or topic."""

    intro = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences shown under the title."))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.IndexPage", "cms.DepartmentPage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class IndexPage(SiteUrlMixin, Page):
    """A section (e.g. 子育て・教育) listing its pages."""

    intro = models.TextField(_("summary"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage", "cms.IndexPage"]
    subpage_types = [*CONTENT_PAGES, "cms.DepartmentPage"]

    class Meta:
        verbose_name = _("section index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().public().specific().order_by("path")
        return context


class DepartmentPage(SiteUrlMixin, Page):
    """A department or section of the town office (課・係) and how to reach it."""

    intro = models.TextField(_("what we do"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True, default="平日 8:30〜17:15")
    location = models.CharField(_("location"), max_length=200, blank=True, help_text=_("e.g. 本庁舎 2階"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("fax"), FieldPanel("email"), FieldPanel("hours"), FieldPanel("location")],
            heading=_("Contact"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.IndexPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("department")


class ServicePage(SiteUrlMixin, Page):
    """A page that explains an online service and links into the portal."""

    SERVICES = [
        ("portal:dashboard", _("My page")),
        ("account_signup", _("Create an account")),
        ("portal:household", _("Household")),
    ]

    intro = models.TextField(_("summary"), blank=True)
    service = models.CharField(_("service"), max_length=60, choices=SERVICES)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("service"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.IndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("online service page")


@register_snippet
class NewsCategory(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True, allow_unicode=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self) -> str:
        return self.name


class NewsIndexPage(SiteUrlMixin, Page):
    intro = models.TextField(_("summary"), blank=True)
    per_page = 20

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("news index")

    def news(self, category: str | None = None):
        items = NewsPage.objects.live().public().descendant_of(self).select_related("category").order_by("-date", "-pk")
        if category:
            items = items.filter(category__slug=category)
        return items

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        category = request.GET.get("category") or None
        paginator = Paginator(self.news(category), self.per_page)
        context["items"] = paginator.get_page(request.GET.get("page"))
        context["categories"] = NewsCategory.objects.all()
        context["current_category"] = category
        return context


class NewsPage(SiteUrlMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    category = models.ForeignKey(
        NewsCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    intro = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("category"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news")
        verbose_name_plural = _("news")


class EventIndexPage(SiteUrlMixin, Page):
    intro = models.TextField(_("summary"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("event index")

    def upcoming(self):
        return EventPage.objects.live().public().descendant_of(self).filter(end__gte=timezone.now()).order_by("start")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["events"] = self.upcoming()
        return context


class EventPage(SiteUrlMixin, Page):
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200)
    intro = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("start"), FieldPanel("end"), FieldPanel("venue")], heading=_("When and where")),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("venue"),
        index.SearchField("body"),
    ]
    parent_page_types = ["cms.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("event")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            from django.core.exceptions import ValidationError

            raise ValidationError({"end": _("The end must be after the start.")})


class FormField(AbstractFormField):
    """One field of a :class:`FormPage`, edited inline on the page."""

    page = ParentalKey("cms.FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(SiteUrlMixin, AbstractForm):
    """An enquiry or application form built by editors (お問い合わせ・申込フォーム).

    Answers are stored as Wagtail form submissions; staff and, if asked, the sender are
    told by mail through the outbox (see :mod:`cms.forms_mail`), never by direct sending.
    """

    intro = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences shown under the title."))
    thank_you_text = RichTextField(_("thank-you text"), blank=True, help_text=_("Shown after the form was sent."))
    staff_email = models.EmailField(_("staff email"), help_text=_("Who is told of each answer."))
    confirmation_field_name = models.CharField(
        _("confirmation email field"),
        max_length=255,
        blank=True,
        help_text=_(
            "Label of the form's email field: the address entered there gets a copy of the answers. "
            "Leave empty to send no copy."
        ),
    )

    content_panels = [
        *AbstractForm.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [FieldPanel("staff_email"), FieldPanel("confirmation_field_name")], heading=_("Notification mails")
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage", "cms.IndexPage", "cms.DepartmentPage", "cms.StandardPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("form page")

    def serve(self, request, *args, **kwargs):
        # process_form_submission() is not given the request; the mails need its language.
        self._submission_request = request
        return super().serve(request, *args, **kwargs)

    def process_form_submission(self, form):
        from cms.forms_mail import notify_submission

        with transaction.atomic():
            submission = super().process_form_submission(form)
            notify_submission(self, submission, getattr(self, "_submission_request", None))
        return submission


from cms.search_index import SearchEntry  # noqa: E402,F401 - the site search index (cms/search_index.py)
from cms.snippets import EmergencyBanner  # noqa: E402,F401 - registers the snippet

# --- The town's settings: service links and the footer ------------------------------------


class ServiceLinkBlock(blocks.StructBlock):
    """One online service (施設予約, 抽選, 安全安心メール …) residents reach from every page."""

    label = blocks.CharBlock(label=_("Name"), max_length=40)
    path = blocks.CharBlock(
        label=_("Address on this site"),
        max_length=200,
        help_text=_(
            "For example /facilities/. The link is shown only while the address exists (a service or a live page)."
        ),
    )
    description = blocks.CharBlock(label=_("Description"), max_length=120, required=False)
    in_header = blocks.BooleanBlock(label=_("In the header"), required=False, default=True)
    in_footer = blocks.BooleanBlock(label=_("In the footer"), required=False, default=True)
    on_home = blocks.BooleanBlock(label=_("On the home page and My page"), required=False, default=True)

    class Meta:
        icon = "link"
        label = _("Online service")


@register_setting(icon="home")
class TownSettings(BaseGenericSetting):
    """What every page shows around its content: the online services and the town office's contact block."""

    services = StreamField(
        [("service", ServiceLinkBlock())],
        blank=True,
        verbose_name=_("online services"),
        help_text=_("Linked from the header, the footer, the home page and My page, in this order."),
    )
    office_name = models.CharField(_("office name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    privacy_page = models.ForeignKey(
        Page, verbose_name=_("privacy policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accessibility_page = models.ForeignKey(
        Page,
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sitemap_page = models.ForeignKey(
        Page, verbose_name=_("site map"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("services"),
        MultiFieldPanel(
            [FieldPanel("office_name"), FieldPanel("address"), FieldPanel("phone"), FieldPanel("email")],
            heading=_("Contact"),
        ),
        FieldPanel("opening_hours"),
        MultiFieldPanel(
            [FieldPanel("privacy_page"), FieldPanel("accessibility_page"), FieldPanel("sitemap_page")],
            heading=_("Footer links"),
        ),
    ]

    class Meta:
        verbose_name = _("town settings")

    @classmethod
    def current(cls) -> TownSettings:
        """The settings to show, without writing: ``load()`` creates the row on first use, and a
        write while a page is shown would drop the page cache it is about to fill (cms.cache)."""
        return cls.objects.first() or cls()


class SiteMapPage(SiteUrlMixin, Page):
    """The site map (サイトマップ): every public section and page below the home page, as a tree."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("site map page")

    def tree(self, max_depth: int = 3) -> list[tuple[Page, list]]:
        """The live, public pages below the home page, ``max_depth`` levels deep, as (page, children)."""
        home = self.get_parent()
        pages = list(
            Page.objects.descendant_of(home)
            .live()
            .public()
            .filter(depth__lte=home.depth + max_depth)
            .exclude(pk=self.pk)
            .order_by("path")
            .only("id", "path", "depth", "title", "url_path")
        )
        nodes: dict[str, tuple[Page, list]] = {}
        roots: list[tuple[Page, list]] = []
        for page in pages:
            node = (page, [])
            nodes[page.path] = node
            parent = nodes.get(page.path[: -Page.steplen])
            (parent[1] if parent else roots).append(node)
        return roots
