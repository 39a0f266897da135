"""A generated corpus of old town pages, the way municipal sites were built around 2005-2015.

Each page knows what a resident must find on its new page (``keys``: sentences of the page's own
text) and what must not be there (``CHROME``: the site's header, menus, tool rows and footer). The
same corpus measures the main-content extractors (``docs/renewal-import.md``) and drives the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image as PILImage

SITE = "みどり町ホームページ"
HOST = "www.town.midori.example.jp"

# Sentences of the site's chrome: none of them may end up in an imported page.
CHROME = [
    "文字サイズ",
    "背景色の変更",
    "Copyright",
    "〒999-0001 みどり県みどり町本町1番地",
    "よくある質問",
    "ページの先頭へ戻る",
    "サイトマップ",
]

# cp932-only characters (NEC and IBM extensions, and the fullwidth forms shift_jis maps elsewhere).
CP932_SENTENCE = (
    "受付時間は８：３０～１７：１５（電話０１２３－４５－６７８９）、"
    + "①本人確認書類をお持ちください。担当は髙橋と山﨑です。"
)

TOPICS = [
    ("kurashi/juminhyo.html", "住民票の写しの請求", "住民票の写しは住民課の窓口とコンビニで請求できます。"),
    ("kurashi/inkan.html", "印鑑登録", "印鑑登録は本人が来庁して申請してください。"),
    ("kurashi/koseki.html", "戸籍の届出", "出生届は生まれた日から十四日以内に届け出てください。"),
    ("kurashi/gomi/index.html", "ごみの出し方", "燃えるごみは月曜日と木曜日の朝八時までに出してください。"),
    ("kurashi/gomi/sodai.html", "粗大ごみの収集", "粗大ごみは電話で申し込んだ週の水曜日に収集します。"),
    ("kurashi/suido.html", "上下水道の開始と中止", "引っ越しの三日前までに上下水道課へ連絡してください。"),
    ("kenko/kenshin.html", "特定健康診査", "四十歳から七十四歳の国民健康保険加入者が対象です。"),
    ("kenko/yobo.html", "予防接種", "予防接種は町内の指定医療機関で受けられます。"),
    ("kenko/kokuho.html", "国民健康保険", "会社を退職したときは十四日以内に加入の届出をしてください。"),
    ("kosodate/jidoteate.html", "児童手当", "児童手当は毎年六月と十月と二月に支給します。"),
    ("kosodate/hoikuen.html", "保育園の入園申込み", "入園の申込みは毎月十日までに子育て支援課へ提出してください。"),
    ("kosodate/kenshin.html", "乳幼児健診", "乳幼児健診は保健センターで毎月第二火曜日に行います。"),
    ("bousai/index.html", "防災・安全", "町の防災情報と避難所の一覧をお知らせします。"),
    ("bousai/hinanjo.html", "避難所の一覧", "指定避難所は町内に十二か所あり、地図で確認できます。"),
    ("bousai/hazard.html", "ハザードマップ", "洪水と土砂災害のハザードマップを全戸に配布しました。"),
    ("bousai/bichiku.html", "家庭の備蓄", "最低三日分の水と食料を備えてください。"),
    ("soshiki/kikaku/index.html", "企画課", "企画課は町の総合計画と広報を担当しています。"),
    ("soshiki/zeimu/index.html", "税務課", "町民税と固定資産税の課税と収納を担当しています。"),
    ("soshiki/jumin/index.html", "住民課", "住民課は戸籍と住民登録と国民年金を担当しています。"),
    ("zei/juminzei.html", "町民税", "町民税の納期は六月と八月と十月と翌年一月です。"),
    ("zei/kotei.html", "固定資産税", "固定資産税は毎年一月一日の所有者に課税されます。"),
    ("zei/keijidosha.html", "軽自動車税", "軽自動車税は四月一日の所有者に課税されます。"),
    ("kanko/matsuri.html", "みどり夏まつり", "夏まつりは八月第一土曜日に中央公園で開かれます。"),
    ("kanko/onsen.html", "みどり温泉", "みどり温泉は毎週火曜日が休館日です。"),
    ("kyoiku/toshokan.html", "町立図書館", "図書館の本は一人十冊まで二週間借りられます。"),
    ("kyoiku/gakko.html", "小中学校の入学", "新入学の通知は一月下旬に郵送します。"),
    ("fukushi/kaigo.html", "介護保険", "介護サービスを受けるには要介護認定の申請が必要です。"),
    ("fukushi/shogai.html", "障害者手帳", "手帳の申請には医師の診断書と写真が必要です。"),
    ("gikai/teireikai.html", "町議会定例会", "定例会は三月と六月と九月と十二月に開きます。"),
    ("sangyo/nogyo.html", "農業委員会", "農地の売買や転用には農業委員会の許可が必要です。"),
]

LAYOUTS = ["table", "nested", "contents", "honbun", "main", "content", "article", "table-logo"]
ENCODINGS = ["cp932", "cp932", "euc_jp", "utf_8", "cp932-undeclared", "euc_jp-xml"]


@dataclass
class CorpusPage:
    path: str
    title: str
    keys: list[str]
    layout: str
    encoding: str
    links: dict[str, str] = field(default_factory=dict)  # href as written -> legacy path or file it means
    truncated: bool = False

    @property
    def url(self) -> str:
        return "/" + self.path


def _chrome_top(logo: str) -> str:
    return f"""
