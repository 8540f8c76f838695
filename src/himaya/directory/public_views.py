"""Public "find help" pages: search, service detail, hotlines. No login, no cookie, no third-party request.

Thin views: the reading is in ``himaya.directory.search`` and what may be shown is decided by
``himaya.directory.visibility`` at the public level, even for a signed-in professional.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from himaya.directory import hours, search
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.hotlines import HOTLINES
from himaya.directory.models import (
    MigrationStatus,
    ServiceStatus,
    Sex,
    ViolenceForm,
    Weekday,
)
from himaya.directory.visibility import Audience, field_visible, service_field

AUDIENCE = Audience.PUBLIC
PER_PAGE = 20
# Where the quick exit goes (location.replace, on click or Esc only). A neutral, very common page.
DETAIL_FIELDS = (
    ("application_process", _("How to access")),
    ("eligibility_description", _("Who can come")),
    ("fees_description", _("Fees")),
    ("wait_time", _("Waiting time")),
    ("interpretation_services", _("Interpretation")),
)


def language_label(code: str) -> str:
    names = LANGUAGES.get(code)
    if not names:
        return code
    index = {"fr": 0, "ar": 1, "en": 2}.get((get_language() or "fr")[:2], 0)
    return names[index]


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only; nothing cached by the browser (no trail on a shared device); no referrer sent anywhere."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


class SearchText(forms.CharField):
    """Free text kept as typed: the search module cleans it (control characters, length) instead of refusing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = []


