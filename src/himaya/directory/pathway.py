"""Referral pathway sheets: the verified services of a province (optionally one need), printed and handed out.

The sheet is meant to leave the building: everything on it is what the PUBLIC audience may see
(``himaya.directory.visibility``); a confidential location shows only its front-door contact. Which services
count in a province follows the gap analysis's rule (``himaya.directory.gaps``), so the sheet and the matrix
agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from himaya.core import audit
from himaya.core.models import AuditAction, Province
from himaya.directory import gaps
from himaya.directory.data.taxonomy import FAMILIES, LANGUAGES
from himaya.directory.hotlines import HOTLINES, Hotline
from himaya.directory.models import (
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    Weekday,
)
from himaya.directory.visibility import Audience, location_view, service_field, visible_phones

AUDIENCE = Audience.PUBLIC  # the sheet is printed and handed out


@dataclass
class SheetLocation:
    view: dict[str, Any]
    phones: list[Phone]


@dataclass
class SheetService:
    name: str
    organisation: str
    description: str
    needs: list[str]
    hours: list[tuple[str, str]]
    languages: list[str]
    phones: list[Phone]
    locations: list[SheetLocation]
    email: str
    url: str
    application_process: str
    alert: str


@dataclass
class SheetSection:
    code: str
    label: str
    services: list[SheetService] = field(default_factory=list)


@dataclass
class PathwaySheet:
    province: Province
    need: TaxonomyTerm | None
    language: str
    day: date
    sections: list[SheetSection]
    service_count: int = 0
    hotlines: tuple[Hotline, ...] = HOTLINES

    @property
    def dated(self) -> str:
        return date_format(self.day, "j F Y")


def need_terms() -> list[TaxonomyTerm]:
    return list(
        TaxonomyTerm.objects.filter(taxonomy__code=gaps.NEEDS_TAXONOMY_CODE).order_by("position", "code")
    )


def _language_label(code: str) -> str:
    labels = LANGUAGES.get(code)
    if not labels:
        return code
    return {"ar": labels[1], "en": labels[2]}.get((get_language() or "fr")[:2], labels[0])


def _time(value: Any) -> str:
    return f"{value:%H:%M}"


def format_hours(schedules: list[Schedule]) -> list[tuple[str, str]]:
    """One line per weekday with its periods ("08:30–12:30, 14:00–18:00"; a whole day: "24 h")."""
    by_day: dict[int, list[Schedule]] = defaultdict(list)
    for schedule in schedules:
        by_day[schedule.weekday_index].append(schedule)
    lines = []
    for index, code in enumerate(Weekday.values):
        periods = sorted(by_day.get(index, []), key=lambda s: s.opens_at)
        if not periods:
            continue
        texts = []
        for period in periods:
            if period.minutes == 24 * 60:
                texts.append(_("24 h"))
            else:
                texts.append(f"{_time(period.opens_at)}–{_time(period.closes_at)}")
        lines.append((str(Weekday(code).label), ", ".join(dict.fromkeys(texts))))
    return lines


def _shown_links(service: Service, province: Province) -> list[ServiceAtLocation]:
    """The service's locations in the province and its virtual ones; all of them when none is in it."""
    links = list(service.service_at_locations.all())
    here = [
        link
        for link in links
        if link.location.location_type == Location.Kind.VIRTUAL
        or province.pk
        in {link.location.province_id, link.location.city.province_id if link.location.city else None}
    ]
    return here or links


def _sheet_service(service: Service, province: Province, needs_codes: set[str]) -> SheetService:
    links = _shown_links(service, province)
    schedules = [*service.schedules.all(), *(s for link in links for s in link.schedules.all())]
    today = timezone.localdate()
    current = [
        s
        for s in schedules
        if (s.valid_from is None or s.valid_from <= today) and (s.valid_to is None or s.valid_to >= today)
    ]
    return SheetService(
        name=service.label,
        organisation=service.organisation.display_name,
        description=service_field(service, "description", AUDIENCE) and service.description_label,
        needs=[term.label for term in service.terms.all() if term.code in needs_codes],
        hours=format_hours(current),
        languages=[_language_label(language.code) for language in service.languages.all()],
        phones=visible_phones(service.phones.all(), AUDIENCE),
        locations=[
            SheetLocation(
                view=location_view(link.location, AUDIENCE),
                phones=visible_phones([*link.location.phones.all(), *link.phones.all()], AUDIENCE),
            )
            for link in links
        ],
        email=service_field(service, "email", AUDIENCE),
        url=service_field(service, "url", AUDIENCE),
        application_process=service_field(service, "application_process", AUDIENCE),
        alert=service.current_alert(today),
    )


def build_sheet(*, province: Province, need: TaxonomyTerm | None, language: str) -> PathwaySheet:
    """The sheet's content for ``province`` (and ``need``), labels in the active language."""
    facts = gaps.load_facts()
    ids = [
        fact.id for fact in gaps.covering_services(province, facts) if need is None or need.code in fact.needs
    ]
    terms = TaxonomyTerm.objects.filter(taxonomy__code=gaps.NEEDS_TAXONOMY_CODE)
    queryset = (
        Service.objects.filter(pk__in=ids)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("terms", queryset=terms),
            "languages",
            "phones",
            "schedules",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__city", "location__province"),
            ),
            "service_at_locations__phones",
            "service_at_locations__schedules",
            "service_at_locations__location__phones",
        )
    )
    needs_codes = {term.code for term in terms}
    sections: list[SheetSection] = []
    if need is not None:
        sections.append(SheetSection(need.code, need.label))
    else:
        sections = [SheetSection(code, gaps.family_label(code)) for code in FAMILIES]
    by_code = {section.code: section for section in sections}
    services = list(queryset)
    for service in services:
        entry = _sheet_service(service, province, needs_codes)
        families = {term.family for term in service.terms.all()}
        for code in [need.code] if need is not None else FAMILIES:
            if need is not None or code in families:
                by_code[code].services.append(entry)
    for section in sections:
        section.services.sort(key=lambda s: (s.name.casefold(), s.organisation.casefold()))
    return PathwaySheet(
        province=province,
        need=need,
        language=language,
        day=timezone.localdate(),
        sections=[section for section in sections if section.services],
        service_count=len(services),
    )


def render_sheet(sheet: PathwaySheet) -> bytes:
    from himaya.directory.pdf import render_pdf

    html = render_to_string("directory/reports/pathway_pdf.html", {"sheet": sheet})
    return render_pdf(html)


def sheet_filename(sheet: PathwaySheet) -> str:
    need = sheet.need.code if sheet.need else "all"
    return f"himaya-pathway-{sheet.province.code}-{need}-{sheet.day.isoformat()}-{sheet.language}.pdf"


def pathway_sheet_export(
    *, actor: Any, province: Province, need: TaxonomyTerm | None, language: str
) -> tuple[bytes, str]:
    """The PDF and its file name, rendered in ``language``. Audited as an export."""
    with translation.override(language):
        sheet = build_sheet(province=province, need=need, language=language)
        content = render_sheet(sheet)
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="directory.pathway_sheet",
        object_id=province.code,
        detail={
            "province": province.code,
            "need": need.code if need else "",
            "language": language,
            "services": sheet.service_count,
        },
    )
    return content, sheet_filename(sheet)
