"""Loading the fictional demo directory (idempotent, deterministic): ``himaya demo load`` calls ``load``.

It reuses the accounts demo organisations (care cells, the Meknès shelter, the Casablanca reception centre,
the national hotline) and adds directory-only ones (appeal courts, gendarmerie, NGOs, shelters…). Entries
already present (same organisation and name) are left alone, so loading twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from himaya.accounts.demo.data import DEMO_DOMAIN, ORGANISATIONS
from himaya.accounts.models import Organisation, User
from himaya.core.models import City
from himaya.directory.data.demo_services import (
    ALERTS,
    CITIES,
    CITY_ORGANISATIONS,
    MIGRANT_NGO,
    MIGRANT_NGO_CITIES,
    NATIONAL,
    PROPOSALS,
    RECEPTION_CENTRE,
    RECEPTION_CENTRE_CITIES,
    STATUSES,
    OrganisationSpec,
    ServiceSpec,
)
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.models import (
    Accessibility,
    CapacityRecord,
    ChangeProposal,
    CostOption,
    Location,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceHistory,
    ServiceLanguage,
    TaxonomyTerm,
    Verification,
    VerificationMethod,
    Visibility,
    Weekday,
)

SEED = 2026
WEEKDAYS = list(Weekday.values)
# Hours kinds: list of (weekday, opens, closes).
OFFICE = [(day, time(8, 30), time(16, 30)) for day in WEEKDAYS[:5]]
DISTRICT = [(day, time(8, 0), time(20, 0)) for day in WEEKDAYS[:6]]
ALWAYS = [(day, time(0, 0), time(0, 0)) for day in WEEKDAYS]
NGO_WEEK = [(day, time(9, 0), time(12, 30)) for day in WEEKDAYS[:5]] + [
    (day, time(14, 0), time(17, 30)) for day in WEEKDAYS[:5]
]
SATURDAY = [("SA", time(9, 0), time(13, 0))]
FRONT_DOOR_NOTE = "Appelez la permanence : un rendez-vous vous sera donné dans un lieu sûr."


def _refuse_in_production() -> None:
    if settings.PRODUCTION or not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo data exists only outside production.")


class _Loader:
    def __init__(self) -> None:
        self.random = random.Random(SEED)  # noqa: S311  (deterministic demo data, not a secret)
        self.now = timezone.now()
        self.phone_counter = 0
        self.cities = {c.slug: c for c in City.objects.select_related("province__region")}
        self.terms = {(t.taxonomy.code, t.code): t for t in TaxonomyTerm.objects.select_related("taxonomy")}
        self.demo_orgs = {key: name for key, name, *_rest in ORGANISATIONS}  # accounts demo key -> name
        self.created: list[Service] = []
        self.schedules: list[Schedule] = []
        self.languages: list[ServiceLanguage] = []
        self.phones: list[Phone] = []
        self.histories: list[ServiceHistory] = []
        self.verifications: list[Verification] = []
        self.capacities: list[CapacityRecord] = []

    # ---------------------------------------------------------------------------------- helpers

    def phone(self, prefix: str = "05 00 00") -> str:
        self.phone_counter += 1
        return f"{prefix} {self.phone_counter // 100:02d} {self.phone_counter % 100:02d}"

    def organisation(self, spec: OrganisationSpec, city_slug: str | None) -> Organisation:
        city = self.cities[city_slug] if city_slug else None
        names = _city_names(city)
        if spec.key:
            name = self.demo_orgs[spec.key.format(city=city_slug)]
            existing = Organisation.objects.filter(name=name).first()
            if existing is not None:
                return existing
        else:
            name = spec.name.format(**names)
        organisation, _created = Organisation.objects.get_or_create(
            name=name,
            province=city.province if city else None,
            defaults={
                "name_ar": spec.name_ar.format(**names),
                "acronym": spec.acronym.format(**names)[:30],
                "kind": spec.kind,
                "sector": spec.sector,
                "is_fictional": True,
                "city": city,
                "region": city.province.region if city else None,
                "email": f"contact.{spec.kind}.{city_slug or 'national'}.{self.phone_counter}@{DEMO_DOMAIN}",
                "phone": self.phone(),
                "description": "Organisation fictive créée pour la démonstration de Himaya.",
            },
        )
        return organisation

    def location(
        self, organisation: Organisation, spec: OrganisationSpec, city_slug: str | None, virtual: bool
    ) -> Location:
        city = self.cities[city_slug] if city_slug else None
        name = spec.location.format(**_city_names(city))
        existing = Location.objects.filter(organisation=organisation, name=name).first()
        if existing is not None:
            return existing
        values: dict[str, Any] = {
            "organisation": organisation,
            "name": name,
            "is_fictional": True,
            "location_type": Location.Kind.VIRTUAL if virtual else Location.Kind.PHYSICAL,
        }
        if city is not None:
            jitter_lat = self.random.uniform(-0.03, 0.03)
            jitter_lon = self.random.uniform(-0.03, 0.03)
            values.update(
                {
                    "address_1": f"{self.random.randint(1, 180)}, rue fictive des {self.random.choice(STREETS)}",
                    "city_name": city.name_fr,
                    "postal_code": CITIES[city_slug or ""].postcode,
                    "city": city,
                    "province": city.province,
                    "region": city.province.region,
                    "latitude": round(float(city.latitude) + jitter_lat, 6),
                    "longitude": round(float(city.longitude) + jitter_lon, 6),
                    "transportation": "Bus fictif n° " + str(self.random.randint(1, 40)),
                }
            )
        if spec.confidential:
            values.update(
                {
                    "is_confidential": True,
                    "front_door_phone": self.phone(),
                    "front_door_note": FRONT_DOOR_NOTE,
                }
            )
        location = Location.objects.create(**values)
        if city is not None and self.random.random() < 0.6:
            Accessibility.objects.create(location=location, description="Accès de plain-pied, sans marche.")
        return location

    def hours(self, kind: str) -> list[tuple[str, time, time]]:
        if kind == "always":
            return ALWAYS
        if kind == "district":
            return DISTRICT
        if kind == "ngo":
            return NGO_WEEK + (SATURDAY if self.random.random() < 0.4 else [])
        return OFFICE  # office, court

    def languages_for(self, spec: ServiceSpec, city_slug: str | None, kind: str) -> list[str]:
        codes = ["ar", "ary", "fr"]
        regional = CITIES[city_slug].regional_languages if city_slug else ("zgh", "tzm", "shi", "rif", "en")
        for code in regional:
            # Courts and police: the regional Amazigh variety half the time; others always.
            if kind in {"court_cell", "police_cell", "gendarmerie_cell"} and self.random.random() < 0.5:
                continue
            codes.append(code)
        if set(spec.populations) & {"migrants", "trafficking_victims"} and "en" not in codes:
            codes.append("en")
        return codes

    # ---------------------------------------------------------------------------------- services

    def service(
        self,
        organisation: Organisation,
        location: Location,
        spec: ServiceSpec,
        city_slug: str | None,
        *,
        phone: str = "",
    ) -> None:
        if Service.objects.filter(organisation=organisation, name=spec.name).exists():
            return
        roll = self.random.random()
        verified_at = None
        due = None
        if roll < 0.72:
            verified_at = self.now - timedelta(days=self.random.randint(1, 90))
            due = (verified_at + timedelta(days=180)).date()
        elif roll < 0.9:
            verified_at = self.now - timedelta(days=self.random.randint(200, 500))
            due = (verified_at + timedelta(days=180)).date()
        adults_only = spec.capacity or "long_term_shelter" in spec.needs
        children_only = spec.needs == ("child_protection",)
        service = Service.objects.create(
            organisation=organisation,
            name=spec.name,
            name_ar=spec.name_ar,
            name_en=spec.name_en,
            description=f"{spec.name} — service fictif de démonstration ({organisation.name}).",
            email=f"service{len(self.created) + 1}@{DEMO_DOMAIN}",
            application_process="Se présenter sur place ou appeler le numéro indiqué.",
            fees_description="Gratuit.",
            eligibility_description=_eligibility_text(spec),
            minimum_age=18 if adults_only else None,
            maximum_age=17 if children_only else None,
            eligible_sexes=["female"] if set(spec.populations) <= {"women", "girls", "disability", "digital_victims"} else [],
            eligible_migration_statuses=["migrant", "refugee"] if "migrants" in spec.populations and "women" not in spec.populations else [],
            eligible_violence_forms=list(spec.forms),
            verified_at=verified_at,
            verification_method=self.random.choice([VerificationMethod.PHONE, VerificationMethod.VISIT, VerificationMethod.WORKSHOP]) if verified_at else "",
            verification_due=due,
            is_fictional=True,
            field_visibility={"email": Visibility.NETWORK} if organisation.kind == "shelter" else {},
        )  # fmt: skip
        self.created.append(service)
        service.terms.set(
            [self.terms[("himaya-needs", code)] for code in spec.needs]
            + [self.terms[("himaya-populations", code)] for code in spec.populations]
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        for weekday, opens_at, closes_at in self.hours(spec.hours):
            self.schedules.append(
                Schedule(service=service, weekday=weekday, weekday_index=WEEKDAYS.index(weekday), opens_at=opens_at, closes_at=closes_at)
            )  # fmt: skip
        for code in self.languages_for(spec, city_slug, organisation.kind):
            self.languages.append(ServiceLanguage(service=service, code=code, name=LANGUAGES[code][0]))
        confidential = location.is_confidential
        if phone:
            self.phones.append(
                Phone(service=service, number=phone, type="voice", description="Appel gratuit, 24 h sur 24")
            )
        elif not confidential:
            self.phones.append(Phone(service=service, number=self.phone(), type="voice"))
        if self.random.random() < 0.5 or confidential:
            # A direct line for professionals (the shelter's own line: restricted to its organisation).
            level = Visibility.RESTRICTED if confidential else Visibility.NETWORK
            self.phones.append(Phone(service=service, number=self.phone(), type="voice", description="Ligne directe des professionnels", visibility=level))  # fmt: skip
        if city_slug:
            city = self.cities[city_slug]
            area = (
                ServiceArea(service=service, name=city.province.region.name_fr, region=city.province.region)
                if "appel" in organisation.name
                else ServiceArea(service=service, name=city.province.name_fr, province=city.province)
            )
        else:
            area = ServiceArea(service=service, name="Maroc")
        area.save()
        CostOption.objects.create(service=service, option="Gratuit", amount=0)
        if "complaint" in spec.needs:
            RequiredDocument.objects.create(service=service, document="Pièce d'identité (si disponible)")
        self.histories.append(
            ServiceHistory(service=service, kind=ServiceHistory.Kind.CREATED, note="Démonstration")
        )
        if verified_at is not None and due is not None:
            self.verifications.append(
                Verification(service=service, at=verified_at, method=service.verification_method or VerificationMethod.PHONE, due=due, note="Vérification de démonstration")
            )  # fmt: skip
        if spec.capacity:
            places = self.random.randint(8, 40)
            fresh = self.random.random() < 0.6
            latest = self.now - (
                timedelta(hours=self.random.randint(1, 36))
                if fresh
                else timedelta(days=self.random.randint(3, 20))
            )
            for step in range(3):
                self.capacities.append(
                    CapacityRecord(service=service, places=places, vacancies=self.random.randint(0, places), as_of=latest - timedelta(days=7 * step), note="Démonstration")
                )  # fmt: skip

    def organisation_with_services(
        self, spec: OrganisationSpec, city_slug: str | None, *, phone: str = "", virtual: bool = False
    ) -> None:
        organisation = self.organisation(spec, city_slug)
        location = self.location(organisation, spec, city_slug, virtual)
        if virtual and phone:
            Phone.objects.get_or_create(location=location, number=phone, defaults={"type": "voice"})
        for service_spec in spec.services:
            self.service(organisation, location, service_spec, city_slug, phone=phone)

    # ---------------------------------------------------------------------------------- the whole

    def run(self) -> int:
        for city_slug in CITIES:
            for spec in CITY_ORGANISATIONS:
                if spec.kind == "shelter" and city_slug == "meknes":
                    spec = spec._replace(key="shelter-meknes")  # the accounts demo shelter
                self.organisation_with_services(spec, city_slug)
            if city_slug in RECEPTION_CENTRE_CITIES:
                key = "reception-casablanca" if city_slug == "casablanca" else None
                self.organisation_with_services(RECEPTION_CENTRE._replace(key=key), city_slug)
            if city_slug in MIGRANT_NGO_CITIES:
                self.organisation_with_services(MIGRANT_NGO, city_slug)
        for spec, number in NATIONAL:
            virtual = spec.kind in {"hotline", "ngo", "police_cell"}
            self.organisation_with_services(spec, None, phone=number, virtual=virtual)
        Schedule.objects.bulk_create(self.schedules)
        ServiceLanguage.objects.bulk_create(self.languages)
        Phone.objects.bulk_create(self.phones)
        ServiceHistory.objects.bulk_create(self.histories)
        Verification.objects.bulk_create(self.verifications)
        CapacityRecord.objects.bulk_create(self.capacities)
        if self.created:
            self.statuses_and_alerts()
            self.proposals()
        return len(self.created)

    def _find(self, city_slug: str, name: str) -> Service | None:
        services = Service.objects.filter(name=name, is_fictional=True)
        if city_slug:
            services = services.filter(organisation__city__slug=city_slug)
        return services.first()

    def statuses_and_alerts(self) -> None:
        for city_slug, name, status in STATUSES:
            found = self._find(city_slug, name)
            if found is not None:
                Service.objects.filter(pk=found.pk).update(status=status)
        today = timezone.localdate()
        for city_slug, name, alert, days in ALERTS:
            found = self._find(city_slug, name)
            if found is not None:
                Service.objects.filter(pk=found.pk).update(
                    alert=alert, alert_until=today + timedelta(days=days)
                )

    def proposals(self) -> None:
        for key, name, local, changes in PROPOSALS:
            organisation = Organisation.objects.filter(name=self.demo_orgs.get(key, "")).first()
            service = Service.objects.filter(organisation=organisation, name=name).first()
            if service is None:
                continue
            proposer = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
            ChangeProposal.objects.create(
                service=service,
                proposed_by=proposer,
                base_version=service.version,
                base={field: getattr(service, field) for field in changes},
                changes=changes,
                comment="Proposition de démonstration.",
            )


STREETS = ("Orangers", "Jasmins", "Palmiers", "Oliviers", "Roses", "Cèdres", "Amandiers", "Grenadiers")


def _city_names(city: City | None) -> dict[str, str]:
    if city is None:
        return {"fr": "", "ar": "", "abbr": "NAT"}
    return {"fr": city.name_fr, "ar": city.name_ar, "abbr": city.slug[:3].upper()}


def _eligibility_text(spec: ServiceSpec) -> str:
    if "trafficking_victims" in spec.populations:
        return "Toute personne présumée victime de traite, quelle que soit sa nationalité."
    if "children" in spec.populations and "women" not in spec.populations:
        return "Enfants et adolescentes de moins de 18 ans."
    if "migrants" in spec.populations:
        return "Femmes migrantes, réfugiées ou demandeuses d'asile, quel que soit leur statut."
    return "Femmes et filles victimes de violence."


@transaction.atomic
def load() -> int:
    """Load the demo directory; returns the number of services created (0 when already loaded)."""
    _refuse_in_production()
    return _Loader().run()
