"""PlainSelect renders exactly what Django's Select renders through its templates."""

from __future__ import annotations

import pytest
from django import forms

from himaya.core.forms import PlainSelect, StyledFormMixin

CHOICES = [
    ("", "— any —"),
    ("a", "Alpha & <b>bold</b>"),
    ("Fès", [("fes-1", 'Fès "médina"'), ("fes-2", "فاس الجديد")]),
    (3, "three"),
    ("it's", "quote ' and \u202e override"),
]


@pytest.mark.parametrize("value", [None, "", "a", "fes-2", 3, "3", "it's", "absent"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_x", "class": "form-select is-invalid", "aria-invalid": "true"},
        {"id": "id_x", "required": True, "disabled": False, "data-note": 'say "hi" <now>', "data-none": None},
    ],
)
def test_it_renders_the_html_django_renders(value, attrs):
    django_select = forms.Select(choices=CHOICES)
    plain = PlainSelect(choices=CHOICES)
    expected = django_select.render("field", value, attrs=dict(attrs) if attrs else None)
    assert plain.render("field", value, attrs=dict(attrs) if attrs else None) == expected


class _Form(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
    radio = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect)


def test_styled_forms_use_it_for_plain_selects_only_and_keep_their_errors():
    form = _Form({"kind": "z"})
    assert not form.is_valid()
    assert type(form.fields["kind"].widget) is PlainSelect
    assert type(form.fields["several"].widget) is forms.SelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect
    html = str(form["kind"])
    assert 'class="form-select is-invalid"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_kind-error"' in html
    assert type(_Form.base_fields["kind"].widget) is forms.Select  # the class's own field is untouched
