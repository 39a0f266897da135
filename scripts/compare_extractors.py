"""Measure main-content extractors on the generated legacy corpus (see docs/renewal-import.md).

Run from the repository root: ``python scripts/compare_extractors.py`` (trafilatura, readability-lxml
and jusText must be installed; they are not dependencies of the portal).
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from tests.cms.legacy_corpus import build_corpus, page_text_ok  # noqa: E402


def text_of_html(html):
    import lxml.html

    return lxml.html.fromstring(html).text_content() if html.strip() else ""


def trafilatura_text(html):
    import trafilatura

    return trafilatura.extract(html, include_tables=True, include_links=False) or ""


def readability_text(html):
    from readability import Document

    return text_of_html(Document(html).summary())


def justext_text(html):
    import justext

    # jusText ships no Japanese stop list; an empty one plus its length rules is the best it can do
    paragraphs = justext.justext(html.encode(), frozenset(), stopwords_low=0, stopwords_high=0)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def hand_rules_text(html):
    from cms.importers import parse_legacy_page

    page = parse_legacy_page(html, "/x.html")
    return "\n".join(str(value) for _kind, value in page.blocks)


def main():
    extractors = {
        "trafilatura": trafilatura_text,
        "readability-lxml": readability_text,
        "jusText": justext_text,
        "cms.importers": hand_rules_text,
    }
    with tempfile.TemporaryDirectory() as folder:
        pages = [p for p in build_corpus(Path(folder)) if not p.truncated]
        for name, extract in extractors.items():
            ok, failures = 0, []
            for page in pages:
                html = (Path(folder) / page.path).read_bytes().decode(page.encoding.partition("-")[0])
                try:
                    text = extract(html)
                except Exception as error:  # an extractor that crashes fails the page
                    text = ""
                    failures.append(f"{page.path}: {error!r}")
                good, problems = page_text_ok(text, page)
                ok += good
                if not good:
                    failures.append(f"{page.path} ({page.layout}): {'; '.join(problems)[:160]}")
            print(f"{name}: {ok}/{len(pages)} pages right")
            for failure in failures[: int(os.environ.get("SHOW", "0"))]:
                print("   ", failure)


if __name__ == "__main__":
    main()
