"""PDF rendering with WeasyPrint: shipped fonts, and a fetcher that reads only the project's static files.

Letters carry text typed by people (and, through the library, by anyone who edits
it). Django's autoescaping keeps that text from becoming markup; the fetcher is the
second wall: whatever a document names — ``<img src="file:///etc/passwd">``, a CSS
``url(http://…)`` — only files under ``static/`` are read, and nothing else leaves or
enters the process.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()

# PT Serif and PT Sans (ParaType, SIL Open Font License): Cyrillic faces close to the
# serif of Russian official correspondence, shipped so a PDF never depends on the
# machine's fonts.
FONTS_CSS = """
@font-face { font-family: "PT Serif"; src: url("fonts/PTSerif-Regular.ttf"); }
@font-face { font-family: "PT Serif"; font-style: italic; src: url("fonts/PTSerif-Italic.ttf"); }
@font-face { font-family: "PT Serif"; font-weight: bold; src: url("fonts/PTSerif-Bold.ttf"); }
@font-face { font-family: "PT Serif"; font-weight: bold; font-style: italic; src: url("fonts/PTSerif-BoldItalic.ttf"); }
@font-face { font-family: "PT Sans"; src: url("fonts/PTSans-Regular.ttf"); }
@font-face { font-family: "PT Sans"; font-weight: bold; src: url("fonts/PTSans-Bold.ttf"); }
"""


class RefusedURL(ValueError):
    """A document named something outside the project's static files."""


class StaticOnlyFetcher(URLFetcher):
    """Serves file:// URLs inside static/ and refuses every other URL (scheme, path or host)."""

    def fetch(self, url, headers=None):
        if not url.startswith("file://"):
            raise RefusedURL(f"Документ ссылается на внешний ресурс: {url[:200]}")
        path = Path(url[len("file://") :].split("?", 1)[0].split("#", 1)[0]).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise RefusedURL(f"Документ ссылается на файл вне статических файлов портала: {url[:200]}")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": _type(path)})


def _type(path: Path) -> str:
    return {
        ".ttf": "font/ttf",
        ".css": "text/css",
        ".png": "image/png",
        ".svg": "image/svg+xml",
    }.get(path.suffix.lower(), "application/octet-stream")


def render_pdf(html: str, *, stylesheets: list[str] | None = None) -> bytes:
    """The PDF of an HTML document (already rendered by a Django template, autoescaped)."""
    base = STATIC_DIR.as_uri() + "/"
    fetcher = StaticOnlyFetcher()
    # @font-face rules take effect only through a FontConfiguration given to both the
    # stylesheet and write_pdf; without it the machine's own fonts would be used.
    fonts = FontConfiguration()
    sheets = [CSS(string=FONTS_CSS, base_url=base, url_fetcher=fetcher, font_config=fonts)]
    sheets += [CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=fonts) for css in stylesheets or []]
    return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(stylesheets=sheets, font_config=fonts)
