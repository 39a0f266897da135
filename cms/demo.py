"""Demo content of a realistic small town homepage, for the Quick start. Nothing is downloaded."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from cms.demo_images import ensure_demo_images
from cms.models import (
    DepartmentPage,
    EventIndexPage,
    EventPage,
    HomePage,
    IndexPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    ServicePage,
    StandardPage,
)
from cms.services import create_department_editors

TOKYO = ZoneInfo("Asia/Tokyo")


def publish(parent, page):
    """Add ``page`` under ``parent`` and publish it, as an editor's "Publish" button does."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _image(images: dict, key: str, caption: str = "") -> tuple:
    """An image block with one of the demo illustrations and its alternative text."""
    image, alt = images[key]
    return ("image", {"image": image, "alt": alt, "caption": caption})


def _steps(*titles: str) -> tuple:
    return ("steps", {"title": "手続きの流れ", "steps": [{"title": t, "text": ""} for t in titles]})


def build_demo_site(home: HomePage) -> None:
    """Sections, departments, procedures, news and events under ``home``; skipped if it has pages."""
    if home.get_children().exists():
        return
    images = ensure_demo_images()
    jumin = publish(
        home,
        DepartmentPage(
            title="住民課",
            slug="jumin",
            intro="住民票、戸籍、印鑑登録、転入・転出の手続きを担当しています。",
            phone="0123-45-6701",
            email="jumin@town.example.jp",
            location="本庁舎 1階 3番窓口",
        ),
    )
    kosodate_ka = publish(
        home,
        DepartmentPage(
            title="子育て支援課",
            slug="kosodate-shien",
            intro="児童手当、保育、子育て支援センターを担当しています。",
            phone="0123-45-6702",
            email="kosodate@town.example.jp",
            location="本庁舎 2階",
        ),
    )
    kenko_ka = publish(
        home,
        DepartmentPage(
            title="健康福祉課",
            slug="kenko-fukushi",
            intro="健診、予防接種、高齢者の見守りを担当しています。",
            phone="0123-45-6703",
            email="kenko@town.example.jp",
            location="保健センター",
        ),
    )
    kurashi = publish(
        home,
        IndexPage(title="くらし・手続き", slug="kurashi", intro="届出や証明書、ごみ、税金など。", show_in_menus=True),
    )
    kosodate = publish(
        home, IndexPage(title="子育て・教育", slug="kosodate", intro="妊娠・出産から学校まで。", show_in_menus=True)
    )
    kenko = publish(
        home, IndexPage(title="健康・福祉", slug="kenko", intro="健診、予防接種、介護、見守り。", show_in_menus=True)
    )
    juminhyo = publish(
        kurashi,
        StandardPage(
            title="住民票の写しの請求",
            slug="juminhyo",
            intro="住民票の写しは、役場の窓口またはコンビニエンスストアで取得できます。",
            body=[
                ("heading", {"text": "必要なもの", "level": "h2"}),
                (
                    "paragraph",
                    "<ul><li>本人確認書類（マイナンバーカード、運転免許証など）</li><li>手数料 1通300円</li></ul>",
                ),
                ("callout", {"level": "important", "title": "代理人の方", "text": "<p>委任状が必要です。</p>"}),
                _steps("申請書に記入する", "窓口に本人確認書類と一緒に出す", "手数料を払って受け取る"),
                (
                    "accordion",
                    {
                        "title": "よくある質問",
                        "items": [
                            {
                                "question": "土日も取れますか?",
                                "answer": "<p>コンビニ交付なら 6:30〜23:00 に取得できます。</p>",
                            },
                            {
                                "question": "郵送で請求できますか?",
                                "answer": "<p>できます。定額小為替と返信用封筒を同封してください。</p>",
                            },
                        ],
                    },
                ),
                ("contact", {"department": jumin}),
            ],
        ),
    )
    tennyu = publish(
        kurashi,
        StandardPage(
            title="転入・転出の手続き",
            slug="tennyu-tenshutsu",
            intro="引っ越しの日から14日以内に届け出てください。",
            body=[
                _steps("転出届（前の住所地）", "転入届（新しい住所地）", "国民健康保険・児童手当などの手続き"),
                ("contact", {"department": jumin}),
            ],
        ),
    )
    gomi = publish(
        kurashi,
        StandardPage(
            title="ごみの出し方",
            slug="gomi",
            intro="地区ごとの収集日と分け方です。朝8時30分までに出してください。",
            body=[
                _image(images, "waste-sorting", "ごみは色分けされた4種類に分けて出してください。"),
                (
                    "table",
                    {
                        "first_row_is_table_header": True,
                        "first_col_is_header": True,
                        "table_caption": "収集日",
                        "data": [
                            ["種類", "本町・駅前", "緑が丘・川端町"],
                            ["燃やすごみ", "月・木", "火・金"],
                            ["資源ごみ", "第2水曜", "第4水曜"],
                        ],
                    },
                ),
            ],
        ),
    )
    publish(
        kurashi,
        StandardPage(
            title="印鑑登録",
            slug="inkan",
            intro="印鑑登録と登録証明書の取得について。",
            body=[("contact", {"department": jumin})],
        ),
    )
    center = publish(
        kosodate,
        StandardPage(
            title="子育て支援センター",
            slug="shien-center",
            intro="0歳から就学前のお子さんと保護者が自由に遊べる場所です。育児相談もできます。",
            body=[_image(images, "childcare-centre"), ("contact", {"department": kosodate_ka})],
        ),
    )
    publish(
        kosodate,
        StandardPage(title="児童手当", slug="jido-teate", intro="中学生までのお子さんを養育している方に支給します。"),
    )
    publish(
        kenko,
        StandardPage(
            title="予防接種",
            slug="yobou-sesshu",
            intro="子どもの定期予防接種と高齢者のインフルエンザ予防接種。",
            body=[("contact", {"department": kenko_ka})],
        ),
    )
    publish(
        kenko,
        StandardPage(title="高齢者の見守り", slug="mimamori", intro="見守りカードと家族へのお知らせメールについて。"),
    )
    publish(
        home,
        ServicePage(
            title="マイページ",
            slug="mypage",
            intro="世帯の登録、メールの設定、各種オンラインサービス。",
            service="portal:dashboard",
        ),
    )

    news_index = publish(home, NewsIndexPage(title="お知らせ", slug="news", show_in_menus=True))
    kurashi_cat, _ = NewsCategory.objects.get_or_create(slug="kurashi", defaults={"name": "くらし"})
    kosodate_cat, _ = NewsCategory.objects.get_or_create(slug="kosodate", defaults={"name": "子育て"})
    today = timezone.localdate()
    for days_ago, title, category, image in [
        (1, "年末年始のごみ収集日のお知らせ", kurashi_cat, "waste-sorting"),
        (4, "子育て支援センターの臨時休館について", kosodate_cat, "childcare-centre"),
        (9, "コンビニ交付の一時停止について", kurashi_cat, None),
    ]:
        publish(
            news_index,
            NewsPage(
                title=title,
                slug=f"news-{days_ago}",
                date=today - timedelta(days=days_ago),
                category=category,
                body=[_image(images, image)] if image else [],
            ),
        )

    events = publish(home, EventIndexPage(title="イベント", slug="events", show_in_menus=True))
    for days_ahead, title, venue, hours in [
        (10, "みどり町 冬のふれあい祭り", "中央公園", (10, 15)),
        (20, "離乳食教室", "保健センター", (13, 15)),
    ]:
        day = today + timedelta(days=days_ahead)
        publish(
            events,
            EventPage(
                title=title,
                slug=f"event-{days_ahead}",
                start=datetime.combine(day, time(hours[0]), TOKYO),
                end=datetime.combine(day, time(hours[1]), TOKYO),
                venue=venue,
                body=[_image(images, "winter-festival"), _image(images, "park", "会場の中央公園")]
                if days_ahead == 10
                else [],
            ),
        )

    home.key_tasks = [("task", {"page": p, "title": ""}) for p in (juminhyo, tennyu, gomi, center)]
    if 'embedtype="image"' not in (home.body or ""):
        # The key visual above the body text: a rich-text image, a responsive <picture> (cms.image_formats).
        town_hall, alt = images["town-hall"]
        key_visual = f'<embed embedtype="image" id="{town_hall.pk}" format="fullwidth" alt="{escape(alt)}"/>'
        home.body = key_visual + (home.body or "<p>みどり町役場は平日 8:30〜17:15 に開いています。</p>")
    home.save_revision().publish()
    create_demo_editor_groups(home)


