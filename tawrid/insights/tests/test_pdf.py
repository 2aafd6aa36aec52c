"""PDF reports: French and Arabic pages through WeasyPrint, with the static-only URL fetcher.

About the Arabic text that pypdf extracts: WeasyPrint writes the HTML text of a right-to-left paragraph so that pypdf
gives it back in logical (reading) order, but the text of an inline SVG (the charts) is drawn glyph run by glyph run
in visual order, so pypdf returns it reversed, letter by letter ("الواردات" comes out as "تادراولا"). Both are the
same words on the page (the rendering was checked by eye); the chart assertions accept either order.
"""

import io
import logging
import re
import socket
import unicodedata

import pytest
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from tawrid.insights import charts
from tawrid.insights.pdf import StaticOnlyURLFetcher, render_pdf, site_origin

REPORT = """{% extends "insights/report_base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block header_title %}{{ heading }}{% endblock %}
{% block footer_text %}{{ footer }}{% endblock %}
{% block cover %}<div class="cover"><h1>{{ heading }}</h1></div>{% endblock %}
{% block content %}
<section class="report-section">
  <h2>{{ heading }}</h2>
  <table>
    <thead><tr><th>{{ group }}</th><th class="num">{{ value }}</th></tr></thead>
    <tbody>{% for name, amount in rows %}
      <tr><td>{{ name }}</td><td class="num">{{ amount }}</td></tr>
    {% endfor %}</tbody>
  </table>
  <div class="chart">{{ chart }}</div>
  {{ extra }}
</section>
{% endblock %}"""


def pdf_text(pdf: bytes) -> str:
    """The text of every page, Arabic presentation forms (the shaped glyphs' code points) folded back by NFKC."""
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_report(language: str, texts: dict, extra: str = "") -> bytes:
    with translation.override(language):
        chart = charts.bar_chart(
            title=texts["chart_title"],
            labels=["2021", "2022", "2023"],
            series=[(texts["value"], [120_500_000, 98_000_000, 143_250_000])],
            value_format="money",
            rtl=translation.get_language_bidi(),
        )
        html = (
            engines["django"]
            .from_string(REPORT)
            .render(
                {
                    **texts,
                    "chart": mark_safe(chart),
                    "extra": mark_safe(extra),
                    "rows": [(texts["row"], charts.format_value(54_300_000))],
                }
            )
        )
        return render_pdf(html=html)


FRENCH = {
    "heading": "Dépendance aux importations",
    "footer": "Tawrid · rapport généré le 12 mars 2025",
    "group": "Groupe EMDN",
    "value": "Valeur (MAD)",
    "row": "Z12 – Équipements de diagnostic in vitro",
    "chart_title": "Importations par année",
}
ARABIC = {
    "heading": "الاعتماد على الواردات",
    "footer": "تقرير صادر في 12 مارس 2025",
    "group": "مجموعة EMDN",
    "value": "القيمة (درهم)",
    "row": "Z12 – معدات التشخيص المختبري",
    "chart_title": "الواردات حسب السنة",
}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection is recorded (WeasyPrint would swallow an exception raised here)."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_french_report(no_network):
    pdf = render_report("fr", FRENCH)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 2  # the cover, then the section
    text = pdf_text(pdf)
    assert "Dépendance aux importations" in text
    assert "Z12 – Équipements de diagnostic in vitro" in text
    assert "54 300 000" in text  # NFKC turns the no-break spaces into spaces
    assert "Importations par année" in text and "2022" in text and "140 M" in text  # the chart is drawn as text
    # The page counters come from report.css (loaded through the fetcher), the word from the template.
    assert re.search(r"Page\s*1\s*/\s*2", text) and re.search(r"Page\s*2\s*/\s*2", text)
    assert no_network == []


def test_arabic_report(no_network):
    pdf = render_report("ar", ARABIC)
    assert page_count(pdf) == 2
    text = pdf_text(pdf)
    # HTML text: logical order, letters folded back from their joined presentation forms.
    assert "الاعتماد على الواردات" in text
    assert "معدات التشخيص المختبري" in text
    assert "54.300.000" in text
    # Chart (SVG) text: visual order, reversed by the extraction (see the module docstring).
    word = "الواردات"
    assert text.count(word) + text.count(word[::-1]) >= 3  # cover, heading, header… and the chart title
    assert "الواردات حسب السنة" in text or "السنة"[::-1] in text
    # The axis unit is translated ("مليون"); text drawn in the SVG comes out letter-reversed.
    assert "2023" in text and any(tick in text for tick in ("140 M", "140 مليون", "140 نويلم"))
    assert no_network == []


def test_arabic_document_is_right_to_left():
    with translation.override("ar"):
        html = engines["django"].from_string(REPORT).render({**ARABIC, "rows": []})
    assert '<html lang="ar" dir="rtl">' in html
    with translation.override("fr"):
        html = engines["django"].from_string(REPORT).render({**FRENCH, "rows": []})
    assert '<html lang="fr" dir="ltr">' in html
    assert 'href="/static/insights/report.css"' in html


def test_network_resources_are_refused_without_a_request(no_network, caplog):
    extra = (
        '<img src="http://example.com/x.png" alt="">'
        '<img src="https://example.com/y.png" alt="">'
        '<img src="ftp://example.com/z.png" alt="">'
        '<img src="file:///etc/hostname" alt="">'
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="">'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_report("fr", FRENCH, extra=extra)
    assert page_count(pdf) == 2
    assert no_network == []
    logged = caplog.text
    assert "http://example.com/x.png" in logged and "https://example.com/y.png" in logged
    assert "file:///etc/hostname" in logged
    assert "data:image/gif" not in logged  # data: URLs are served


def test_fetcher_serves_static_files_only():
    origin = site_origin()
    fetcher = StaticOnlyURLFetcher(origin=origin)
    response = fetcher.fetch(f"{origin}/static/insights/report.css")
    assert response.content_type == "text/css" and b"@page" in response.read()
    response.close()
    for url in (
        "http://example.com/static/insights/report.css",  # another origin
        f"{origin}/admin/",  # not a static file
        f"{origin}/static/insights/missing.css",
        f"{origin}/static/../config/settings.py",
        f"{origin}/static/insights/%2e%2e/%2e%2e/pdf.py",
        f"{origin}/static/insights\\..\\pdf.py",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_explicit_base_url_keeps_static_files(no_network):
    html = (
        '<html><head><link rel="stylesheet" href="/static/insights/report.css"></head><body><p>Bonjour</p>'
        '<div class="report-footer">Page <span class="page-number"></span></div></body></html>'
    )
    pdf = render_pdf(html=html, base_url="https://tawrid.example/reports/1/")
    assert re.search(r"Page\s*1\s*/\s*1", pdf_text(pdf))
    assert no_network == []
