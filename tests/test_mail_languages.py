"""Every mail template of every app, rendered in Japanese and in English, speaks one language.

A mail whose template and catalogue disagree (a renamed variable, a missing entry) falls back to
the English source in a Japanese mail, as the booking mail's 「You can cancel online until 3 days
before the day of use.」 did (issue 12). This renders each template found under
``<app>/templates/notifications/mail/`` with every branch it has, and looks for English
sentences in the Japanese mails and for Japanese in the English ones (with English data).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace as NS
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from disclosure.deadlines import Pause, compute
from disclosure.models import Status as DisclosureStatus
from health.measurements import catalogue as measure_types
from notifications.services import render_mail

TOKYO = ZoneInfo("Asia/Tokyo")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
# Three English words in a row, outside URLs and addresses, is a sentence left untranslated.
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}(?:[ ,'’]+[A-Za-z]{2,}){2,}")
HALF_WIDTH_COLON_AFTER_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]:")


def mail_templates() -> set[str]:
    found = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates" / "notifications" / "mail"
        if folder.is_dir():
            found |= {d.name for d in folder.iterdir() if (d / "body.txt").exists()}
    return found


ISO_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|-12-")  # a receipt number (R2026-0001) is no date


def disclosure_request(d: NS) -> NS:
    """A disclosure request as its mails use it (the status label in the reader's language)."""
    return NS(
        number="R2026-0001",
        name=d.person,
        document=d.title,
        get_status_display=lambda: DisclosureStatus.EXTENDED.label,
        due_date=date(2026, 12, 25),
    )


class Child(str):
    """A household member as the vaccine mail uses it: its name, and ``given_name``."""

    @property
    def given_name(self) -> str:
        return self.split()[-1]


def data(language: str) -> NS:
    """Names and free text as residents and staff would write them in that language."""
    ja = language == "ja"
    return NS(
        facility="みどり町総合体育館" if ja else "Midori Gym",
        unit="半面A" if ja else "Half court A",
        frame="午前" if ja else "Morning",
        hourly="9:00–10:00",
        club="みどりバレー部" if ja else "Midori Volleyball",
        person="山田 花子" if ja else "Hanako Yamada",
        member="山田 太郎" if ja else "Taro Yamada",
        title="台風に備えて" if ja else "Typhoon warning",
        body="本日は早めに下校します。" if ja else "School closes early today.",
        reason="設備点検のため" if ja else "Maintenance",
        label="お名前" if ja else "Name",
        value="山田 花子" if ja else "Hanako Yamada",
        site="みどり町ポータル" if ja else "Midori Portal",
        category="防犯" if ja else "Crime prevention",
    )


def contexts(language: str) -> dict[str, list[dict]]:
    d = data(language)
    url = "https://portal.example.jp/my/"
    facility = NS(name=d.facility, address="みどり町1-1" if language == "ja" else "1-1 Midori", phone="0123-45-6789")
    unit = NS(name=d.unit, facility=facility)
    frame = NS(label=d.frame, start=time(9), end=time(12))
    hourly = NS(label=d.hourly, start=time(9), end=time(10))
    day = date(2026, 12, 7)

    def reservation(f=frame, **kw):
        return NS(
            date=day,
            frame=f,
            unit=unit,
            start=datetime.combine(day, f.start, TOKYO),
            end=datetime.combine(day, f.end, TOKYO),
            fee=2000,
            paid_at=None,
            cancel_reason=d.reason,
            **kw,
        )

    club = NS(name=d.club, status="approved", decision_reason="")
    rejected = NS(name=d.club, status="rejected", decision_reason=d.reason)
    choice = NS(rank=1, date=day, frame=frame, unit=unit)
    choice2 = NS(rank=2, date=day, frame=hourly, unit=unit)
    lottery = {"facility": facility, "round": NS(month=date(2026, 12, 1)), "url": url}
    confirm_by = datetime(2026, 11, 20, 23, 59, tzinfo=TOKYO)
    broadcast = NS(get_category_display=lambda: d.category)
    fields = [(d.label, d.value), (d.label, "")]
    return {
        "facilities_booked": [
            {
                "facility": NS(name=d.facility, cancel_days_before=n),
                "reservations": [reservation(pay_by=datetime(2026, 12, 5, tzinfo=TOKYO)), reservation(hourly)],
                "total": 4000,
            }
            for n in (0, 1, 3)
        ],
        "facilities_lapsed": [{"reservation": reservation()}],
        "facilities_cancelled": [{"reservation": reservation(), "by_staff": by_staff} for by_staff in (False, True)],
        "facilities_reminder": [{"reservation": reservation(), "facility": facility}],
        "facilities_club_decided": [{"club": club}, {"club": rejected}],
        "facilities_waitlist_offer": [
            {"reservation": reservation(), "facility": facility, "club": c, "expires": confirm_by, "url": url}
            for c in (None, club)
        ],
        "facilities_waitlist_expired": [
            {
                "entry": NS(date=day, frame=frame, unit=unit, start=reservation().start, end=reservation().end),
                "facility": facility,
                "expires": confirm_by,
                "url": url,
            }
        ],
        "facilities_suspended": [
            {"suspension": NS(points=2, starts_on=day, ends_on=day + timedelta(days=180)), "club": None},
            {"suspension": NS(points=3, starts_on=day, ends_on=day + timedelta(days=60)), "club": club},
        ],
        "facilities_lottery_result": [
            {
                **lottery,
                "application": NS(club_id=1, club=club),
                "choices": [(choice, True), (choice2, False)],
                "wins": [choice],
                "confirm_by": confirm_by,
            },
            {
                **lottery,
                "application": NS(club_id=None, club=None),
                "choices": [(choice, False)],
                "wins": [],
                "confirm_by": None,
            },
        ],
        "safety_broadcast": [
            {"broadcast": broadcast, "title": d.title, "body": d.body, "preferences_url": url, "unsubscribe_url": url}
        ],
        "household_invitation": [
            {"inviter": d.person, "member": d.member, "invitation": NS(expires_at=confirm_by), "accept_url": url}
        ],
        "form_submission_confirmation": [{"page_title": d.title, "fields": fields, "page_url": url}],
        "form_submission_staff": [
            {"page_title": d.title, "submitted_at": confirm_by, "fields": fields, "submissions_url": url}
        ],
        "town_news": [{"title": d.title, "text": d.body, "unsubscribe_url": url}],
        "health_caregiver_added": [{"owner": d.person, "record_url": url}],
        "disclosure_update": [
            {
                "request": disclosure_request(d),
                "headline": _("A message about your disclosure request."),
                "body": d.body,
                "deadline": compute(day, pauses=[Pause(day, day + timedelta(days=2))]),
                "show_deadline": True,
                "url": url,
            },
            {
                "request": disclosure_request(d),
                "headline": _("A message about your disclosure request."),
                "body": "",
                "deadline": compute(day, pauses=[Pause(day, None)]),
                "show_deadline": True,
                "url": url,
            },
        ],
        "disclosure_staff": [
            {
                "request": disclosure_request(d),
                "headline": _("A message about your disclosure request."),
                "body": d.body,
                "url": url,
            }
        ],
        "health_vaccine_reminder": [
            {
                "child": Child(d.member),
                "vaccine_name": "MR" if language == "en" else "MR（麻しん風しん混合）",
                "dose": NS(label="1"),
                "window": NS(start=day, end=day),
                "page_url": "/my/health/1/vaccinations/",
                "site_url": url,
                "site_name": d.title,
                "unsubscribe_url": url,
            }
        ],
        "health_measure_reminder": [
            {
                "own": True,
                "type_label": measure_types.get(measure_types.TEMPERATURE).label,
                "entry_url": url,
                "unsubscribe_url": url,
            },
            {
                "own": False,
                "type_label": measure_types.get(measure_types.WEIGHT).label,
                "name": d.member,
                "entry_url": url,
                "unsubscribe_url": url,
            },
        ],
    }


def visible_text(rendered) -> str:
    body_html = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", rendered.body_html, flags=re.S)
    body_html = html.unescape(re.sub(r"<[^>]+>", " ", body_html))
    text = "\n".join([rendered.subject, rendered.body_text, body_html])
    return re.sub(r"https?://\S+|\S+@\S+", " ", text)


def test_every_mail_template_has_a_context_here():
    assert mail_templates() == set(contexts("ja")), "a new mail template: add its context to this test"


@pytest.mark.django_db
@pytest.mark.parametrize("template", sorted(mail_templates()))
def test_a_japanese_mail_has_no_english_sentence(template, settings):
    for context in contexts("ja")[template]:
        rendered = render_mail(template, context, language="ja")
        text = visible_text(rendered)
        assert not ENGLISH_WORDS.findall(text), f"{template}: English in the Japanese mail:\n{text}"
        assert not HALF_WIDTH_COLON_AFTER_JAPANESE.findall(text), f"{template}: half-width colon:\n{text}"
        assert not ISO_DATE.search(text), f"{template}: an ISO date in the mail:\n{text}"


@pytest.mark.django_db
@pytest.mark.parametrize("template", sorted(mail_templates()))
def test_an_english_mail_has_no_japanese(template, settings):
    settings.WAGTAIL_SITE_NAME = "Midori Portal"
    for context in contexts("en")[template]:
        rendered = render_mail(template, context, language="en")
        text = visible_text(rendered)
        assert not JAPANESE.findall(text), f"{template}: Japanese in the English mail:\n{text}"
        assert not ISO_DATE.search(text), f"{template}: an ISO date in the mail:\n{text}"


@pytest.mark.django_db
def test_the_booking_mail_says_the_cancel_deadline_in_japanese():
    context = contexts("ja")["facilities_booked"][2]
    rendered = render_mail("facilities_booked", context, language="ja")
    assert "オンラインでのキャンセルは利用日の3日前まで可能です。" in rendered.body_text
    assert "You can cancel online" not in rendered.body_text
    assert "2026年12月4日(金) 23:59までに窓口またはコンビニでお支払いください。" in rendered.body_text


@pytest.mark.django_db
def test_mail_dates_read_the_towns_way():
    ja = render_mail("facilities_lottery_result", contexts("ja")["facilities_lottery_result"][0], language="ja")
    assert "2026年12月7日(月) 午前 09:00–12:00" in ja.body_text
    assert "2026年12月7日(月) 09:00–10:00" in ja.body_text, "an hourly frame: its time once"
    assert "2026年11月20日(金) 23:59" in ja.body_text
    en = render_mail("facilities_lottery_result", contexts("en")["facilities_lottery_result"][0], language="en")
    assert "Mon 7 Dec 2026 Morning 09:00–12:00" in en.body_text
    assert "20 Nov 2026 23:59" in en.body_text