class SearchForm(forms.Form):
    q = SearchText(label=_("Name of the service or organisation"), required=False)
    need = forms.ChoiceField(label=_("What do you need?"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    province = forms.ChoiceField(label=_("Province or prefecture"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    population = forms.ChoiceField(label=_("For whom"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything: list[tuple[str, str]] = [("", str(_("Any")))]
        reference = search.reference()  # territories and terms: read once per process
        terms = sorted(reference.terms.values(), key=lambda term: (term.position, term.code))
        need_field = self.fields["need"]
        population_field = self.fields["population"]
        city_field = self.fields["city"]
        province_field = self.fields["province"]
        language_field = self.fields["language"]
        assert isinstance(need_field, forms.ChoiceField)
        assert isinstance(population_field, forms.ChoiceField)
        assert isinstance(city_field, forms.ChoiceField)
        assert isinstance(province_field, forms.ChoiceField)
        assert isinstance(language_field, forms.ChoiceField)
        need_field.choices = anything + [
            (term.code, term.label) for term in terms if term.taxonomy.code == search.NEEDS
        ]
        population_field.choices = anything + [
            (term.code, term.label) for term in terms if term.taxonomy.code == search.POPULATIONS
        ]
        cities = sorted(reference.cities.values(), key=lambda city: city.name)
        city_field.choices = anything + [(city.slug, city.name) for city in cities]
        provinces = sorted(reference.provinces.values(), key=lambda province: province.name)
        province_field.choices = anything + [(province.code, province.name) for province in provinces]
        language_field.choices = anything + [(code, language_label(code)) for code in LANGUAGES]
        for name in ("need", "city", "province", "language", "population"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "maxlength": str(search.MAX_QUERY_LENGTH)}
        )
        self.fields["open_now"].widget.attrs["class"] = "form-check-input"


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def _common(request: HttpRequest) -> dict[str, Any]:
    return {
        "hotlines": HOTLINES,
        "quick_exit_url": settings.HIMAYA_QUICK_EXIT_URL,
        "map_tile_url": settings.HIMAYA_MAP_TILE_URL,
        "map_tile_attribution": settings.HIMAYA_MAP_TILE_ATTRIBUTION,
    }


@public_page
def search_page(request: HttpRequest) -> HttpResponse:
    searched = any(request.GET.get(key) for key in SearchForm.base_fields)
    form = SearchForm(request.GET if searched else None)
    result = None
    invalid = False
    if searched:
        if form.is_valid():
            data = form.cleaned_data
            result = search.public_search(
                need=data["need"] or None,
                province=data["province"] or None,
                city=data["city"] or None,
                language=data["language"] or None,
                population=data["population"] or None,
                open_now=bool(data["open_now"]),
                q=data["q"] or None,
                page=_page_number(request.GET.get("page")),
                per_page=PER_PAGE,
            )
        else:
            invalid = True
    else:
        result = search.public_search(page=_page_number(request.GET.get("page")), per_page=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_common(request),
        "form": form,
        "result": result,
        "invalid": invalid,
        "searched": searched,
        "items": [_decorate(item) for item in (result.items if result else [])],
        "querystring": urlencode([(key, one) for key, values in query.lists() for one in values]),
    }
    return render(request, "directory/public/search.html", context)


def _decorate(item: search.SearchItem[Any]) -> dict[str, Any]:
    """What the templates show of one search item (public level only)."""
    return {
        "item": item,
        "service": item.service,
        "alert": item.alert,
        "needs": item.needs,
        "populations": item.populations,
        "temporarily_closed": item.service.status == ServiceStatus.TEMPORARILY_CLOSED,
        "map_points": [location for location in item.locations if location["map_point"]],
    }


@public_page
def service_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    item = search.public_service(pk)
    if item is None:  # unknown, inactive or defunct: a public page still (quick exit, hotlines)
        return render(request, "directory/public/not_found.html", _common(request), status=404)
    service = item.service
    description = service.description_label if field_visible(service, "description", AUDIENCE) else ""
    rows = hours.effective_schedules(service)
    weekday_labels = dict(Weekday.choices)
    schedule = [
        {
            "day": weekday_labels.get(row.weekday, row.weekday),
            "whole_day": row.opens_at == row.closes_at,
            "opens_at": row.opens_at,
            "closes_at": row.closes_at,
            "past_midnight": row.closes_at < row.opens_at,
            "note": row.description or row.notes,
        }
        for row in rows
    ]
    accessibility = {
        link.location_id: list(link.location.accessibility.all())
        for link in service.service_at_locations.all()
        if not link.location.is_confidential
    }
    locations = [{**view, "accessibility": accessibility.get(view["id"], [])} for view in item.locations]
    context = {
        **_common(request),
        **_decorate(item),
        "languages": [language_label(language.code) for language in service.languages.all()],
        "description": description,
        "email": service_field(service, "email", AUDIENCE),
        "website": service_field(service, "url", AUDIENCE),
        "details": [
            (label, value)
            for name, label in DETAIL_FIELDS
            if (value := service_field(service, name, AUDIENCE))
        ],
        "locations": locations,
        "schedule": schedule,
        "hours_per_week": hours.hours_per_week(rows) if rows else None,
        "cost_options": list(service.cost_options.all()),
        "documents": list(service.required_documents.all()),
        "eligibility": _eligibility(service),
    }
    return render(request, "directory/public/detail.html", context)


def _eligibility(service: Any) -> list[str]:
    lines: list[str] = []
    if service.minimum_age is not None and service.maximum_age is not None:
        lines.append(
            str(_("Age: %(low)s to %(high)s")) % {"low": service.minimum_age, "high": service.maximum_age}
        )
    elif service.minimum_age is not None:
        lines.append(str(_("Age: %(low)s and over")) % {"low": service.minimum_age})
    elif service.maximum_age is not None:
        lines.append(str(_("Age: up to %(high)s")) % {"high": service.maximum_age})
    for values, choices in (
        (service.eligible_sexes, Sex),
        (service.eligible_migration_statuses, MigrationStatus),
        (service.eligible_violence_forms, ViolenceForm),
    ):
        labels = dict(choices.choices)
        names = [str(labels[value]) for value in values or [] if value in labels]
        if names:
            lines.append(", ".join(names))
    return lines


@public_page
def hotlines_page(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/public/hotlines.html", _common(request))
