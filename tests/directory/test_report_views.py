"""Pages and downloads of the pathway sheets and the gap analysis."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from himaya.core.models import AuditEvent, Province, Region
from tests.directory.factories import make_location, make_service
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PATHWAY = "/{}/directory/reports/pathway/"
PATHWAY_PDF = "/{}/directory/reports/pathway/pdf/"
GAPS = "/{}/directory/reports/gaps/"
EXPORT = "/{}/directory/reports/gaps/export/{}/"
SAFE_FILENAME = re.compile(r'^attachment; filename="[A-Za-z0-9._-]+"$')


def verified(**values):
    values.setdefault("verified_at", timezone.now())
    return make_service(**values)


def exports() -> int:
    return AuditEvent.objects.filter(action="export").count()


# --- pathway sheets ---------------------------------------------------------------------------------------------


def test_the_form_lists_provinces_and_needs(client_for):
    response = client_for(make_user("caseworker")).get(PATHWAY.format("fr"))

    assert response.status_code == 200
    assert b'value="01.511"' in response.content
    assert b'value="emergency_shelter"' in response.content


def test_it_downloads_an_audited_pdf(client_for):
    verified(location=make_location(city="tanger"), name="Ecoute Tanger")
    user = make_user("service_provider")

    response = client_for(user).get(
        PATHWAY_PDF.format("fr"), {"province": "01.511", "need": "reception", "language": "fr"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert SAFE_FILENAME.match(response["Content-Disposition"]), response["Content-Disposition"]
    assert "01.511-reception" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert "Ecoute Tanger" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    event = AuditEvent.objects.get(action="export", object_type="directory.pathway_sheet")
    assert (event.actor_id, event.detail["province"], event.detail["services"]) == (user.pk, "01.511", 1)


def test_the_language_defaults_to_the_page_language(client_for):
    response = client_for(make_user("caseworker")).get(PATHWAY_PDF.format("ar"), {"province": "01.511"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-ar.pdf"')
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Naskh" in name for name in fonts)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"province": "99.999"},
        {"province": "01.511", "need": "<script>"},
        {"province": "01.511", "language": "de"},
    ],
)
def test_bad_choices_get_a_message_and_no_pdf(client_for, params):
    response = client_for(make_user("caseworker")).get(PATHWAY_PDF.format("en"), params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"The sheet could not be made" in response.content
    assert b"<script>" not in response.content
    assert exports() == 0


def test_signed_out_visitors_are_sent_to_the_login_page(client):
    response = client.get(PATHWAY_PDF.format("fr"), {"province": "01.511"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_downloads_refuse_post(client_for):
    response = client_for(make_user("caseworker")).post(PATHWAY_PDF.format("fr"), {"province": "01.511"})

    assert response.status_code == 405


# --- gap analysis ---------------------------------------------------------------------------------------------


def test_the_gap_page_shows_the_matrix_and_the_map_data(client_for):
    verified(location=make_location(city="tanger"), needs=("reception",))

    response = client_for(make_user("national_analyst")).get(GAPS.format("en"))

    assert response.status_code == 200
    points = json.loads(re.search(rb'id="gaps-points"[^>]*>(.*?)</script>', response.content, re.S).group(1))
    assert len(points) == Province.objects.filter(cities__isnull=False).distinct().count()
    tanger = next(point for point in points if point["code"] == "01.511")
    assert tanger["cells"]["reception"]["services"] == 1
    assert b"himaya/gaps.js" in response.content and b"leaflet.js" in response.content
    assert b"Council of Europe minimum standards" in response.content


def test_a_territorial_analyst_sees_only_their_region(client_for):
    analyst = make_user("territorial_analyst", region=Region.objects.get(code="01"))

    response = client_for(analyst).get(GAPS.format("fr"))

    assert response.status_code == 200
    assert "Tanger-Assilah" in response.content.decode()
    assert "Casablanca" not in response.content.decode()


def test_the_tile_server_is_optional_configuration(client_for, settings):
    settings.HIMAYA_MAP_TILE_URL = "https://tiles.example.ma/{z}/{x}/{y}.png"

    response = client_for(make_user("directory_editor")).get(GAPS.format("fr"))

    assert b'data-tile-url="https://tiles.example.ma/{z}/{x}/{y}.png"' in response.content


@pytest.mark.parametrize("role", ["caseworker", "system_admin", "hotline_operator"])
def test_the_gaps_are_refused_to_roles_without_the_permission(client_for, role):
    client = client_for(make_user(role))

    assert client.get(GAPS.format("fr")).status_code == 403
    assert client.get(EXPORT.format("fr", "csv")).status_code == 403
    assert exports() == 0


def test_the_csv_export_has_a_header_and_one_line_per_province(client_for):
    analyst = make_user("territorial_analyst", region=Region.objects.get(code="01"))
    Province.objects.filter(code="01.511").update(name_fr="=HYPERLINK(1)")

    response = client_for(analyst).get(EXPORT.format("fr", "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert SAFE_FILENAME.match(response["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + Province.objects.filter(region__code="01").count()
    assert len({len(row) for row in rows}) == 1
    assert ["01.511", "'=HYPERLINK(1)"] in [row[:2] for row in rows]
    assert (
        AuditEvent.objects.get(action="export", object_type="directory.gap_analysis").detail["format"]
        == "csv"
    )


def test_the_english_csv_header_names_the_columns(client_for):
    response = client_for(make_user("national_analyst")).get(EXPORT.format("en", "csv"))

    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:5] == ["Province code", "Province or prefecture", "Region", "Population", "Women"]
    assert "Shelter: services" in header
    assert header[-1] == "Sexual-violence referral centres (1 per 400,000 women): ratio"


@pytest.mark.parametrize(("language", "rtl"), [("ar", True), ("fr", False)])
def test_the_xlsx_export_opens_and_is_right_to_left_in_arabic(client_for, language, rtl):
    verified(location=make_location(city="tanger"), needs=("reception",))

    response = client_for(make_user("supervisor")).get(EXPORT.format(language, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert bool(sheet.sheet_view.rightToLeft) is rtl
    assert sheet.max_row == 1 + Province.objects.count()
    tanger = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "01.511")
    assert tanger[3] == 1494413


def test_the_pdf_export_is_readable(client_for):
    response = client_for(make_user("national_analyst")).get(EXPORT.format("en", "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    assert "Gap analysis" in reader.pages[0].extract_text()


def test_an_unknown_export_format_is_not_found(client_for):
    response = client_for(make_user("national_analyst")).get(EXPORT.format("fr", "exe"))

    assert response.status_code == 404
    assert exports() == 0


def test_the_arabic_pdf_export_embeds_naskh(client_for):
    response = client_for(make_user("national_analyst")).get(EXPORT.format("ar", "pdf"))

    reader = PdfReader(io.BytesIO(response.content))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert response.status_code == 200
    assert any("Naskh" in name for name in fonts), fonts
    assert AuditEvent.objects.get(action="export").detail == {
        "format": "pdf",
        "language": "ar",
        "provinces": Province.objects.count(),
    }
