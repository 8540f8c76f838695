"""Referral pathway sheets: real PDFs (WeasyPrint) read back with pypdf."""

from __future__ import annotations

import io
from datetime import time

import pytest
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from pypdf import PdfReader

from himaya.core.models import Province
from himaya.directory import pathway
from himaya.directory.models import Phone, Schedule, Visibility
from himaya.directory.pdf import RefusedURL, static_file
from tests.directory.factories import make_location, make_service, term
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def verified(**values):
    values.setdefault("verified_at", timezone.now())
    return make_service(**values)


def sheet_pdf(code: str = "01.511", *, need: str | None = None, language: str = "en") -> bytes:
    with translation.override(language):
        sheet = pathway.build_sheet(
            province=Province.objects.get(code=code), need=term(need) if need else None, language=language
        )
        return pathway.render_sheet(sheet)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def font_names(pdf: bytes) -> set[str]:
    """BaseFont names of the fonts embedded in the pages (with their font file, not only named)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            ).get_object()
            if {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                names.add(str(font["/BaseFont"]))
    return names


def test_it_produces_a_real_pdf_with_the_verified_services_and_the_hotlines():
    service = verified(
        location=make_location(city="tanger", address_1="14 avenue Hassan II"),
        needs=("reception", "psychological"),
        name="Ecoute Tanger",
        languages=("ar", "fr"),
        hours=(("MO", time(8, 30), time(16, 30)), ("TU", time(8, 30), time(12))),
    )
    Phone.objects.create(service=service, number="0539 00 00 01")

    pdf = sheet_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)

    assert pdf.startswith(b"%PDF")
    assert len(reader.pages) >= 1
    assert "Ecoute Tanger" in text
    assert "14 avenue Hassan II" in text
    assert "0539 00 00 01" in text
    assert "08:30–16:30" in text and "Monday" in text and "Tuesday" in text
    assert "French" in text and "Arabic" in text
    assert "8350" in text and "0800 00 47 47" in text and "e-Blagh" in text
    assert "Tanger-Assilah" in text


def test_the_arabic_sheet_embeds_naskh_and_runs_right_to_left():
    verified(location=make_location(city="tanger"), needs=("reception",), name_ar="مركز الاستماع")
    with translation.override("ar"):
        sheet = pathway.build_sheet(province=Province.objects.get(code="01.511"), need=None, language="ar")
        html = render_to_string("directory/reports/pathway_pdf.html", {"sheet": sheet})
        pdf = pathway.render_sheet(sheet)

    assert '<html lang="ar" dir="rtl">' in html
    assert any("Naskh" in name for name in font_names(pdf)), font_names(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1


def test_the_french_sheet_also_embeds_its_latin_font():
    assert any("Noto-Sans" in name for name in font_names(sheet_pdf(language="fr")))


def test_the_date_uses_the_month_names_of_the_catalogue():
    with translation.override("ar"):
        sheet = pathway.build_sheet(province=Province.objects.get(code="01.511"), need=None, language="ar")
        expected = dateformat.format(timezone.localdate(), "j F Y")
        assert sheet.dated == expected


def test_a_confidential_address_never_appears_only_its_front_door_contact():
    shelter = make_location(
        city="tanger",
        address_1="7 impasse des Jasmins",
        is_confidential=True,
        front_door_phone="0539 99 99 99",
        front_door_note="Passer par la cellule du tribunal",
    )
    verified(location=shelter, needs=("emergency_shelter",), name="Refuge")

    text = text_of(sheet_pdf())

    assert "Refuge" in text
    assert "Jasmins" not in text
    assert "0539 99 99 99" in text
    assert "Passer par la cellule du tribunal" in text


def test_unverified_services_and_non_public_phones_are_absent():
    location = make_location(city="tanger")
    make_service(location=location, name="Pas encore verifie")
    listed = verified(location=location, name="Service verifie", email="contact@example.org")
    listed.field_visibility = {"email": Visibility.NETWORK}
    listed.save()
    Phone.objects.create(service=listed, number="0611 11 11 11", visibility=Visibility.NETWORK)
    Phone.objects.create(service=listed, number="0522 22 22 22", visibility=Visibility.PUBLIC)

    text = text_of(sheet_pdf())

    assert "Service verifie" in text
    assert "Pas encore verifie" not in text
    assert "0611 11 11 11" not in text and "contact@example.org" not in text
    assert "0522 22 22 22" in text


def test_a_need_keeps_only_its_services():
    location = make_location(city="tanger")
    verified(location=location, needs=("emergency_shelter",), name="Abri")
    verified(location=location, needs=("legal_aid",), name="Avocats")

    text = text_of(sheet_pdf(need="emergency_shelter"))

    assert "Abri" in text and "Avocats" not in text
    assert "Emergency shelter" in text


def test_an_empty_province_says_so_and_still_gives_the_hotlines():
    verified(location=make_location(city="casablanca"), name="Ailleurs")

    text = text_of(sheet_pdf("12.391"))  # Dakhla

    assert "No verified service is known in this province" in text
    assert "Ailleurs" not in text
    assert "8350" in text and "0800 00 47 47" in text


def test_hours_are_formatted_per_day():
    schedules = [
        Schedule(weekday="TU", weekday_index=1, opens_at=time(14), closes_at=time(18)),
        Schedule(weekday="TU", weekday_index=1, opens_at=time(8, 30), closes_at=time(12)),
        Schedule(weekday="SU", weekday_index=6, opens_at=time(0), closes_at=time(0)),
    ]
    with translation.override("en"):
        assert pathway.format_hours(schedules) == [
            ("Tuesday", "08:30–12:00, 14:00–18:00"),
            ("Sunday", "24 h"),
        ]


def test_the_export_is_audited_and_named_safely():
    from himaya.core.models import AuditEvent

    user = make_user("caseworker")
    content, filename = pathway.pathway_sheet_export(
        actor=user, province=Province.objects.get(code="01.511"), need=term("legal_aid"), language="fr"
    )

    event = AuditEvent.objects.get(action="export", object_type="directory.pathway_sheet")
    assert content.startswith(b"%PDF")
    assert filename == f"himaya-pathway-01.511-legal_aid-{timezone.localdate().isoformat()}-fr.pdf"
    assert event.actor_id == user.pk
    assert event.detail == {"province": "01.511", "need": "legal_aid", "language": "fr", "services": 0}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/static/vendor/fonts/noto-sans-latin-400-normal.woff",
        "https://himaya.invalid/etc/passwd",
        "https://himaya.invalid/static/../settings.py",
        "file:///etc/passwd",
        "data:text/plain,hello",
        "https://himaya.invalid/static/vendor/fonts/missing.woff",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        static_file(url)


def test_the_pdf_fetcher_serves_our_fonts():
    path = static_file("https://himaya.invalid/static/vendor/fonts/noto-naskh-arabic-arabic-400-normal.woff")

    assert path.read_bytes()[:4] == b"wOFF"
