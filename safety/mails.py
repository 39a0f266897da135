"""The wording of safety mails: tap mails, watch-over mails and broadcasts. Composes text; writes nothing.

* Tap and watch-over mails use the staff's wording for the mail and language (:class:`MailText`,
  edited in the admin) or the built-in, translated one; an unknown ``{placeholder}`` in the
  staff's wording is left as it is, so a typo never breaks a mail.
* Every safety mail ends with a link to the family's choices (/my/safety/) and carries one-click
  unsubscribe: tap and watch-over mails for the member (topic :data:`TAPS_TOPIC`), broadcasts for
  their category (topic :data:`BROADCAST_TOPIC`). The topics are registered in ``safety.apps``.
  The unsubscribe link is in the body as well as in the List-Unsubscribe header, for mail
  programs that do not show the header.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.services import html_from_text, render_mail
from safety.models import Broadcast, MailText, Tap, Terminal

#: A tap uploaded more than this many minutes after it happened says so in the mail.
DELAY_NOTE_MINUTES = 5

#: One-click unsubscribe topics (notifications.unsubscribe): tap and watch-over mails about a member,
#: and broadcasts of one category.
TAPS_TOPIC = "safety_taps"
BROADCAST_TOPIC = "safety_broadcast"

#: The mail template of a broadcast (notifications/mail/safety_broadcast/).
BROADCAST_TEMPLATE = "safety_broadcast"
#: Stands in for each resident's unsubscribe token in a broadcast rendered once per language.
TOKEN_PLACEHOLDER = "UNSUBSCRIBETOKEN"  # noqa: S105 - not a secret


# --- Tap and watch-over mails ---------------------------------------------------------------
class MailTexts:
    """The staff's wording of the tap mails, read once per batch rather than once per mail."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, str], tuple[str, str]] | None = None

    def get(self, key: str, language: str) -> tuple[str, str]:
        """Subject and body template: the staff's, or the built-in one (call inside the language)."""
        if self._texts is None:
            self._texts = {(t.key, t.language): (t.subject, t.body) for t in MailText.objects.all()}
        return self._texts.get((key, language)) or default_text(key)


def _mail_key(tap: Tap) -> str:
    if tap.terminal.kind == Terminal.Kind.GATE:
        return MailText.Key.GATE_OUT if tap.kind == Tap.Kind.OUT else MailText.Key.GATE_IN
    return MailText.Key.WATCH_TOUCH


def default_text(key: str) -> tuple[str, str]:
    """The built-in wording (translated); staff can replace it per language with a MailText."""
    texts = {
        MailText.Key.GATE_IN: (_("{name} arrived at {school}"), _("{name} arrived at {school} at {time}.{delay_note}")),
        MailText.Key.GATE_OUT: (_("{name} left {school}"), _("{name} left {school} at {time}.{delay_note}")),
        MailText.Key.WATCH_TOUCH: (
            _("{name} touched a card at {place}"),
            _("{name} touched a card at {place} at {time}.{delay_note}"),
        ),
        # safety.watch_over: the daily summary and the no-activity alert.
        MailText.Key.DIGEST: (
            _("{name}'s touches on {date}"),
            _("Where {name} touched a card on {date}:\n{places}"),
        ),
        MailText.Key.NO_ACTIVITY: (
            _("No touch from {name} for {hours} hours"),
            _(
                "{name} has not touched a card at any terminal for {hours} hours during the day "
                "(last touch: {last_touch}). Please check that everything is all right."
            ),
        ),
    }
    return texts[key]


def tap_mail_text(
    tap: Tap, *, language: str, now: datetime, texts: MailTexts | None = None, unsubscribe_url: str = ""
) -> tuple[str, str]:
    """Subject and body of a tap mail in ``language``, from the staff's wording if they saved one."""
    key = _mail_key(tap)
    with translation.override(language):
        subject, body = (texts or MailTexts()).get(key, language)
        local = timezone.localtime(tap.occurred_at)
        delay = (tap.received_at - tap.occurred_at).total_seconds() / 60
        delay_note = ""
        if delay > DELAY_NOTE_MINUTES:
            delay_note = "\n" + _(
                "This mail is late: the terminal sent the touch %(minutes)d minutes after it happened."
            ) % {"minutes": int(delay)}
        values = {
            "name": tap.member.given_name,
            "time": f"{local:%H:%M}",
            "place": tap.terminal.place,
            "school": tap.terminal.school.name if tap.terminal.school_id else tap.terminal.place,
            "delay_note": delay_note,
        }
        return compose(subject, body, values, unsubscribe_url=unsubscribe_url)


def compose(subject: str, body: str, values: dict[str, str], *, unsubscribe_url: str = "") -> tuple[str, str]:
    """Fill in a safety mail's wording and add the links to the family's choices and to one-click
    unsubscribe from mails about this person (call inside its language)."""
    footer = "\n\n" + _("Change which mails you get: %(url)s") % {"url": f"{settings.SITE_URL}/my/safety/"}
    if unsubscribe_url:
        footer += "\n" + _("Stop mails about %(name)s with one click: %(url)s") % {
            "name": values.get("name", ""),
            "url": unsubscribe_url,
        }
    return _format(subject, values), _format(body, values) + footer + "\n"


def _format(template: str, values: dict[str, str]) -> str:
    """str.format with unknown placeholders left as they are, so a staff typo never breaks a mail."""

    class Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    try:
        return template.format_map(Keep(values))
    except (ValueError, IndexError):
        return template


# --- Broadcasts -------------------------------------------------------------------------------
def mail_category(broadcast_id) -> str:
    """The outbox category of a broadcast's mails: progress and reports count by it."""
    return f"broadcast:{broadcast_id}"


def preferences_url() -> str:
    return settings.SITE_URL + reverse("portal:safety_broadcasts")


def unsubscribe_link(token: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def render_broadcast(broadcast: Broadcast, language: str, html: bool) -> tuple[str, str, str]:
    """Subject, text and HTML (or "") of ``broadcast`` in ``language``, with :data:`TOKEN_PLACEHOLDER`
    where each resident's unsubscribe token goes."""
    title, body = broadcast.text_in(language)
    rendered = render_mail(
        BROADCAST_TEMPLATE,
        {
            "broadcast": broadcast,
            "title": title,
            "body": body,
            "unsubscribe_url": unsubscribe_link(TOKEN_PLACEHOLDER),
            "preferences_url": preferences_url(),
        },
        language=language,
        html=False,
    )
    body_html = html_from_text(rendered.subject, rendered.body_text, language) if html else ""
    return rendered.subject, rendered.body_text, body_html
