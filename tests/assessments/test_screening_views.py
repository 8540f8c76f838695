"""The screening pages: the form (indicators grouped by element, the age question only without a birth year),
the result (outcome, reasons, what is missing, rights of a presumed victim), the formal identification, the
case page's section; French and Arabic (right to left)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from himaya.assessments import toolkits
from himaya.assessments.forms.screening import slug
from himaya.assessments.models import FormalIdentification, Screening
from himaya.assessments.services import screening as services
from himaya.core.models import AuditAction, AuditEvent
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

TOOLKIT = toolkits.current("screening")


def _post(answers: dict[str, str], **extra: str) -> dict[str, str]:
    data = {f"answer_{slug(code)}": value for code, value in answers.items()}
    data.update(extra)
    return data


def test_the_form_lists_every_indicator_by_element(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/screening/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for group in TOOLKIT.groups:
        assert f'id="element-{group.code}"' in html
    for item in TOOLKIT.items:
        assert f'name="answer_{slug(item.code)}"' in html
    assert 'name="age_basis"' not in html  # her birth year is known
    assert html.count('value="unknown" id=') == len(TOOLKIT.items)


def test_the_age_question_appears_without_a_birth_year_and_is_required(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"], birth_year=None)
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/screening/new/"
    assert 'name="age_basis"' in client.get(url).content.decode()
    response = client.post(url, _post({"act.child_entrusted": "yes"}))
    assert response.status_code == 200
    assert "Say whether she is presumed a minor or an adult." in response.content.decode()
    assert not Screening.objects.exists()
    response = client.post(
        url,
        _post({"act.child_entrusted": "yes", "purpose.forced_begging": "yes"}, age_basis="presumed_minor"),
    )
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/cases/{case.code}/screening/{screening.pk}/"
    assert (screening.child, screening.outcome) == (True, "presumed")


def test_recording_a_presumed_victim_shows_the_result_and_her_rights(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    data = _post(
        {
            "act.deceptive_recruitment": "yes",
            "means.confiscated_documents": "yes",
            "purpose.domestic_servitude": "yes",
        },
        **{"note_act-deceptive_recruitment": "<script>alert(1)</script>"},
    )
    response = client.post(f"/en/cases/{case.code}/screening/new/", data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "presumed victim of trafficking" in html
    assert "The case moved to the stage" in html
    assert "Identity or travel documents confiscated or withheld" in html  # a reason
    assert "reflection and recovery" in html
    assert "International Organization for Migration" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    case.refresh_from_db()
    assert case.stage == "identification"


def test_a_possible_outcome_lists_what_is_missing(staff: dict[str, Any], client_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    screening = services.screening_record(
        actor=worker, case=case, answers={"act.harbouring": "yes", "purpose.forced_labour": "yes"}
    )
    response = client_for(worker).get(f"/en/cases/{case.code}/screening/{screening.pk}/")
    html = response.content.decode()
    assert "possible victim: follow-up needed" in html
    assert "What is missing for the rule to be met" in html
    assert "means: not known" in html
    assert "reflection and recovery" not in html  # rights only for a presumed victim
    assert AuditEvent.objects.filter(action=AuditAction.READ, object_type="assessments.screening").exists()


def test_a_stage_that_cannot_move_is_said(staff: dict[str, Any], client_for: Any) -> None:
    from himaya.cases.services import cases as case_services

    worker = staff["caseworker"]
    case = make_case(worker)
    case_services.case_update(actor=worker, case=case, values={"stage": "assessment"}, expected_version=None)
    case_services.case_update(actor=worker, case=case, values={"stage": "plan"}, expected_version=None)
    data = _post({"act.harbouring": "yes", "means.threats": "yes", "purpose.forced_labour": "yes"})
    response = client_for(worker).post(f"/en/cases/{case.code}/screening/new/", data, follow=True)
    assert "The case stays at the stage" in response.content.decode()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_pages_render_in_french_and_arabic(staff: dict[str, Any], client_for: Any, language: str) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    screening = services.screening_record(
        actor=worker,
        case=case,
        answers={
            "act.deceptive_recruitment": "yes",
            "means.debt_bondage": "yes",
            "purpose.forced_begging": "yes",
        },
    )
    client = client_for(worker)
    direction = 'dir="rtl"' if language == "ar" else 'dir="ltr"'
    item = TOOLKIT.item("means.debt_bondage")
    assert item is not None
    for url in (
        f"/{language}/cases/{case.code}/screening/new/",
        f"/{language}/cases/{case.code}/screening/{screening.pk}/",
        f"/{language}/cases/{case.code}/identification/new/",
        f"/{language}/cases/{case.code}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'lang="{language}" {direction}' in html, url
    form = client.get(f"/{language}/cases/{case.code}/screening/new/").content.decode()
    assert item.labels[language] in form
    detail = client.get(f"/{language}/cases/{case.code}/screening/{screening.pk}/").content.decode()
    assert item.labels[language] in detail


def test_the_case_page_section(staff: dict[str, Any], client_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    client = client_for(worker)
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert 'id="screening"' in html
    assert "No screening recorded yet." in html
    assert f"/en/cases/{case.code}/screening/new/" in html
    screening = services.screening_record(actor=worker, case=case, answers={})
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert f"/en/cases/{case.code}/screening/{screening.pk}/" in html
    assert "Latest outcome" in html
    # Another organisation's caseworker never sees it.
    assert (
        client_for(staff["outsider"]).get(f"/en/cases/{case.code}/screening/{screening.pk}/").status_code
        == 404
    )


def test_recording_a_formal_identification(staff: dict[str, Any], client_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    client = client_for(worker)
    url = f"/en/cases/{case.code}/identification/new/"
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client.post(url, {"authority": "prosecutor", "decided_on": tomorrow, "decision": "identified"})
    assert response.status_code == 200
    assert "The date of the decision cannot be in the future." in response.content.decode()
    response = client.post(
        url,
        {
            "authority": "prosecutor",
            "authority_name": "Parquet de Tanger",
            "decided_on": timezone.localdate().isoformat(),
            "decision": "identified",
            "reference": "PR-1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/cases/{case.code}/#screening"
    found = FormalIdentification.objects.get()
    assert (found.decision, found.reference) == ("identified", "PR-1")
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "identified as a victim of trafficking" in html