def create_demo_editor_groups(home: HomePage) -> dict[str, Group]:
    """An editors' group for every department under ``home`` (「子育て支援課 編集者」…), by page slug."""
    return {page.slug: create_department_editors(page) for page in DepartmentPage.objects.descendant_of(home)}


#: The town's online services as the demo lists them. 健康記録 and 情報公開 are listed already:
#: their links appear on their own the day the apps have pages (cms.navigation).
DEMO_SERVICES = [
    ("施設予約", "/facilities/", "体育館・公民館・テニスコートの空き状況と予約"),
    ("抽選", "/facilities/lottery/", "人気の施設の抽選申込み"),
    ("安全安心メール", "/my/safety/", "登下校の見守りと町からの安全情報"),
    ("健康記録", "/my/health/", "ご家族の健診・予防接種の記録"),
    ("情報公開", "/disclosure/", "行政文書の開示請求"),
]

PRIVACY_TEXT = (
    "<p>みどり町は、このサイトで預かる個人情報（氏名、住所、メールアドレス、予約や見守りの記録）を、"
    "みどり町個人情報保護条例に基づき、各サービスの提供に必要な範囲でのみ利用します。</p>"
    "<p>法令に基づく場合を除き、本人の同意なく第三者に提供することはありません。"
    "ご自身の情報の開示・訂正・削除は、マイページまたは総務課で受け付けます。</p>"
)
ACCESSIBILITY_TEXT = (
    "<p>みどり町は、JIS X 8341-3:2016 および WCAG 2.2 の適合レベル AA に準拠することを目標に、"
    "このサイトを作成・運営しています。</p>"
    "<p><b>適合の宣言：</b>このサイトの公開ページと住民向けページは WCAG 2.2 レベル AA に準拠しています"
    "（2026年12月、自動試験 axe と目視による確認）。</p>"
    "<p>見づらい・使いにくいページがありましたら、総務課までお知らせください。</p>"
)


