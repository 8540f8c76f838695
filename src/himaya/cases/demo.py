"""Loading the fictional demo cases (idempotent, deterministic): ``himaya demo load`` calls ``load``.

About 300 cases spread over the demo organisations whose demo accounts work on cases (the care cells of the
Rabat and Tanger courts, the Meknès shelter, the national hotline, the Casablanca prosecutor's office), each
assigned to those accounts; the caseworker of the Rabat court (``caseworker@…``) holds only a handful, so that
"My cases" reads like a real desk. Every status and every stage is present, incidents of every family (Law 103-13
forms, digital violence, trafficking, forced marriage), consents (some expiring soon, some expired, some
withdrawn, some to share with another organisation), notes, contacts and a few small text documents (stored
encrypted, through the document service), over the last 18 months.

Everything is created through the services (permissions, blind indexes, timeline, audit trail), as the case's
own caseworker. What a service cannot do is then set directly, in the same transaction, on the rows the
services wrote: the past dates of every record and timeline line, the risk level (assessments come later), an
expired consent, and the final closure (its procedure comes with the case lifecycle), which gets its own
timeline line. The audit trail keeps the real time of loading.

Names come from ``data/fictional_names.py``; a survivor is never given the name of a demo account. A second
load finds the demo organisations already holding cases and creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from himaya.accounts.demo.data import DEMO_DOMAIN, ORGANISATIONS, USERS
from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import works_on_cases
from himaya.accounts.roles import Role
from himaya.cases import choices
from himaya.cases.data import fictional_names
from himaya.cases.models import Case, CaseEvent, Consent, ContactLog, EventKind, Note, Survivor
from himaya.cases.services import cases as case_services
from himaya.cases.services import consents as consent_services
from himaya.cases.services import documents as document_services
from himaya.cases.services import incidents as incident_services
from himaya.cases.services.cases import need_codes
from himaya.directory.data.taxonomy import LANGUAGES

SEED = 1303  # Law 103-13
TARGET_CASES = 300
HISTORY_DAYS = 548  # 18 months
# The account that should see only a handful of cases in "My cases" (the one the README suggests).
HANDFUL_ACCOUNT = "caseworker"

# Cases per organisation kind (relative weights) and the entry points each kind usually meets.
KIND_WEIGHT = {"court_cell": 70, "hotline": 70, "shelter": 50, "reception_centre": 50, "prosecutor": 40}
E = choices.EntryPoint
KIND_ENTRY_POINTS: dict[str, list[str]] = {
    "court_cell": [E.COURT_CELL, E.POLICE_CELL, E.COURT_CELL, E.HOSPITAL_CELL, E.GENDARMERIE_CELL, E.NGO,
                   E.SELF_REFERRAL, E.COURT_CELL],
    "hotline": [E.HOTLINE, E.HOTLINE, E.SELF_REFERRAL, E.OUTREACH, E.HOTLINE, E.NGO],
    "shelter": [E.NGO, E.COURT_CELL, E.HOTLINE, E.RECEPTION_CENTRE, E.SELF_REFERRAL, E.POLICE_CELL,
                E.INTERNATIONAL_ORGANISATION],
    "reception_centre": [E.RECEPTION_CENTRE, E.LABOUR_INSPECTION, E.CONSULATE, E.INTERNATIONAL_ORGANISATION,
                         E.OUTREACH],
    "prosecutor": [E.COURT_CELL, E.POLICE_CELL, E.GENDARMERIE_CELL, E.LABOUR_INSPECTION, E.CONSULATE],
}  # fmt: skip
ALL_ENTRY_POINTS = list(E.values)
OPEN_STAGES = [s for s in choices.Stage.values if s != choices.Stage.CLOSURE]
OPTIONAL_STAGES = {choices.Stage.JUDICIAL, choices.Stage.RETURN}

NOTES = [
    "Entretien d'accueil mené dans un bureau fermé ; elle souhaite être recontactée par l'assistante sociale.",
    "Orientée vers l'unité hospitalière pour le certificat médical ; accompagnement prévu.",
    "Point sur le plan d'accompagnement : hébergement temporaire trouvé, suivi psychologique à organiser.",
    "Elle ne souhaite pas porter plainte pour le moment ; informée de ses droits et des délais.",
    "Audience reportée ; la prochaine date lui a été communiquée par téléphone au moment convenu.",
    "Besoin d'une interprète en anglais pour le prochain entretien.",
    "Les enfants sont scolarisés ; l'école a été informée sans détail sur la situation.",
    "Demande d'aide juridique transmise à l'avocate de permanence de l'association.",
    "تم الاستماع إليها في ظروف تحترم السرية، وعبرت عن رغبتها في متابعة الإجراءات.",
    "تم توجيهها إلى مركز الإيواء مع موافقتها، وسيتم تتبع وضعيتها أسبوعيا.",
]
CONTACT_SUMMARIES = [
    "Appel de suivi : situation stable, rendez-vous confirmé.",
    "Visite au bureau pour déposer les documents demandés.",
    "Accompagnement au tribunal pour l'audition.",
    "Message envoyé par l'application convenue, réponse reçue.",
    "Visite à domicile avec l'assistante sociale, en l'absence de l'auteur.",
    "مكالمة للتتبع: الوضع مستقر وتم تأكيد الموعد القادم.",
    "",
]
DESCRIPTIONS = {
    "domestic": "Violences répétées au domicile conjugal depuis plusieurs mois ; menaces et privation d'argent.",
    "sexual": "Agression sexuelle dans l'espace public, le soir, sur le chemin du travail.",
    "digital": "Diffusion de photos intimes et messages menaçants envoyés depuis de faux comptes.",
    "trafficking": "Recrutée pour un emploi à l'étranger ; documents confisqués, travail sans salaire.",
    "forced_marriage": "Mariage imposé par la famille avant ses 18 ans, sans acte de mariage.",
    "economic": "Privée de ressources et empêchée de travailler par son mari ; salaire confisqué.",
    "domestic_work": "Employée de maison sans repos ni salaire, sortie interdite par l'employeuse.",
}
DOCUMENTS = [
    ("medical_certificate", "Certificat médical (copie dactylographiée)", "certificat-medical.txt"),
    ("complaint", "Récépissé de plainte", "recepisse-plainte.txt"),
    ("court_document", "Convocation à l'audience", "convocation-audience.txt"),
    ("consent_form", "Formulaire de consentement signé (transcription)", "consentement.txt"),
    ("evidence", "Transcription des messages reçus", "messages.txt"),
    ("other", "Compte rendu d'entretien", "compte-rendu.txt"),
]
GUARDIANS = ["Mère", "Père", "Tante maternelle", "Tuteur désigné par le juge"]


def _refuse_in_production() -> None:
    if settings.PRODUCTION or not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo data exists only outside production.")


@dataclass
class _Plan:
    """What one demo case becomes."""

    organisation_key: str
    actor: User
    age_days: int
    status: str = choices.CaseStatus.OPEN
    stage: str = choices.Stage.RECEPTION
    intake_step: str = choices.IntakeStep.DONE
    follow_up: str = ""  # "overdue", "today", "week", "later" or ""
    consent_expiring: bool = False
    co_workers: list[User] = field(default_factory=list)


class _Loader:
    def __init__(self) -> None:
        self.random = random.Random(SEED)  # noqa: S311  (deterministic demo data, not a secret)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.needs = need_codes()
        self.languages = list(LANGUAGES)
        self.organisations = {
            key: Organisation.objects.filter(name=name).select_related("province").first()
            for key, name, *_rest in ORGANISATIONS
        }
        self.staff_names = {full_name.casefold() for _local, full_name, *_rest in USERS}
        # Timeline lines and records whose dates are set once the services have written them.
        self.event_moments: dict[int, list[datetime]] = {}
        self.events_seen: dict[int, int] = {}
        self.created_at: dict[type[models.Model], list[tuple[int, datetime]]] = {}
        self.used_names: set[str] = set()
        self.per_organisation: dict[str, int] = {}
        self.supervisors: dict[int, User] = {}
        # Written directly at the end: (case, kind, actor, moment, record, detail) and each case's fields.
        self.direct: list[tuple[Case, str, User, datetime, models.Model | None, dict[str, Any]]] = []
        self.last_moment: dict[int, datetime] = {}
        self.case_state: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------------------------------------- the plan

    def workers(self) -> dict[str, list[User]]:
        """Demo accounts that work on cases, by organisation key (supervisors last)."""
        by_org: dict[str, list[User]] = {}
        for local, _name, organisation_key, _roles, _region in USERS:
            user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}", is_active=True).first()
            if user is not None and works_on_cases(user):
                by_org.setdefault(organisation_key, []).append(user)
        for users in by_org.values():
            users.sort(key=lambda user: user.has_role(Role.SUPERVISOR))
        return by_org

    def plans(self, workers: dict[str, list[User]]) -> list[_Plan]:
        weights = {
            key: KIND_WEIGHT.get(self.organisations[key].kind, 40)  # type: ignore[union-attr]
            for key in workers
            if self.organisations.get(key) is not None
        }
        total = sum(weights.values())
        plans: list[_Plan] = []
        for key, weight in weights.items():
            users = workers[key]
            count = round(TARGET_CASES * weight / total)
            handful = [u for u in users if u.email == f"{HANDFUL_ACCOUNT}@{DEMO_DOMAIN}"]
            others = [u for u in users if u not in handful] or users
            if handful:
                mine = self.handful_plans(key, handful[0], [u for u in others if u != handful[0]])
                plans += mine
                count -= len(mine)
            plans += [self.random_plan(key, others[i % len(others)]) for i in range(count)]
        self.cover_every_value(plans)
        return plans

    # The handful of cases of the README's caseworker: one reminder of each kind, and each status.
    HANDFUL = [
        dict(age_days=3, stage="reception", intake_step="incident"),
        dict(age_days=9, stage="assessment", follow_up="overdue"),
        dict(age_days=25, stage="plan", follow_up="today", consent_expiring=True),
        dict(age_days=60, stage="protection", follow_up="week"),
        dict(age_days=140, stage="judicial", follow_up="later", co_worker=True),
        dict(age_days=200, stage="follow_up", follow_up="later"),
        dict(age_days=240, stage="closure", status="closure_requested"),
        dict(age_days=400, stage="closure", status="closed"),
    ]

    def handful_plans(self, key: str, user: User, colleagues: list[User]) -> list[_Plan]:
        plans = []
        for spec in self.HANDFUL:
            values = {name: value for name, value in spec.items() if name != "co_worker"}
            plan = _Plan(organisation_key=key, actor=user, **values)  # type: ignore[arg-type]
            if spec.get("co_worker") and colleagues:
                plan.co_workers = colleagues[:1]
            plans.append(plan)
        return plans

    def random_plan(self, key: str, actor: User) -> _Plan:
        rng = self.random
        age = int(HISTORY_DAYS * rng.random() ** 1.3)  # more recent cases than old ones
        plan = _Plan(organisation_key=key, actor=actor, age_days=age)
        roll = rng.random()
        if age > 60 and roll < 0.3:
            plan.status, plan.stage = choices.CaseStatus.CLOSED, choices.Stage.CLOSURE
            return plan
        if age > 30 and roll < 0.35:
            plan.status, plan.stage = choices.CaseStatus.CLOSURE_REQUESTED, choices.Stage.CLOSURE
            return plan
        if age < 12 and rng.random() < 0.35:
            plan.intake_step = rng.choice(
                [choices.IntakeStep.CONSENT, choices.IntakeStep.INCIDENT, choices.IntakeStep.NEEDS]
            )
            return plan
        reachable = min(len(OPEN_STAGES) - 1, age // 20)
        plan.stage = OPEN_STAGES[rng.randint(0, reachable)]
        plan.follow_up = rng.choices(["overdue", "today", "week", "later", ""], [10, 4, 15, 41, 30])[0]
        plan.consent_expiring = rng.random() < 0.08
        return plan

    def cover_every_value(self, plans: list[_Plan]) -> None:
        """Make sure every stage, status and unfinished intake step occurs (the filters all show something)."""
        targets: list[dict[str, Any]] = [
            {"stage": stage, "age_days": 30 + 25 * index} for index, stage in enumerate(OPEN_STAGES)
        ]
        targets += [
            {"status": choices.CaseStatus.CLOSURE_REQUESTED, "stage": choices.Stage.CLOSURE, "age_days": 90},
            {"status": choices.CaseStatus.CLOSED, "stage": choices.Stage.CLOSURE, "age_days": 300},
        ]
        targets += [
            {"intake_step": step, "age_days": 1 + index, "stage": choices.Stage.RECEPTION}
            for index, step in enumerate(
                [choices.IntakeStep.CONSENT, choices.IntakeStep.INCIDENT, choices.IntakeStep.NEEDS]
            )
        ]
        present = {(p.status, p.stage, p.intake_step) for p in plans}
        others = [p for p in plans if p.actor.email != f"{HANDFUL_ACCOUNT}@{DEMO_DOMAIN}"]
        for index, target in enumerate(targets):
            wanted = (
                target.get("status", choices.CaseStatus.OPEN),
                target["stage"],
                target.get("intake_step", choices.IntakeStep.DONE),
            )
            if wanted in present or not others:
                continue
            plan = others[(index * 7) % len(others)]
            plan.status, plan.stage, plan.intake_step = wanted
            plan.age_days = target["age_days"]
            present.add(wanted)

    # ------------------------------------------------------------------------------------------- helpers

    def moment(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.random.uniform(0, (end - start).total_seconds()))

    def step(self, case: Case, moment: datetime, call: Any, *, new_record: bool = True) -> Any:
        """Run one service call for ``case`` and date the timeline lines (and the record) it wrote at ``moment``."""
        result = call()
        count = CaseEvent.objects.filter(case_id=case.pk).count()
        new = count - self.events_seen.get(case.pk, 0)
        self.event_moments.setdefault(case.pk, []).extend([moment] * new)
        self.events_seen[case.pk] = count
        if new_record and isinstance(result, models.Model) and hasattr(result, "created_at") and result.pk:
            self.created_at.setdefault(type(result), []).append((result.pk, moment))
        return result

    def person(self) -> fictional_names.FictionalPerson:
        while True:
            someone = fictional_names.person(self.random)
            full = f"{someone.given_name_latin} {someone.family_name_latin}".casefold()
            if full not in self.staff_names and full not in self.used_names:
                self.used_names.add(full)
                return someone

    def survivor_values(self, plan: _Plan, profile: str, child: bool) -> dict[str, Any]:
        rng = self.random
        someone = self.person()
        migrant = someone.nationality != "MA"
        age = rng.randint(13, 16) if child else rng.randint(18, 58)
        organisation = self.organisations[plan.organisation_key]
        values: dict[str, Any] = {
            "given_name_latin": someone.given_name_latin,
            "family_name_latin": someone.family_name_latin,
            "given_name_arabic": someone.given_name_arabic,
            "family_name_arabic": someone.family_name_arabic,
            "phone": f"0600{rng.randrange(10**6):06d}",
            "sex": choices.Sex.MALE
            if profile == "trafficking" and rng.random() < 0.15
            else choices.Sex.FEMALE,
            "birth_year": self.today.year - age,
            "birth_year_estimated": migrant and rng.random() < 0.5,
            "nationality": someone.nationality,
            "migration_status": (
                rng.choice(
                    [
                        choices.MigrationStatus.IRREGULAR_MIGRANT,
                        choices.MigrationStatus.REGULAR_MIGRANT,
                        choices.MigrationStatus.ASYLUM_SEEKER,
                        choices.MigrationStatus.REFUGEE,
                    ]
                )
                if migrant
                else choices.MigrationStatus.CITIZEN
            ),
            "marital_status": choices.MaritalStatus.SINGLE
            if child
            else rng.choice(list(choices.MaritalStatus.values)),
            "children_count": 0 if child else rng.choice([0, 0, 1, 2, 3, 4]),
            "disability": rng.choices(list(choices.Disability.values), [70, 5, 4, 3, 4, 2, 12])[0],
            "education": rng.choice(list(choices.Education.values)),
            "occupation": choices.Occupation.STUDENT
            if child
            else rng.choice(list(choices.Occupation.values)),
            "languages": (["fr", "en"] if migrant else ["ary", "ar"])
            + ([rng.choice(self.languages)] if rng.random() < 0.3 else []),
            "residence_province": organisation.province if organisation else None,
            "safe_to_contact": rng.choices(list(choices.YesNoUnknown.values), [70, 15, 15])[0],
        }
        values["languages"] = [code for code in dict.fromkeys(values["languages"]) if code in LANGUAGES]
        if values["safe_to_contact"] == choices.YesNoUnknown.YES:
            values["safe_contact_method"] = rng.choice(list(choices.ContactMethod.values)[:-1])
            values["safe_contact_instructions"] = rng.choice(
                ["En semaine, entre 10 h et 12 h.", "Seulement par message, jamais le soir.", ""]
            )
        if rng.random() < 0.5:
            values["id_document_type"] = (
                choices.IdDocumentType.PASSPORT if migrant else choices.IdDocumentType.CNIE
            )
            values["id_document_number"] = f"ZZ{rng.randrange(10**6):06d}"
        if rng.random() < 0.3:
            values["address"] = f"Quartier fictif n° {rng.randint(1, 40)}, immeuble {rng.randint(1, 90)}"
        return values

    def profile(self, plan: _Plan, entry_point: str) -> str:
        rng = self.random
        kind = self.organisations[plan.organisation_key].kind  # type: ignore[union-attr]
        if entry_point in {E.LABOUR_INSPECTION, E.CONSULATE, E.INTERNATIONAL_ORGANISATION} or (
            kind in {"shelter", "reception_centre", "prosecutor"} and rng.random() < 0.25
        ):
            return rng.choice(["trafficking", "domestic_work"])
        return rng.choices(
            ["domestic", "sexual", "digital", "forced_marriage", "economic", "trafficking"],
            [45, 15, 17, 6, 12, 5],
        )[0]

    def incident_values(self, profile: str, reported: date, child: bool) -> tuple[dict[str, Any], list[Any]]:
        rng = self.random
        start = reported - timedelta(days=rng.choice([0, 1, 2, 4, 9, 20, 45, 120, 300]))
        values: dict[str, Any] = {
            "reported_on": reported,
            "occurred_on": start,
            "date_is_approximate": rng.random() < 0.3,
            "reported_to_police_before": rng.choice(list(choices.YesNoUnknown.values)),
            "description": DESCRIPTIONS[profile],
        }
        if rng.random() < 0.3 and start < reported - timedelta(days=30):
            values["occurred_until"] = start + timedelta(days=rng.randint(1, (reported - start).days))
        perpetrator = {
            "relationship": choices.Relationship.HUSBAND,
            "age_group": rng.choice(["26-40", "41-60"]),
        }
        if profile == "domestic":
            values |= {
                "place_type": choices.PlaceType.MARITAL_HOME,
                "law_forms": rng.sample(["physical", "psychological", "economic"], rng.randint(1, 3)),
                "involved_physical_assault": True,
                "involved_psychological_abuse": True,
            }
        elif profile == "sexual":
            penetration = rng.random() < 0.4
            values |= {
                "place_type": rng.choice([choices.PlaceType.PUBLIC_SPACE, choices.PlaceType.WORKPLACE]),
                "law_forms": ["sexual", "psychological"],
                "involved_penetration": penetration,
                "involved_sexual_contact": not penetration,
            }
            perpetrator["relationship"] = rng.choice(
                [choices.Relationship.STRANGER, choices.Relationship.OTHER_KNOWN]
            )
        elif profile == "digital":
            values |= {
                "place_type": choices.PlaceType.ONLINE,
                "law_forms": rng.choice([["psychological"], ["psychological", "sexual"]]),
                "tech_forms": rng.sample(list(choices.TechForm.values), rng.randint(1, 3)),
                "platforms": rng.sample(list(choices.Platform.values), rng.randint(1, 2)),
                "involved_psychological_abuse": True,
            }
            perpetrator["relationship"] = rng.choice(
                [choices.Relationship.FIANCE, choices.Relationship.STRANGER, choices.Relationship.OTHER_KNOWN]
            )
        elif profile == "forced_marriage":
            values |= {
                "place_type": choices.PlaceType.HOME,
                "law_forms": ["psychological"],
                "involved_forced_marriage": True,
            }
            perpetrator["relationship"] = choices.Relationship.FAMILY_MEMBER
        elif profile == "economic":
            values |= {
                "place_type": choices.PlaceType.MARITAL_HOME,
                "law_forms": ["economic", "psychological"],
                "involved_denial_of_resources": True,
            }
        elif profile == "domestic_work":
            values |= {
                "place_type": choices.PlaceType.WORKPLACE,
                "law_forms": ["economic"],
                "trafficking_forms": [choices.TraffickingForm.DOMESTIC_SERVITUDE],
                "involved_denial_of_resources": True,
            }
            perpetrator["relationship"] = choices.Relationship.EMPLOYER
        else:  # trafficking
            values |= {
                "place_type": rng.choice([choices.PlaceType.MIGRATION, choices.PlaceType.WORKPLACE]),
                "trafficking_forms": rng.sample(list(choices.TraffickingForm.values), rng.randint(1, 2)),
                "involved_sexual_contact": rng.random() < 0.3,
                "involved_psychological_abuse": True,
            }
            perpetrator["relationship"] = rng.choice(
                [choices.Relationship.RECRUITER, choices.Relationship.EMPLOYER]
            )
        if child and profile not in {"trafficking", "domestic_work"}:
            perpetrator["relationship"] = choices.Relationship.FAMILY_MEMBER
        count = rng.choices([1, 1, 1, 2, 3])[0]
        values["perpetrator_count"] = count
        perpetrators = [perpetrator] + [
            {"relationship": choices.Relationship.UNKNOWN} for _ in range(rng.randint(0, count - 1))
        ]
        return values, perpetrators

    # ------------------------------------------------------------------------------------------- one case

    def build(self, plan: _Plan) -> Case:
        rng = self.random
        actor = plan.actor
        kind = self.organisations[plan.organisation_key].kind  # type: ignore[union-attr]
        entry_points = KIND_ENTRY_POINTS.get(kind, ALL_ENTRY_POINTS)
        # Each organisation's first cases go through every entry point it meets; the others at random.
        seen = self.per_organisation[plan.organisation_key] = (
            self.per_organisation.get(plan.organisation_key, 0) + 1
        )
        entry_point = entry_points[seen - 1] if seen <= len(entry_points) else rng.choice(entry_points)
        profile = self.profile(plan, entry_point)
        child = rng.random() < 0.07 and profile not in {"domestic", "economic"}
        opened = self.now - timedelta(days=plan.age_days, hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
        # The work ends at the closure, else goes on until a little before now.
        end = (
            opened + timedelta(days=max(20, int(plan.age_days * rng.uniform(0.5, 0.9))))
            if plan.status == choices.CaseStatus.CLOSED
            else self.now - timedelta(hours=rng.randint(1, 30))
        )
        end = max(end, opened + timedelta(hours=2))
        priority = (
            choices.Priority.URGENT
            if profile == "trafficking" and rng.random() < 0.4
            else rng.choices(list(choices.Priority.values), [15, 55, 22, 8])[0]
        )

        survivor_values = self.survivor_values(plan, profile, child)
        case = case_services.intake_start(
            actor=actor,
            survivor_values=survivor_values,
            case_values={"entry_point": entry_point, "priority": priority},
        )
        case.opened_at = opened  # written with the case's other direct fields once it is built
        self.event_moments[case.pk] = [opened]
        self.events_seen[case.pk] = 1
        order = case_services.intake_position
        minute = timedelta(minutes=1)

        # Intake: consent, first incident, immediate needs.
        consents: list[Consent] = []
        if order(plan.intake_step) > order(choices.IntakeStep.CONSENT):
            giver: dict[str, Any] = {}
            if child:
                giver = (
                    {"given_by": "guardian", "guardian_name": rng.choice(GUARDIANS)}
                    if rng.random() < 0.7
                    else {
                        "given_by": "best_interest",
                        "best_interest_reason": "Parents injoignables ; danger.",
                    }
                )
            expires = (
                self.today + timedelta(days=rng.randint(1, 13))
                if plan.consent_expiring
                else (self.today + timedelta(days=rng.randint(90, 400)) if rng.random() < 0.25 else None)
            )
            method = rng.choice(list(choices.ConsentMethod.values))
            for purpose in ["services"] + (["statistics"] if rng.random() < 0.85 else []):
                consents.append(
                    self.step(
                        case,
                        opened + 5 * minute,
                        lambda purpose=purpose: consent_services.consent_give(
                            actor=actor,
                            case=case,
                            purpose=purpose,
                            method=method,
                            given_at=opened + 5 * minute,
                            expires_on=expires,
                            **giver,
                        ),
                    )
                )
            if plan.intake_step == choices.IntakeStep.INCIDENT:  # else the incident step moves it on
                case_services.intake_set_step(actor=actor, case=case, step=choices.IntakeStep.INCIDENT)
        if order(plan.intake_step) > order(choices.IntakeStep.INCIDENT):
            if rng.random() < 0.05:
                incident_services.intake_incident_skip(actor=actor, case=case)
            else:
                values, perpetrators = self.incident_values(profile, timezone.localdate(opened), child)
                self.step(
                    case,
                    opened + 20 * minute,
                    lambda: incident_services.intake_incident_record(
                        actor=actor, case=case, values=values, perpetrators=perpetrators
                    ),
                )
        if plan.intake_step == choices.IntakeStep.DONE:
            needs = rng.sample(self.needs, min(len(self.needs), rng.randint(1, 3)))
            self.step(
                case,
                opened + 40 * minute,
                lambda: case_services.case_set_needs(actor=actor, case=case, needs=needs),
            )
            self.follow_up_work(case, plan, profile, child, opened, end, consents)
        return case

    def follow_up_work(
        self,
        case: Case,
        plan: _Plan,
        profile: str,
        child: bool,
        opened: datetime,
        end: datetime,
        consents: list[Consent],
    ) -> None:
        """Everything after the intake: colleagues, stages, records, consents, follow-up, status."""
        rng = self.random
        actor = plan.actor
        start = opened + timedelta(hours=1)
        if plan.co_workers:
            supervisor = next((u for u in plan.co_workers if u.has_role(Role.SUPERVISOR)), None)
            if supervisor is not None:
                self.step(
                    case,
                    start,
                    lambda: case_services.case_assign(
                        actor=supervisor, case=case, users=[actor, *plan.co_workers]
                    ),
                )
        # Stages, in their order, skipping the optional ones now and then.
        target = choices.Stage.values.index(plan.stage)
        path = [
            stage
            for stage in choices.Stage.values[1 : target + 1]
            if stage == plan.stage or stage not in OPTIONAL_STAGES or rng.random() < 0.5
        ]
        last = end - timedelta(days=3) if plan.status != choices.CaseStatus.OPEN else end
        previous: str = choices.Stage.RECEPTION
        for stage, moment in zip(
            path, sorted(self.moment(start, max(start, last)) for _ in path), strict=True
        ):
            self.line(case, EventKind.STAGE_CHANGED, actor, moment, detail={"from": previous, "to": stage})
            previous = stage
        self.change(case, stage=plan.stage, changes=len(path))
        # A second incident now and then (digital violence often comes on top).
        if rng.random() < 0.15:
            second = "digital" if profile != "digital" else "domestic"
            reported = self.moment(start, end)
            values, perpetrators = self.incident_values(second, timezone.localdate(reported), child)
            self.step(
                case,
                reported,
                lambda: incident_services.incident_create(
                    actor=actor, case=case, values=values, perpetrators=perpetrators
                ),
            )
        for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
            moment = self.moment(start, end)
            note = Note(case=case, body=rng.choice(NOTES), created_by=actor, created_at=moment)
            self.line(case, EventKind.NOTE_ADDED, actor, moment, record=note)
        for _ in range(rng.choice([0, 1, 2, 2, 3])):
            moment = self.moment(start, end)
            contact = ContactLog(
                case=case,
                kind=rng.choice(list(choices.ContactKind.values)),
                happened_at=moment,
                duration_minutes=rng.choice([None, 10, 15, 30, 45, 60, 90]),
                summary=rng.choice(CONTACT_SUMMARIES),
                created_by=actor,
                created_at=moment,
            )
            detail: dict[str, Any] = {"kind": contact.kind}
            if contact.duration_minutes is not None:
                detail["duration_minutes"] = contact.duration_minutes
            self.line(case, EventKind.CONTACT_LOGGED, actor, moment, record=contact, detail=detail)
        if rng.random() < 0.09 and "text" in settings.HIMAYA_DOCUMENT_TYPES:
            kind, title, file_name = rng.choice(DOCUMENTS)
            moment = self.moment(start, end)
            content = (
                f"{title}\n\nDocument fictif de démonstration (Himaya).\nDossier {case.code}, "
                f"{timezone.localdate(moment).isoformat()}.\n"
            ).encode()
            self.step(
                case,
                moment,
                lambda: document_services.document_add(
                    actor=actor, case=case, kind=kind, title=title, file_name=file_name, data=content
                ),
            )
        self.sharing_and_withdrawals(case, plan, start, end, consents)
        # The next follow-up, planned at the last contact.
        due = {
            "overdue": self.today - timedelta(days=rng.randint(1, 20)),
            "today": self.today,
            "week": self.today + timedelta(days=rng.randint(1, 7)),
            "later": self.today + timedelta(days=rng.randint(8, 60)),
        }.get(plan.follow_up)
        if due is not None and plan.status == choices.CaseStatus.OPEN:
            self.line(
                case,
                EventKind.CASE_UPDATED,
                actor,
                end,
                detail={"fields": ["follow_up_due"], "follow_up_due": due.isoformat()},
            )
            self.change(case, follow_up_due=due)
        self.set_status(case, plan, end)

    def sharing_and_withdrawals(
        self, case: Case, plan: _Plan, start: datetime, end: datetime, consents: list[Consent]
    ) -> None:
        rng = self.random
        actor = plan.actor
        if plan.stage in {"protection", "judicial", "return", "follow_up", "closure"} and rng.random() < 0.3:
            candidates = [
                org
                for key, org in self.organisations.items()
                if org is not None
                and org.pk != case.organisation_id
                and key.split("-")[0] in {"shelter", "reception", "hospital", "ngo", "court"}
            ]
            recipient = rng.choice(candidates)
            moment = self.moment(start, end)
            information = rng.sample(list(choices.SharedInformation.values)[1:], rng.randint(1, 3))
            giver: dict[str, Any] = {}
            if case.survivor.is_child:
                giver = {"given_by": "guardian", "guardian_name": rng.choice(GUARDIANS)}
            consents.append(
                self.step(
                    case,
                    moment,
                    lambda: consent_services.consent_give(
                        actor=actor,
                        case=case,
                        purpose="sharing",
                        method=rng.choice(list(choices.ConsentMethod.values)),
                        recipient=recipient,
                        shared_information=information,
                        given_at=moment,
                        **giver,
                    ),
                )
            )
        withdrawable = [c for c in consents if c.purpose != "services"]
        if withdrawable and rng.random() < 0.1:
            consent = rng.choice(withdrawable)
            moment = self.moment(max(start, consent.given_at), end)
            self.step(
                case,
                moment,
                lambda: consent_services.consent_withdraw(
                    actor=actor, consent=consent, note=rng.choice(["", "Elle a changé d'avis."])
                ),
                new_record=False,
            )
            Consent.objects.filter(pk=consent.pk).update(withdrawn_at=moment)
        # An expired consent to services (a renewal is due), on a few old cases.
        services = next((c for c in consents if c.purpose == "services"), None)
        if (
            services is not None
            and services.expires_on
            and not plan.consent_expiring
            and plan.age_days > 120
            and rng.random() < 0.5
        ):
            lapsed = min(self.today - timedelta(days=rng.randint(3, 60)), timezone.localdate(end))
            if lapsed >= timezone.localdate(services.given_at):
                Consent.objects.filter(pk=services.pk).update(expires_on=lapsed)

    def set_status(self, case: Case, plan: _Plan, end: datetime) -> None:
        """Closure requested, then (for closed cases) closed: the closure procedure (reason, supervisor approval)
        comes with the case lifecycle, so both are written here with their timeline lines."""
        if plan.status == choices.CaseStatus.OPEN:
            return
        requested = end - timedelta(days=2) if plan.status == choices.CaseStatus.CLOSED else end
        open_, asked = choices.CaseStatus.OPEN, choices.CaseStatus.CLOSURE_REQUESTED
        self.line(case, EventKind.STATUS_CHANGED, plan.actor, requested, detail={"from": open_, "to": asked})
        self.change(case, status=asked)
        if plan.status != choices.CaseStatus.CLOSED:
            return
        approver = self.supervisors.get(case.organisation_id) or plan.actor
        closed = choices.CaseStatus.CLOSED
        self.line(case, EventKind.STATUS_CHANGED, approver, end, detail={"from": asked, "to": closed})
        self.change(case, status=closed, closed_at=end, follow_up_due=None)

    # ------------------------------------------------------------------------------------------- direct writes

    def line(
        self,
        case: Case,
        kind: str,
        actor: User,
        moment: datetime,
        *,
        record: models.Model | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """A timeline line (and the note or contact it points to) written directly, in bulk, at the end."""
        self.direct.append((case, kind, actor, moment, record, dict(detail or {})))
        self.last_moment[case.pk] = max(self.last_moment.get(case.pk, moment), moment)

    def change(self, case: Case, *, changes: int = 1, **values: Any) -> None:
        """Case fields set directly once the services are done (each change moves the version on)."""
        state = self.case_state.setdefault(case.pk, {"changes": 0})
        state.update(values)
        state["changes"] += changes

    def write_direct(self) -> None:
        records: dict[type[models.Model], list[models.Model]] = {}
        for _case, _kind, _actor, _moment, record, _detail in self.direct:
            if record is not None:
                records.setdefault(type(record), []).append(record)
        for model, rows in records.items():
            model._default_manager.bulk_create(rows, batch_size=500)
            if any(row.pk is None for row in rows):  # a database that does not return ids
                raise RuntimeError(f"bulk_create returned no ids for {model.__name__}")
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    kind=kind,
                    created_by=actor,
                    at=moment,
                    created_at=moment,
                    detail=detail,
                    object_type=str(record._meta.model_name) if record is not None else "",
                    object_id=record.pk if record is not None else None,
                )
                for case, kind, actor, moment, record, detail in self.direct
            ],
            batch_size=500,
        )

    def set_dates(
        self, model: type[models.Model], columns: list[str], rows: list[tuple[int, datetime]]
    ) -> None:
        """``UPDATE … SET column = moment`` for many rows in one round trip."""
        if not rows:
            return
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(str(model._meta.pk.column))} = %s"  # noqa: S608
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[adapt(moment)] * len(columns) + [pk] for pk, moment in rows])

    def date_everything(self, cases: list[Case]) -> None:
        """Give every timeline line and record written by the services the moment it happened in the story."""
        lines: list[tuple[int, datetime]] = []
        for case in cases:
            moments = self.event_moments.get(case.pk, [])
            ids = list(CaseEvent.objects.filter(case_id=case.pk).order_by("id").values_list("id", flat=True))
            if len(ids) != len(moments):
                raise RuntimeError(f"demo case {case.code}: {len(ids)} timeline lines, {len(moments)} dated")
            lines += list(zip(ids, moments, strict=True))
        self.set_dates(CaseEvent, ["at", "created_at"], lines)
        for model, rows in self.created_at.items():
            if model is not CaseEvent:
                self.set_dates(model, ["created_at"], rows)
        # The survivor was registered when her (first) case was opened.
        registered: dict[int, datetime] = {}
        for case in cases:
            registered.setdefault(case.survivor_id, case.opened_at)
        self.set_dates(Survivor, ["created_at"], list(registered.items()))

    def write_cases(self, cases: list[Case], plans: list[_Plan]) -> None:
        """Each case's opening date, final stage, status, follow-up and risk level; its last change."""
        levels = [choices.RiskLevel.STANDARD, choices.RiskLevel.MEDIUM, choices.RiskLevel.HIGH]
        for case, plan in zip(cases, plans, strict=True):
            state = dict(self.case_state.get(case.pk, {"changes": 0}))
            changes = state.pop("changes")
            if plan.stage != choices.Stage.RECEPTION:  # risk levels come from assessments (a later feature)
                state["risk_level"] = self.random.choices(levels, [50, 32, 18])[0]
            moments = [*self.event_moments.get(case.pk, []), self.last_moment.get(case.pk, case.opened_at)]
            Case.objects.filter(pk=case.pk).update(
                opened_at=case.opened_at, updated_at=max(moments), version=F("version") + changes, **state
            )

    # ------------------------------------------------------------------------------------------- the run

    def run(self) -> int:
        workers = self.workers()
        demo_orgs = [org.pk for key, org in self.organisations.items() if org is not None and key in workers]
        if not workers or Case.objects.filter(organisation_id__in=demo_orgs).exists():
            return 0
        self.supervisors = {
            users[-1].organisation_id: users[-1]
            for users in workers.values()
            if users[-1].has_role(Role.SUPERVISOR)
        }
        plans = self.plans(workers)
        with transaction.atomic():
            cases = [self.build(plan) for plan in plans]
            self.returning_survivors(cases, plans)
            self.date_everything(cases)
            self.write_direct()
            self.write_cases(cases, plans)
        return len(cases)

    def returning_survivors(self, cases: list[Case], plans: list[_Plan]) -> None:
        """A few survivors come back after their case was closed: a new case of the same organisation."""
        closed = [
            (case, plan)
            for case, plan in zip(cases, plans, strict=True)
            if plan.status == choices.CaseStatus.CLOSED and plan.age_days > 200
        ]
        for case, plan in closed[:5]:
            actor = plan.actor
            again = case_services.intake_existing(
                actor=actor, survivor=case.survivor, case_values={"entry_point": case.entry_point}
            )
            again.opened_at = self.now - timedelta(days=self.random.randint(2, 40))
            self.event_moments[again.pk] = [again.opened_at]
            self.events_seen[again.pk] = 1
            cases.append(again)
            plans.append(
                _Plan(
                    organisation_key=plan.organisation_key,
                    actor=actor,
                    age_days=0,
                    intake_step=choices.IntakeStep.CONSENT,
                )
            )


def load() -> int:
    """Load the demo cases; returns the number of cases created (0 when the demo already holds cases, or when
    the demo accounts are missing)."""
    _refuse_in_production()
    return _Loader().run()
