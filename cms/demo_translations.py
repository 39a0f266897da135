"""English and easy-Japanese (やさしい日本語) versions of the demo town's key pages.

Staff translate by hand: Wagtail's "Translate" (simple_translation) copies a Japanese page into
the other locale as a draft, which they rewrite and publish. This does the same for the demo:
the home page, くらし・手続き, ごみの出し方, 転入・転出の手続き and 住民課. Easy-Japanese text
writes readings as 漢字（かんじ）; the pages show them as furigana.
"""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Locale, Page

from cms.languages import EASY_JAPANESE
from cms.models import HomePage


def translate(page: Page, language_code: str, **fields) -> Page:
    """Copy ``page`` into ``language_code`` (as the admin's "Translate" does), set ``fields`` and publish it.

    The parent page must have been translated first. Returns the existing translation, updated,
    if there is one.
    """
    locale = Locale.objects.get(language_code=language_code)
    translated = page.specific.get_translation_or_none(locale)
    if translated is None:
        translated = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    translated.refresh_from_db()  # publishing wrote a new slug's url_path to the database, not to this copy
    return translated


def _steps(title: str, *steps: str) -> tuple:
    return ("steps", {"title": title, "steps": [{"title": step, "text": ""} for step in steps]})


def _waste_table(caption: str, rows: list[list[str]]) -> tuple:
    return (
        "table",
        {"first_row_is_table_header": True, "first_col_is_header": True, "table_caption": caption, "data": rows},
    )


def build_demo_translations(home: HomePage) -> None:
    """English and easy-Japanese versions of the key demo pages; languages already done are skipped."""
    pages = {page.slug: page.specific for page in Page.objects.descendant_of(home).filter(locale=home.locale)}
    needed = ["kurashi", "gomi", "tennyu-tenshutsu", "jumin"]
    if any(slug not in pages for slug in needed):
        return  # not the demo site
    for language_code, build in (("en", _english), (EASY_JAPANESE, _easy_japanese)):
        if language_code in dict(settings.WAGTAIL_CONTENT_LANGUAGES) and not home.has_translation(
            Locale.objects.get(language_code=language_code)
        ):
            build(home, pages)


def _english(home: HomePage, pages: dict[str, Page]) -> None:
    en_home = translate(
        home,
        "en",
        title="Midori Town Portal",
        slug="home-en",
        lead="Procedures, information on daily life and online services of Midori Town, in one place.",
        body=(
            "<p>Book public facilities, get safety mail, keep health records and ask for town documents here. "
            "A few pages are in English; the rest of the site is in Japanese. "
            "The Residents Division (0123-45-6701) helps you in English on weekdays.</p>"
        ),
    )
    jumin = translate(
        pages["jumin"],
        "en",
        title="Residents Division",
        slug="residents-division",
        intro="Residence records, family registers, seal registration, and moving in or out of the town.",
        hours="Weekdays 8:30–17:15",
        location="Town Office main building, 1st floor, counter 3",
    )
    living = translate(
        pages["kurashi"],
        "en",
        title="Living and procedures",
        slug="living",
        intro="Registrations, certificates, garbage, taxes and more.",
    )
    translate(
        pages["gomi"],
        "en",
        title="Putting out garbage",
        slug="garbage",
        intro="Collection days by district and how to sort. Put garbage out by 8:30 a.m. on the collection day.",
        body=[
            _waste_table(
                "Collection days",
                [
                    ["Type", "Honmachi, Ekimae", "Midorigaoka, Kawabata-cho"],
                    ["Burnable garbage", "Mon, Thu", "Tue, Fri"],
                    ["Recyclables", "2nd Wednesday", "4th Wednesday"],
                ],
            ),
            (
                "paragraph",
                "<p>Use the town's designated bags, sold at supermarkets and convenience stores in the town. "
                "Write your name on the bag.</p>",
            ),
            ("contact", {"department": jumin}),
        ],
    )
    translate(
        pages["tennyu-tenshutsu"],
        "en",
        title="Moving in or out",
        slug="moving",
        intro="Notify the town office within 14 days of your move.",
        body=[
            _steps(
                "What to do",
                "Moving-out notice (at your old town or city)",
                "Moving-in notice (at your new town or city)",
                "National Health Insurance, child allowance and other procedures",
            ),
            (
                "paragraph",
                "<p>Bring your residence card or passport, and your My Number card if you have one.</p>",
            ),
            ("contact", {"department": jumin}),
        ],
    )
    en_home.refresh_from_db()  # its children were added through other copies of it
    en_home.key_tasks = [("task", {"page": p, "title": ""}) for p in Page.objects.child_of(living).live().specific()]
    en_home.save_revision().publish()


