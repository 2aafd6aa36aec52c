"""How the insights read in each language and how their files arrive: chart legends in the page's language (not
another app's word that shares the English one), a report's language by its name, a report downloaded under its
title with ".pdf", ratios in xlsx exports as percentages under a frozen header."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.insights import visuals
from tawrid.insights.models import Report, ReportKind, ReportStatus
from tawrid.insights.selectors import YearTotals

YEAR = YearTotals(
    year=2026,
    imports_usd=Decimal(100),
    imports_mad=Decimal(1000),
    demand_mad=Decimal(500),
    covered_mad=Decimal(100),
    ordered_mad=Decimal(0),
    ordered_local_mad=Decimal(0),
)


@pytest.mark.parametrize(
    ("language", "legend", "wrong"),
    [("fr", "Importations", ">Imports<"), ("ar", "الواردات", "عمليات الاستيراد")],  # the spreadsheet imports' word
)
def test_the_chart_legend_reads_imports_in_the_pages_language(language, legend, wrong):
    # Needs the translations of the "international trade" context compiled (the msgid is shared with the imports
    # app, whose catalogue wins for the plain "Imports").
    with translation.override(language):
        svg = visuals.years_chart([YEAR], rtl=language == "ar").replace("\u202b", "").replace("\u202c", "")
    assert f">{legend}<" in svg and wrong not in svg and ">Imports<" not in svg


@pytest.fixture
def report(db):
    fund = OrganisationFactory(name="Fonds Investir", kind=OrganisationKind.INVESTOR)
    investor = person_in(fund, Role.MEMBER)
    report = Report.objects.create(
        kind=ReportKind.OPPORTUNITY, language="ar", title="Opportunité T01 Gants d'examen", group="T01",
        status=ReportStatus.READY, pages=3,
    )  # fmt: skip
    report.file.save("0f3c9a2b.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return report, investor


def test_a_report_shows_its_language_by_name_and_downloads_under_its_title(client, report):
    report, investor = report
    client.force_login(investor)
    with translation.override("fr"):
        detail = client.get(reverse("insights:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        listing = client.get(reverse("insights:reports"), HTTP_ACCEPT_LANGUAGE="fr")
    assert 'data-testid="report-language">arabe<' in detail.content.decode().lower()
    assert "<td>ar</td>" not in listing.content.decode()
    response = client.get(reverse("insights:report_download", args=[report.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="Opportunité T01 Gants d\'examen.pdf"' or (
        response["Content-Disposition"].startswith("attachment; filename*=utf-8''Opportunit")
        and response["Content-Disposition"].endswith(".pdf")
    )


@pytest.mark.django_db
def test_dashboard_exports_show_ratios_as_percentages_under_a_frozen_header(client):
    from tawrid.insights import tables

    table = tables.cluster_buyers([])
    ratios = [index for index, column in enumerate(table.columns) if column.kind == "ratio"]
    assert ratios  # coverage, local-purchase rate, against the plan
    from tawrid.insights.views import _xlsx

    row = [None] * len(table.columns)
    row[0], row[ratios[0]] = "CHU Ouvert", Decimal("0.236")
    response = _xlsx("test", table.headers, [row], "Acheteurs", ratios=ratios)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    cell = sheet.cell(row=2, column=ratios[0] + 1)
    assert cell.value == pytest.approx(0.236) and cell.number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= len(str(table.headers[0]))
