"""Referral pathway sheets (PDF) and the gap analysis (page, map, CSV / XLSX / PDF exports). Thin views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from himaya.core.models import Province
from himaya.directory import gaps, pathway


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class PathwayForm(forms.Form):
    province = ProvinceChoiceField(
        label=_("Province or prefecture"),
        queryset=Province.objects.order_by("code"),
        to_field_name="code",
        error_messages={
            "required": _("Choose a province or prefecture."),
            "invalid_choice": _("This province or prefecture does not exist."),
        },
    )
    need = forms.ChoiceField(
        label=_("Need"),
        required=False,
        error_messages={"invalid_choice": _("This need is not in the directory's list of needs.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the sheet"),
        choices=settings.LANGUAGES,
        required=False,
        error_messages={"invalid_choice": _("This language is not available.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = {term.code: term for term in pathway.need_terms()}
        need_field = self.fields["need"]
        assert isinstance(need_field, forms.ChoiceField)
        need_field.choices = [("", _("All needs")), *((code, t.label) for code, t in self.terms.items())]
        self.fields["language"].initial = _language()


@require_GET
@login_required
def pathway_form(request: HttpRequest) -> HttpResponse:
    _require(request, "directory.view_directory")
    return render(
        request,
        "directory/reports/pathway_form.html",
        {"form": PathwayForm(initial={"language": _language()})},
    )


@require_GET
@login_required
def pathway_pdf(request: HttpRequest) -> HttpResponse:
    _require(request, "directory.view_directory")
    form = PathwayForm(request.GET)
    if not form.is_valid():
        return render(request, "directory/reports/pathway_form.html", {"form": form}, status=400)
    need_code = form.cleaned_data["need"]
    content, filename = pathway.pathway_sheet_export(
        actor=request.user,
        province=form.cleaned_data["province"],
        need=form.terms[need_code] if need_code else None,
        language=form.cleaned_data["language"] or _language(),
    )
    return _attachment(content, "application/pdf", filename)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def gap_analysis(request: HttpRequest) -> HttpResponse:
    _require(request, "directory.view_gaps")
    matrix = gaps.matrix_for(request.user)
    return render(
        request,
        "directory/reports/gaps.html",
        {
            "matrix": matrix,
            "family_labels": matrix.family_labels(),
            "map_points": gaps.map_points(matrix),
            "map_families": [{"code": code, "label": label} for code, label in matrix.family_labels()],
            "tile_url": settings.HIMAYA_MAP_TILE_URL,
            "class_labels": gaps.CLASS_LABELS,
            "desert_km": int(gaps.DESERT_DISTANCE_KM),
            "low_hours": int(gaps.LOW_HOURS_PER_WEEK),
        },
    )


@require_GET
@login_required
def gap_export(request: HttpRequest, export_format: str) -> HttpResponse:
    _require(request, "directory.view_gaps")
    if export_format not in gaps.EXPORT_FORMATS:
        raise Http404
    content, content_type, filename = gaps.gaps_export(
        actor=request.user, export_format=export_format, language=_language()
    )
    return _attachment(content, content_type, filename)