def _easy_japanese(home: HomePage, pages: dict[str, Page]) -> None:
    easy_home = translate(
        home,
        EASY_JAPANESE,
        title="みどりまち ポータル",
        slug="home-easy",
        lead=(
            "みどり町（まち）の 手続（てつづ）きや くらしの 情報（じょうほう）です。"
            "やさしい 日本語（にほんご）で 書（か）いて います。"
        ),
        body=(
            "<p>わからない ことは 役場（やくば）に 電話（でんわ）して ください。"
            "電話（でんわ）は 0123-45-6701 です。</p>"
        ),
    )
    jumin = translate(
        pages["jumin"],
        EASY_JAPANESE,
        title="じゅうみんか（住民課）",
        intro="住（す）んで いる 人（ひと）の 登録（とうろく）や、引（ひ）っ越（こ）しの 手続（てつづ）きを します。",
        hours="月曜日（げつようび）から 金曜日（きんようび） 8:30〜17:15",
        location="役場（やくば）の 1階（かい） 3番（ばん）の 窓口（まどぐち）",
    )
    kurashi = translate(
        pages["kurashi"],
        EASY_JAPANESE,
        title="くらしの てつづき",
        intro="引（ひ）っ越（こ）しや ごみの 出（だ）し方（かた）などです。",
    )
    translate(
        pages["gomi"],
        EASY_JAPANESE,
        title="ごみの だしかた",
        intro="ごみは 決（き）まった 日（ひ）の 朝（あさ） 8時（じ）30分（ぷん）までに 出（だ）して ください。",
        body=[
            _waste_table(
                "ごみを 出（だ）す 日（ひ）",
                [
                    ["ごみの しゅるい", "ほんまち・えきまえ", "みどりがおか・かわばたちょう"],
                    [
                        "燃（も）やす ごみ",
                        "月曜日（げつようび）と 木曜日（もくようび）",
                        "火曜日（かようび）と 金曜日（きんようび）",
                    ],
                    [
                        "資源（しげん）ごみ（びん・かん・ペットボトル）",
                        "2回目（かいめ）の 水曜日（すいようび）",
                        "4回目（かいめ）の 水曜日（すいようび）",
                    ],
                ],
            ),
            (
                "paragraph",
                "<p>町（まち）の ごみ袋（ぶくろ）に 入（い）れて ください。ごみ袋（ぶくろ）は スーパーや "
                "コンビニで 買（か）えます。袋（ふくろ）に 名前（なまえ）を 書（か）いて ください。</p>",
            ),
            ("contact", {"department": jumin}),
        ],
    )
    translate(
        pages["tennyu-tenshutsu"],
        EASY_JAPANESE,
        title="ひっこしの てつづき",
        intro="引（ひ）っ越（こ）しを したら、14日（にち）の うちに 役場（やくば）に 来（き）て ください。",
        body=[
            _steps(
                "すること",
                "前（まえ）に 住（す）んで いた 町（まち）で「転出届（てんしゅつとどけ）」を 出（だ）す",
                "新（あたら）しい 町（まち）で「転入届（てんにゅうとどけ）」を 出（だ）す",
                "保険（ほけん）や 子（こ）どもの お金（かね）の 手続（てつづ）きを する",
            ),
            (
                "paragraph",
                "<p>在留（ざいりゅう）カードか パスポートを 持（も）って きて ください。"
                "マイナンバーカードが ある 人（ひと）は それも 持（も）って きて ください。</p>",
            ),
            ("contact", {"department": jumin}),
        ],
    )
    easy_home.refresh_from_db()  # its children were added through other copies of it
    easy_home.key_tasks = [("task", {"page": p, "title": ""}) for p in Page.objects.child_of(kurashi).live().specific()]
    easy_home.save_revision().publish()