<table width="760" border="0" cellpadding="0" cellspacing="0" id="header">
<tr><td>{logo}</td>
<td align="right"><table><tr><td>文字サイズ</td><td><a href="#">小</a></td><td><a href="#">中</a></td>
<td><a href="#">大</a></td><td>背景色の変更</td></tr></table></td></tr>
<tr><td colspan="2"><table class="gnav"><tr>
<td><a href="/kurashi/">くらし</a></td><td><a href="/kenko/">健康</a></td><td><a href="/kosodate/">子育て</a></td>
<td><a href="/bousai/">防災</a></td><td><a href="/faq/">よくある質問</a></td>
<td><a href="/sitemap.html">サイトマップ</a></td>
</tr></table></td></tr></table>"""


_SIDE = """<table width="180" class="side"><tr><td><a href="/kurashi/juminhyo.html">住民票</a></td></tr>
<tr><td><a href="/kurashi/inkan.html">印鑑登録</a></td></tr><tr><td><a href="/zei/juminzei.html">町民税</a></td></tr>
<tr><td><a href="/bousai/">防災・安全</a></td></tr><tr><td><a href="/faq/">よくある質問</a></td></tr></table>"""

_FOOT = """<table width="760" id="footer"><tr><td align="right"><a href="#top">ページの先頭へ戻る</a></td></tr>
<tr><td>みどり町役場 〒999-0001 みどり県みどり町本町1番地 電話 0123-45-6789</td></tr>
<tr><td>Copyright (C) 2009 Midori Town. All Rights Reserved.</td></tr></table>"""


def _content(page: CorpusPage, index: int, heading_tag: str) -> str:
    extra = page.keys[1:]
    paragraphs = "".join(f"<p>{sentence}</p>\n" for sentence in extra)
    return f"""<{heading_tag}>{page.title}</{heading_tag}>
<p>{page.keys[0]}</p>
{paragraphs}<h3>関連リンク</h3>
<ul>{"".join(f'<li><a href="{href}">{label}</a></li>' for href, label in page.links.items())}</ul>
<p class="update">更新日：2019年4月{index % 28 + 1}日</p>"""


def render(page: CorpusPage, index: int) -> str:
    logo_h1 = f'<h1><a href="/"><img src="/img/logo.gif" alt="{SITE}"></a></h1>'
    text_logo = f"<h1>{SITE}</h1>"
    logo = text_logo if page.layout == "table-logo" else logo_h1
    if page.layout in {"table", "table-logo"}:
        body = f"""{_chrome_top(logo)}
<table width="760"><tr><td valign="top" width="180">{_SIDE}</td>
<td valign="top" width="580"><table width="100%" cellpadding="8"><tr><td>
{_content(page, index, "h2")}
</td></tr></table></td></tr></table>
{_FOOT}"""
    elif page.layout == "nested":
        # the real paragraphs sit in a table inside a table inside the layout table
        inner = _content(page, index, "h2").replace("<p>", '<table><tr><td class="txt"><p>', 2)
        inner = inner.replace("</p>", "</p></td></tr></table>", 2)
        body = f"""{_chrome_top(logo)}
<table width="760"><tr><td valign="top">{_SIDE}</td>
<td valign="top"><table width="100%"><tr><td><table width="100%"><tr><td>
{inner}
</td></tr></table></td></tr></table></td></tr></table>
{_FOOT}"""
    else:
        tag = "article" if page.layout == "article" else "div"
        attr = "" if page.layout == "article" and index % 2 else f' id="{page.layout}"'
        body = f"""{_chrome_top(logo)}
