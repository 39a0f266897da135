"""StreamField blocks for town pages: what staff can put on a page, each accessible by design."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=100)
    level = blocks.ChoiceBlock(choices=[("h2", _("Level 2")), ("h3", _("Level 3"))], default="h2", label=_("Level"))

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        label = _("Heading")


class AccessibleImageBlock(blocks.StructBlock):
    """An image always carries alternative text, so a screen reader user gets the same facts."""

    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=200,
        required=True,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("alt") or "").strip():
            raise blocks.StructBlockValidationError(
                {"alt": ValidationError(_("Enter alternative text for the image."))}
            )
        return value

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"
        label = _("Image")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("Document download")


class CalloutBlock(blocks.StructBlock):
    level = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("important", _("Important")), ("warning", _("Warning"))],
        default="info",
        label=_("Kind"),
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=100)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"
        label = _("Callout")


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "link", "ul", "ol"])


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=100)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Questions"))

    class Meta:
        icon = "list-ul"
        template = "cms/blocks/accordion.html"
        label = _("FAQ / accordion")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=100)
    text = blocks.RichTextBlock(label=_("What to do"), features=["bold", "link", "ul", "ol"], required=False)


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=100)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"))

    class Meta:
        icon = "list-ol"
        template = "cms/blocks/steps.html"
        label = _("Step-by-step")


class ContactBlock(blocks.StructBlock):
    department = blocks.PageChooserBlock(page_type="cms.DepartmentPage", label=_("Department"))

    class Meta:
        icon = "user"
        template = "cms/blocks/contact.html"
        label = _("Contact")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Text"), features=["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul"], icon="pilcrow"
    )
    image = AccessibleImageBlock()
    table = TableBlock(label=_("Table"), template="cms/blocks/table.html")
    document = DocumentBlock()
    callout = CalloutBlock()
    accordion = AccordionBlock()
    steps = StepsBlock()
    contact = ContactBlock()
