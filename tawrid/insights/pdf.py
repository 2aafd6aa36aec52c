"""PDF reports: HTML (a template extending ``insights/report_base.html``) laid out by WeasyPrint, with no network.

``render_pdf`` never reaches the network. Its URL fetcher serves only

* ``data:`` URLs (inlined images);
* the project's static files, for URLs whose path starts with ``STATIC_URL`` (``/static/insights/report.css``) on the
  report's own origin: found with ``django.contrib.staticfiles.finders.find`` (the source files, so it works without
  ``collectstatic``), then in ``STATIC_ROOT`` (hashed names written by ``collectstatic``);

and refuses everything else (``http(s)`` elsewhere, ``ftp``, ``file``…). WeasyPrint logs each refusal as a warning
and lays the page out without the resource: a stray ``<img src="https://…">`` costs an image, never a request.

System requirements (WeasyPrint draws text through Pango and finds fonts through fontconfig):

* Pango ≥ 1.44 with HarfBuzz and FriBidi, for Arabic shaping (joined letters) and right-to-left order. On Debian
  and Ubuntu: ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`` (the last one for WeasyPrint ≥ 61 font
  subsetting, usually pulled in already);
* a font with Latin *and* Arabic glyphs: DejaVu Sans (``fonts-dejavu-core``) has both, and is the first family of the
  report stylesheet; ``fonts-noto-core`` (Noto Sans Arabic) is used when present for better Arabic typography.

No font is embedded in the project or downloaded: the fonts come from the machine, subset into each PDF.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: The stylesheet of every report, as linked by ``insights/report_base.html``.
REPORT_CSS = "insights/report.css"


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and static files, and refuses any other URL."""

    def __init__(self, *, origin: str) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False, timeout=1)
        self._origin = origin

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            raise ValueError(f"reports load no resource from outside the site's static files: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers_out = {"Content-Type": f"{content_type}; charset=utf-8" if content_type == "text/css" else content_type}
        return URLFetcherResponse(url, body=path.read_bytes(), headers=headers_out)

    def _static_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}".lower() != self._origin.lower():
            return None
        prefix = urlsplit(settings.STATIC_URL).path or "/static/"
        if not parts.path.startswith(prefix):
            return None
        relative = unquote(parts.path[len(prefix) :])
        segments = relative.split("/")
        if not relative or "\\" in relative or "\x00" in relative or any(s in {"", ".", ".."} for s in segments):
            return None
        found = finders.find(relative)
        if isinstance(found, list):  # find(..., find_all=True) only; kept for the type checker
            found = found[0] if found else None
        if found:
            return Path(found)
        if settings.STATIC_ROOT:
            root = Path(settings.STATIC_ROOT).resolve()
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None


def site_origin() -> str:
    """``scheme://host[:port]`` of ``SITE_URL``: the base of the reports' site-relative URLs."""
    parts = urlsplit(getattr(settings, "SITE_URL", "") or "http://localhost")
    return f"{parts.scheme}://{parts.netloc}"


def render_pdf(*, html: str, base_url: str | None = None) -> bytes:
    """The PDF of ``html`` (a whole document, usually rendered from a template extending ``report_base.html``).

    ``base_url`` resolves relative URLs; it defaults to the site's origin (``SITE_URL``), so ``/static/…`` URLs
    resolve to static files. Only static files on that origin and ``data:`` URLs are loaded (see the module doc).
    """
    base = base_url or f"{site_origin()}/"
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else site_origin()
    fetcher = StaticOnlyURLFetcher(origin=origin)
    document = HTML(string=html, base_url=base, url_fetcher=fetcher, media_type="print")
    pdf = document.write_pdf()
    if pdf is None:  # only when a target is given; kept for the type checker
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
