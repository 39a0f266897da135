"""The facility pages the site search finds: the facility list, each facility and the lotteries.

Registered with ``portal.search_sources`` (the site search lives in ``cms``, which does not import
this app). The words are Japanese whatever the reader's language, as the facility names are, and
include what residents type: 施設予約, 予約, the facility's reading and kind, 抽選.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from facilities.lottery import selectors as lottery_selectors
from facilities.models import Facility, LotteryRound, Unit
from portal import search_sources

SOURCE = "facilities"
#: Words residents use for the booking service, besides the page's own title.
BOOKING_WORDS = "施設予約 しせつよやく 施設の予約 施設の空き状況 空き状況 予約 よやく 貸し館 体育館 公民館 会議室"
LOTTERY_WORDS = "抽選 ちゅうせん 抽選申込み 抽選の申込み 施設の抽選 施設予約"


def documents() -> list[search_sources.SearchDocument]:
    """One document for the facility list, one per facility, one for the lottery page and one per open round."""
    with translation.override("ja"):
        facilities = list(Facility.objects.prefetch_related("units"))
        found = [
            search_sources.SearchDocument(
                key="list",
                url=reverse("facilities:list"),
                title=gettext("Facility booking"),
                text=" ".join(
                    [gettext("Facilities: availability and booking"), BOOKING_WORDS]
                    + [f"{f.name} {f.reading}" for f in facilities]
                ),
            )
        ]
        for facility in facilities:
            units = " ".join(unit.name for unit in facility.units.all() if unit.active)
            found.append(
                search_sources.SearchDocument(
                    key=f"facility:{facility.pk}",
                    url=reverse("facilities:detail", args=[facility.slug]),
                    title=facility.name,
                    text=" ".join(
                        [
                            facility.reading,
                            str(facility.get_kind_display()),
                            facility.description,
                            units,
                            facility.address,
                            facility.equipment,
                            "施設予約 予約",
                        ]
                    ),
                )
            )
        rounds_url = reverse("facilities:lottery_rounds")
        rounds = list(lottery_selectors.open_rounds()) + list(lottery_selectors.upcoming_rounds())
        found.append(
            search_sources.SearchDocument(
                key="lottery",
                url=rounds_url,
                title=gettext("Facility lotteries"),
                text=" ".join([LOTTERY_WORDS] + [f"{r.facility.name} {r.facility.reading}" for r in rounds]),
            )
        )
        for round in rounds:
            found.append(
                search_sources.SearchDocument(
                    key=f"round:{round.pk}",
                    url=f"{rounds_url}#round-{round.pk}",
                    title=f"{gettext('Lottery')} {round.facility.name} {round.month:%Y年%-m月}",
                    text=f"{LOTTERY_WORDS} {round.facility.name} {round.facility.reading}",
                )
            )
    return found


def _changed(sender, **kwargs):
    # In the writer's transaction, as cms indexes a published page: the rows commit (or roll back) with the change.
    search_sources.changed(SOURCE)


def register() -> None:
    """Register the source and keep it up to date when facilities, units or lotteries change."""
    search_sources.register(search_sources.Source(name=SOURCE, label=_("Facility booking"), documents=documents))
    for model in (Facility, Unit, LotteryRound):
        post_save.connect(_changed, sender=model, dispatch_uid=f"facilities_search_{model.__name__}_saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"facilities_search_{model.__name__}_deleted")