def build_demo_site_info(home: HomePage) -> None:
    """The privacy policy, accessibility statement and site map pages and the town's settings.

    Safe to run again: the pages are made once (by slug) and the settings are filled only where empty.
    """
    from cms.models import SiteMapPage, TownSettings

    def page(slug: str, make):
        existing = home.get_children().filter(slug=slug).first()
        return existing.specific if existing else publish(home, make())

    privacy = page(
        "privacy",
        lambda: StandardPage(
            title="個人情報の取り扱い", slug="privacy", body=[("paragraph", PRIVACY_TEXT)], show_in_menus=False
        ),
    )
    accessibility = page(
        "accessibility",
        lambda: StandardPage(
            title="ウェブアクセシビリティ方針",
            slug="accessibility",
            intro="WCAG 2.2 レベル AA への準拠を宣言しています。",
            body=[("paragraph", ACCESSIBILITY_TEXT)],
            show_in_menus=False,
        ),
    )
    sitemap = page(
        "sitemap",
        lambda: SiteMapPage(title="サイトマップ", slug="sitemap", intro="このサイトのページの一覧です。"),
    )
    settings = TownSettings.load()
    if not settings.services:
        settings.services = [
            (
                "service",
                {
                    "label": label,
                    "path": path,
                    "description": description,
                    "in_header": True,
                    "in_footer": True,
                    "on_home": True,
                },
            )
            for label, path, description in DEMO_SERVICES
        ]
    settings.office_name = settings.office_name or "みどり町役場"
    settings.address = settings.address or "〒000-0000 みどり町本町1-1"
    settings.phone = settings.phone or "0123-45-6700"
    settings.email = settings.email or "info@town.example.jp"
    settings.opening_hours = settings.opening_hours or "平日 8:30〜17:15（土日祝日・年末年始を除く）"
    settings.privacy_page = settings.privacy_page or privacy
    settings.accessibility_page = settings.accessibility_page or accessibility
    settings.sitemap_page = settings.sitemap_page or sitemap
    settings.save()