<div id="wrap"><div id="side">{_SIDE}</div>
<{tag}{attr}>
{_content(page, index, "h1" if index % 2 else "h2")}
</{tag}></div>
{_FOOT}"""
    return body


def head(page: CorpusPage, charset_label: str | None, xml: bool) -> str:
    declaration = f'<?xml version="1.0" encoding="{charset_label}"?>\n' if xml else ""
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset_label}">'
        if charset_label and not xml
        else ""
    )
    return f"""{declaration}<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="ja"><head>{meta}
<title>{page.title}｜{SITE}</title>
<link rel="stylesheet" href="/css/style.css"><script src="/js/fontsize.js"></script>
</head><body><a name="top"></a>"""


def build_corpus(folder: Path) -> list[CorpusPage]:
    """Write ~30 old pages (and their PDFs, Office files and images) into ``folder``."""
    pages = []
    for index, (path, title, key) in enumerate(TOPICS):
        layout = LAYOUTS[index % len(LAYOUTS)]
        encoding = ENCODINGS[index % len(ENCODINGS)]
        keys = [key, f"{title}についてのお問い合わせは担当課へお電話ください。"]
        if encoding.startswith("cp932"):
            keys.append(CP932_SENTENCE)
        pages.append(CorpusPage(path=path, title=title, keys=keys, layout=layout, encoding=encoding))

    by_path = {p.path: p for p in pages}
    # links between pages: relative, site-absolute, folder URLs, the site's own host, files
    by_path["kurashi/juminhyo.html"].links = {
        "inkan.html": "印鑑登録のページ",
        "../bousai/": "防災のページ",
        f"http://{HOST}/zei/juminzei.html": "町民税のページ",
        f"http://{HOST}/cgi-bin/event.cgi?id=3": "行事予定",
        "files/shinseisho.pdf": "申請書（PDF：120KB）",
        "files/itaijo.docx": "委任状（Word）",
    }
    by_path["bousai/index.html"].links = {
        "hinanjo.html": "避難所の一覧",
        "/bousai/hazard.html": "ハザードマップ",
        "files/hazardmap.pdf": "ハザードマップ（PDF）",
        "files/hinanjo.xlsx": "避難所一覧表（Excel）",
        "img/map.png": "避難所の地図（画像）",
    }
    by_path["kurashi/gomi/index.html"].links = {"sodai.html": "粗大ごみ", "/kurashi/juminhyo.html": "住民票"}

    files = {
        "kurashi/files/shinseisho.pdf": b"%PDF-1.4\n% application form\n%%EOF\n",
        "kurashi/files/itaijo.docx": b"PK\x03\x04 word document",
        "bousai/files/hazardmap.pdf": b"%PDF-1.4\n% hazard map\n%%EOF\n",
        "bousai/files/hinanjo.xlsx": b"PK\x03\x04 spreadsheet",
    }
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / "bousai" / "img").mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", (60, 40), (0, 90, 160)).save(folder / "bousai" / "img" / "map.png")

    for index, page in enumerate(pages):
        codec, _, flavour = page.encoding.partition("-")
        label = {"cp932": "Shift_JIS", "euc_jp": "EUC-JP", "utf_8": "UTF-8"}[codec]
        html = head(page, None if flavour == "undeclared" else label, xml=flavour == "xml") + render(page, index)
        html += "\n</body></html>\n"
        target = folder / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(html.encode(codec))

    # one Shift_JIS file cut off in the middle of a character, as a broken FTP upload leaves it
    broken = CorpusPage(
        path="oshirase/kouji.html",
        title="道路工事のお知らせ",
        keys=["町道三号線の舗装工事を行います。"],
        layout="table",
        encoding="cp932",
        truncated=True,
    )
    text = head(broken, "Shift_JIS", xml=False) + render(broken, 0)
    cut = text.index("町道三号線") + 60
    while ord(text[cut]) < 0x80:  # stop inside a two-byte character: its second byte is missing
        cut += 1
    data = text[:cut].encode("cp932") + text[cut].encode("cp932")[:1]
    target = folder / broken.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    pages.append(broken)
    return pages


def page_text_ok(text: str, page: CorpusPage) -> tuple[bool, list[str]]:
    """The check per page: every key sentence present, no chrome sentence present."""
    problems = [f"missing {key!r}" for key in page.keys if key not in text]
    problems += [f"chrome {chrome!r}" for chrome in CHROME if chrome in text]
    return not problems, problems
