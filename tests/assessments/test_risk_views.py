"""Danger assessment pages (new, result with history), the case page's section, in French and Arabic, and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from himaya.assessments import toolkits
from himaya.assessments.choices import PlanKind
from himaya.assessments.models import Plan, RiskAssessment
from himaya.assessments.services import risk as services
from himaya.cases.models import Case
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

CODES = [item.code for item in toolkits.current("risk").items]


def answers(yes: int) -> dict[str, str]:
    return {code: "yes" if index < yes else "no" for index, code in enumerate(CODES)}


def form_data(yes: int, **extra: str) -> dict[str, str]:
    return {**{f"q_{code}": value for code, value in answers(yes).items()}, **extra}


@pytest.fixture
def case(staff: dict[str, Any]) -> Case:
    return make_case(staff["caseworker"])


def test_the_new_assessment_page_shows_the_grouped_questions_in_french_and_arabic(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    client = client_for(staff["caseworker"])
    french = client.get(f"/fr/cases/{case.code}/risk/new/")
    assert french.status_code == 200
    page = french.content.decode()
    assert "A-t-elle très peur ?" in page and "Sa situation actuelle" in page
    assert page.count('type="radio"') == 24 * 3
    arabic = client.get(f"/ar/cases/{case.code}/risk/new/").content.decode()
    assert "هل هي خائفة جداً؟" in arabic and 'dir="rtl"' in arabic


def test_posting_the_form_records_the_assessment_and_shows_the_result(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    client = client_for(staff["caseworker"])
    response = client.post(f"/en/cases/{case.code}/risk/new/", form_data(14))
    assessment = RiskAssessment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == f"/en/cases/{case.code}/risk/{assessment.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "14 “yes” answers out of 24" in page
    assert "Safety plan required" in page and "Case conference required" in page
    read = AuditEvent.objects.filter(object_type="assessments.riskassessment", action="read").get()
    assert "judgement_reason" in read.fields and "answers" in read.fields


def test_a_missing_answer_or_a_lowering_without_reason_is_shown_as_an_error_and_nothing_saved(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    client = client_for(staff["caseworker"])
    data = form_data(3)
    del data[f"q_{CODES[0]}"]
    response = client.post(f"/en/cases/{case.code}/risk/new/", data)
    assert response.status_code == 200
    assert "Answer this question: yes, no or not known." in response.content.decode()
    response = client.post(f"/en/cases/{case.code}/risk/new/", form_data(15, level="standard"))
    assert response.status_code == 200
    assert "never lowered silently" in response.content.decode()
    assert not RiskAssessment.objects.exists()
    response = client.post(
        f"/en/cases/{case.code}/risk/new/", form_data(15, level="standard", reason="<b>Il est parti</b>")
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "level lowered" in page and "&lt;b&gt;Il est parti&lt;/b&gt;" in page


def test_the_result_page_compares_with_the_previous_assessment_and_lists_the_history(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    first = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(2))
    second = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(11))
    page = client_for(staff["colleague"]).get(f"/en/cases/{case.code}/risk/{second.pk}/").content.decode()
    assert "Previous answer" in page and page.count("table-warning") == 9
    assert f"/risk/{first.pk}/" in page and f"/risk/{second.pk}/" in page


def test_the_case_page_section_shows_level_score_and_requirements(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    client = client_for(staff["caseworker"])
    empty = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "No danger assessment yet." in empty and f"/cases/{case.code}/risk/new/" in empty
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(16))
    page = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "16 “yes” answers" in page and "Safety plan required" in page
    Plan.objects.create(case=case, kind=PlanKind.SAFETY)
    page = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "Safety plan required" not in page and "Case conference required" in page
    french = client.get(f"/fr/cases/{case.code}/")
    assert french.status_code == 200


def test_other_organisations_and_closed_cases(client_for: Any, staff: dict[str, Any], case: Case) -> None:
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(2))
    outsider = client_for(staff["outsider"])
    assert outsider.get(f"/en/cases/{case.code}/risk/new/").status_code == 404
    assert outsider.get(f"/en/cases/{case.code}/risk/{assessment.pk}/").status_code == 404
    other = make_case(staff["outsider"])
    mine = client_for(staff["caseworker"])
    assert mine.get(f"/en/cases/{other.code}/risk/{assessment.pk}/").status_code == 404  # not that case's
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert mine.get(f"/en/cases/{case.code}/risk/new/").status_code == 403
    assert mine.get(f"/en/cases/{case.code}/risk/{assessment.pk}/").status_code == 200


# API -------------------------------------------------------------------------------------------------------------


def api(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def test_api_records_lists_and_reads_assessments(client_for: Any, staff: dict[str, Any], case: Case) -> None:
    client = api(client_for(staff["caseworker"]))
    url = f"/api/v1/cases/{case.code}/risk-assessments"
    created = post(client, url, {"answers": answers(10), "level": "high", "reason": "Menaces répétées"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["score"], body["computed_level"], body["level"], body["judgement"]) == (
        10,
        "medium",
        "high",
        "raised",
    )
    assert body["requirements"] == ["safety_plan", "case_conference"]
    listed = client.get(url).json()
    assert listed["count"] == 1 and "answers" not in listed["items"][0]
    one = client.get(f"{url}/{body['id']}").json()
    assert one["judgement_reason"] == "Menaces répétées" and one["answers"][CODES[0]] == "yes"


def test_api_refuses_a_silent_lowering_and_bad_answers(
    client_for: Any, staff: dict[str, Any], case: Case
) -> None:
    client = api(client_for(staff["caseworker"]))
    url = f"/api/v1/cases/{case.code}/risk-assessments"
    lowered = post(client, url, {"answers": answers(15), "level": "standard"})
    assert lowered.status_code == 400 and "never lowered silently" in lowered.json()["detail"]
    assert post(client, url, {"answers": {CODES[0]: "maybe"}}).status_code == 422
    assert post(client, url, {"answers": {"nope": "yes"}}).status_code == 400
    assert post(client, url, {"answers": answers(1), "level": "not_assessed"}).status_code == 422
    assert not RiskAssessment.objects.exists()


def test_api_create_is_idempotent_with_a_key(client_for: Any, staff: dict[str, Any], case: Case) -> None:
    client = api(client_for(staff["caseworker"]))
    url = f"/api/v1/cases/{case.code}/risk-assessments"
    first = post(client, url, {"answers": answers(3)}, HTTP_IDEMPOTENCY_KEY="risk-1")
    again = post(client, url, {"answers": answers(3)}, HTTP_IDEMPOTENCY_KEY="risk-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = post(client, url, {"answers": answers(4)}, HTTP_IDEMPOTENCY_KEY="risk-1")
    assert other.status_code == 409
    assert RiskAssessment.objects.count() == 1


def test_api_hides_other_organisations_cases(client_for: Any, staff: dict[str, Any], case: Case) -> None:
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(2))
    client = api(client_for(staff["outsider"]))
    url = f"/api/v1/cases/{case.code}/risk-assessments"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/{assessment.pk}").status_code == 404
    assert post(client, url, {"answers": answers(1)}).status_code == 404
    assert RiskAssessment.objects.count() == 1


def test_api_question_list_in_the_language_asked(client_for: Any, staff: dict[str, Any]) -> None:
    client = client_for(staff["analyst"])
    french = client.get("/api/v1/risk-questions", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["version"] == "2026-1" and french["thresholds"] == {"medium": 10, "high": 14}
    assert len(french["questions"]) == 24 and french["questions"][1]["label"] == "A-t-elle très peur ?"
    arabic = client.get("/api/v1/risk-questions", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert arabic["questions"][1]["label"] == "هل هي خائفة جداً؟"
    assert client.get("/api/v1/risk-questions?version=../x").status_code == 404
    assert client.get("/api/v1/risk-questions?version=2026-1").json()["version"] == "2026-1"
    assert Client().get("/api/v1/risk-questions").status_code == 401
