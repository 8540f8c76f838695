"""The fictional directory of the demo: the eight workshop cities and the national actors, as data.

Every name, address and telephone number here is invented (telephones in the unused range 05 00 00 xx xx),
except the national hotline numbers (8350, 0800 00 47 47) and e-Blagh, which are public facts (domain.md).
"""

from __future__ import annotations

from typing import NamedTuple


class CityInfo(NamedTuple):
    postcode: str
    regional_languages: tuple[str, ...]  # besides ar, ary, fr


CITIES: dict[str, CityInfo] = {
    "tanger": CityInfo("90000", ("es", "rif")),
    "kenitra": CityInfo("14000", ()),
    "rabat": CityInfo("10000", ("zgh", "en")),
    "casablanca": CityInfo("20000", ("en",)),
    "meknes": CityInfo("50000", ("tzm",)),
    "marrakech": CityInfo("40000", ("shi", "en")),
    "agadir": CityInfo("80000", ("shi",)),
    "errachidia": CityInfo("52000", ("tzm",)),
}


class ServiceSpec(NamedTuple):
    name: str
    name_ar: str
    name_en: str
    needs: tuple[str, ...]
    populations: tuple[str, ...] = ("women", "girls")
    hours: str = "office"  # office, court, ngo, always, district
    forms: tuple[str, ...] = ()  # eligible forms of violence ("" = any)
    capacity: bool = False


class OrganisationSpec(NamedTuple):
    """``key``: an accounts demo organisation key (``{city}`` filled in), or None for a directory-only one."""

    key: str | None
    name: str
    name_ar: str
    acronym: str
    kind: str
    sector: str
    location: str
    confidential: bool
    services: tuple[ServiceSpec, ...]


WOMEN = ("women", "girls")
ANY_VIOLENCE = ("physical", "sexual", "psychological", "economic")

CITY_ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "court-{city}",
        "",
        "",
        "",
        "court_cell",
        "justice",
        "Tribunal de première instance fictif de {fr}",
        False,
        (
            ServiceSpec(
                "Accueil et écoute des femmes victimes de violence",
                "استقبال النساء ضحايا العنف والإنصات إليهن",
                "Reception of women victims of violence",
                ("reception", "information"),
                hours="court",
                forms=ANY_VIOLENCE,
            ),
            ServiceSpec(
                "Enregistrement des plaintes et orientation vers le parquet",
                "تسجيل الشكايات والتوجيه نحو النيابة العامة",
                "Complaint registration and referral to the prosecutor",
                ("complaint",),
                hours="court",
            ),
            ServiceSpec(
                "Mesures de protection (loi 103-13)",
                "تدابير الحماية (القانون 103-13)",
                "Protective measures (Law 103-13)",
                ("protective_measures",),
                hours="court",
            ),
            ServiceSpec(
                "Protection des mineures victimes (juge des mineurs)",
                "حماية القاصرات الضحايا (قاضي الأحداث)",
                "Protection of child victims (juvenile judge)",
                ("child_protection",),
                populations=("girls", "children"),
                hours="court",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Cellule de prise en charge — Cour d'appel de {fr} (fictive)",
        "خلية التكفل — محكمة الاستئناف {ar} (وهمية)",
        "CPC-CA-{abbr}",
        "court_cell",
        "justice",
        "Cour d'appel fictive de {fr}",
        False,
        (
            ServiceSpec(
                "Accueil et orientation — cour d'appel",
                "الاستقبال والتوجيه — محكمة الاستئناف",
                "Reception and orientation — court of appeal",
                ("reception", "information"),
                hours="court",
            ),
            ServiceSpec(
                "Suivi des procédures en appel",
                "تتبع المساطر في مرحلة الاستئناف",
                "Follow-up of appeal proceedings",
                ("legal_counselling", "protective_measures"),
                hours="court",
            ),
            ServiceSpec(
                "Parquet général — plaintes pour traite des personnes",
                "النيابة العامة — شكايات الاتجار بالبشر",
                "Prosecutor general — trafficking complaints",
                ("complaint",),
                populations=("trafficking_victims", "men_trafficking", "women"),
                hours="court",
                forms=("trafficking",),
            ),
        ),
    ),
    OrganisationSpec(
        "police-{city}",
        "",
        "",
        "",
        "police_cell",
        "security",
        "Préfecture de police fictive de {fr}",
        False,
        (
            ServiceSpec(
                "Accueil des femmes victimes de violence (police)",
                "استقبال النساء ضحايا العنف (الشرطة)",
                "Reception of women victims of violence (police)",
                ("reception", "complaint"),
                hours="court",
            ),
            ServiceSpec(
                "Dépôt de plainte et audition",
                "تقديم الشكاية والاستماع",
                "Filing a complaint and hearing",
                ("complaint",),
                hours="district",
            ),
            ServiceSpec(
                "Signalement de la cybercriminalité et du chantage sexuel en ligne",
                "التبليغ عن الجريمة الإلكترونية والابتزاز الجنسي عبر الإنترنت",
                "Reporting cybercrime and online sexual blackmail",
                ("cybercrime_reporting", "digital_support"),
                populations=("women", "girls", "digital_victims"),
                hours="court",
                forms=("digital",),
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Brigade fictive de l'arrondissement Nord, {fr}",
        "الدائرة الأمنية الشمالية الوهمية، {ar}",
        "ARR-N-{abbr}",
        "police_cell",
        "security",
        "Arrondissement de police Nord (fictif), {fr}",
        False,
        (
            ServiceSpec(
                "Accueil et plainte — arrondissement Nord",
                "الاستقبال والشكاية — الدائرة الشمالية",
                "Reception and complaint — North district",
                ("reception", "complaint"),
                hours="district",
            ),
            ServiceSpec(
                "Intervention en cas de danger immédiat — arrondissement Nord",
                "التدخل في حالة الخطر الوشيك — الدائرة الشمالية",
                "Response to immediate danger — North district",
                ("complaint", "protective_measures"),
                hours="always",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Brigade fictive de l'arrondissement Sud, {fr}",
        "الدائرة الأمنية الجنوبية الوهمية، {ar}",
        "ARR-S-{abbr}",
        "police_cell",
        "security",
        "Arrondissement de police Sud (fictif), {fr}",
        False,
        (
            ServiceSpec(
                "Accueil et plainte — arrondissement Sud",
                "الاستقبال والشكاية — الدائرة الجنوبية",
                "Reception and complaint — South district",
                ("reception", "complaint"),
                hours="district",
            ),
            ServiceSpec(
                "Intervention en cas de danger immédiat — arrondissement Sud",
                "التدخل في حالة الخطر الوشيك — الدائرة الجنوبية",
                "Response to immediate danger — South district",
                ("complaint", "protective_measures"),
                hours="always",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Cellule d'accueil — Gendarmerie royale, compagnie de {fr} (fictive)",
        "خلية الاستقبال — الدرك الملكي، سرية {ar} (وهمية)",
        "CPC-GR-{abbr}",
        "gendarmerie_cell",
        "security",
        "Compagnie de gendarmerie fictive de {fr}",
        False,
        (
            ServiceSpec(
                "Accueil des victimes en milieu rural",
                "استقبال الضحايا في الوسط القروي",
                "Reception of victims in rural areas",
                ("reception", "complaint"),
                hours="court",
            ),
            ServiceSpec(
                "Enquête et protection des victimes (gendarmerie)",
                "البحث وحماية الضحايا (الدرك)",
                "Investigation and protection of victims (gendarmerie)",
                ("complaint", "protective_measures"),
                hours="court",
            ),
            ServiceSpec(
                "Signalement de situations de traite (gendarmerie)",
                "التبليغ عن حالات الاتجار بالبشر (الدرك)",
                "Reporting trafficking situations (gendarmerie)",
                ("complaint",),
                populations=("trafficking_victims", "men_trafficking", "migrants"),
                hours="court",
                forms=("trafficking",),
            ),
        ),
    ),
    OrganisationSpec(
        "hospital-{city}",
        "",
        "",
        "",
        "hospital_cell",
        "health",
        "Hôpital provincial fictif de {fr}",
        False,
        (
            ServiceSpec(
                "Urgences et soins médicaux",
                "المستعجلات والعلاجات الطبية",
                "Emergency and medical care",
                ("medical_care",),
                populations=("women", "girls", "children"),
                hours="always",
            ),
            ServiceSpec(
                "Certificat médical et examen médico-légal",
                "الشهادة الطبية والفحص الطبي الشرعي",
                "Medical certificate and forensic examination",
                ("medical_certificate",),
                hours="always",
            ),
            ServiceSpec(
                "Prise en charge après viol (contraception d'urgence, prophylaxie)",
                "التكفل بعد الاغتصاب (منع الحمل الاستعجالي والوقاية)",
                "Care after rape (emergency contraception, prophylaxis)",
                ("sexual_health", "medical_care"),
                hours="always",
                forms=("sexual",),
            ),
            ServiceSpec(
                "Consultation de soutien psychologique (hôpital)",
                "استشارة الدعم النفسي (المستشفى)",
                "Psychological support clinic (hospital)",
                ("psychological",),
                hours="office",
            ),
        ),
    ),
    OrganisationSpec(
        "ngo-{city}",
        "",
        "",
        "",
        "ngo",
        "civil_society",
        "Local de l'Association Nour (fictif), {fr}",
        False,
        (
            ServiceSpec(
                "Centre d'écoute et d'orientation",
                "مركز الإنصات والتوجيه",
                "Listening and orientation centre",
                ("reception", "information"),
                hours="ngo",
            ),
            ServiceSpec(
                "Soutien psychologique individuel et en groupe",
                "الدعم النفسي الفردي والجماعي",
                "Individual and group psychological support",
                ("psychological",),
                hours="ngo",
            ),
            ServiceSpec(
                "Permanence juridique",
                "الاستشارة القانونية الدائمة",
                "Legal advice desk",
                ("legal_counselling",),
                hours="ngo",
            ),
            ServiceSpec(
                "Accompagnement social",
                "المواكبة الاجتماعية",
                "Social support",
                ("social_assistance",),
                hours="ngo",
            ),
            ServiceSpec(
                "Accompagnement face à la violence numérique",
                "المواكبة في مواجهة العنف الرقمي",
                "Support against digital violence",
                ("digital_support",),
                populations=("women", "girls", "digital_victims"),
                hours="ngo",
                forms=("digital",),
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Association fictive Droit et Justice — {fr}",
        "جمعية الحق والعدالة الوهمية — {ar}",
        "ADJ-{abbr}",
        "ngo",
        "civil_society",
        "Bureau de l'Association Droit et Justice (fictif), {fr}",
        False,
        (
            ServiceSpec(
                "Aide juridique et représentation en justice",
                "المساعدة القانونية والمؤازرة أمام القضاء",
                "Legal aid and representation",
                ("legal_aid",),
                hours="ngo",
            ),
            ServiceSpec(
                "Conseil juridique (famille, divorce, pension alimentaire)",
                "الاستشارة القانونية (الأسرة، الطلاق، النفقة)",
                "Legal counselling (family, divorce, maintenance)",
                ("legal_counselling",),
                hours="ngo",
                forms=("economic", "psychological"),
            ),
            ServiceSpec(
                "Aide aux démarches d'état civil et pièces d'identité",
                "المساعدة في مساطر الحالة المدنية ووثائق الهوية",
                "Help with civil status and identity documents",
                ("documents",),
                hours="ngo",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Association fictive Espoir des femmes — {fr}",
        "جمعية أمل النساء الوهمية — {ar}",
        "AEF-{abbr}",
        "ngo",
        "civil_society",
        "Maison de l'Association Espoir (fictive), {fr}",
        False,
        (
            ServiceSpec(
                "Espace d'écoute Espoir",
                "فضاء الإنصات أمل",
                "Espoir listening space",
                ("reception",),
                hours="ngo",
            ),
            ServiceSpec(
                "Formation professionnelle et activités génératrices de revenus",
                "التكوين المهني والأنشطة المدرة للدخل",
                "Vocational training and income-generating activities",
                ("economic_empowerment",),
                hours="ngo",
            ),
            ServiceSpec(
                "Accueil des femmes en situation de handicap",
                "استقبال النساء في وضعية إعاقة",
                "Reception of women with disabilities",
                ("reception", "social_assistance"),
                populations=("women", "disability"),
                hours="ngo",
            ),
            ServiceSpec(
                "Interprétariat et médiation",
                "الترجمة والوساطة",
                "Interpretation and mediation",
                ("interpretation",),
                populations=("women", "migrants"),
                hours="ngo",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Centre d'hébergement fictif Dar Al Amal — {fr}",
        "مركز الإيواء الوهمي دار الأمل — {ar}",
        "DAA-{abbr}",
        "shelter",
        "social",
        "Centre Dar Al Amal (adresse confidentielle), {fr}",
        True,
        (
            ServiceSpec(
                "Hébergement d'urgence",
                "الإيواء الاستعجالي",
                "Emergency shelter",
                ("emergency_shelter",),
                hours="always",
                capacity=True,
            ),
            ServiceSpec(
                "Hébergement de moyenne et longue durée",
                "الإيواء المتوسط والطويل الأمد",
                "Medium and longer-term shelter",
                ("long_term_shelter",),
                hours="always",
                capacity=True,
            ),
            ServiceSpec(
                "Soutien psychosocial des résidentes",
                "الدعم النفسي والاجتماعي للمقيمات",
                "Psychosocial support for residents",
                ("psychological", "social_assistance"),
                hours="office",
            ),
            ServiceSpec(
                "Accueil des mères avec enfants",
                "استقبال الأمهات مع أطفالهن",
                "Shelter for mothers with children",
                ("emergency_shelter", "child_protection"),
                populations=("women", "children"),
                hours="always",
            ),
        ),
    ),
    OrganisationSpec(
        None,
        "Espace multifonctionnel fictif pour femmes — {fr}",
        "الفضاء المتعدد الوظائف الوهمي للنساء — {ar}",
        "EMF-{abbr}",
        "ministerial_cell",
        "social",
        "Espace multifonctionnel (fictif), {fr}",
        False,
        (
            ServiceSpec(
                "Accueil, écoute et orientation (espace multifonctionnel)",
                "الاستقبال والإنصات والتوجيه (الفضاء المتعدد الوظائف)",
                "Reception, listening and orientation (multi-purpose centre)",
                ("reception", "information"),
                hours="office",
            ),
            ServiceSpec(
                "Autonomisation économique des femmes",
                "التمكين الاقتصادي للنساء",
                "Economic empowerment of women",
                ("economic_empowerment",),
                hours="office",
            ),
            ServiceSpec(
                "Accompagnement des familles et protection de l'enfance",
                "مواكبة الأسر وحماية الطفولة",
                "Family support and child protection",
                ("child_protection", "social_assistance"),
                populations=("women", "children"),
                hours="office",
            ),
        ),
    ),
)

RECEPTION_CENTRE_CITIES = ("casablanca", "tanger", "agadir")
RECEPTION_CENTRE = OrganisationSpec(
    None,  # Casablanca uses the accounts demo organisation "reception-casablanca"
    "Centre d'accueil fictif des victimes de la traite — {fr}",
    "مركز الاستقبال الوهمي لضحايا الاتجار بالبشر — {ar}",
    "CAVT-{abbr}",
    "reception_centre",
    "social",
    "Centre d'accueil (adresse confidentielle), {fr}",
    True,
    (
        ServiceSpec(
            "Accueil et hébergement des victimes de traite",
            "استقبال وإيواء ضحايا الاتجار بالبشر",
            "Reception and shelter of trafficking victims",
            ("trafficking_reception", "emergency_shelter"),
            populations=("trafficking_victims", "men_trafficking", "migrants", "women"),
            hours="always",
            forms=("trafficking",),
            capacity=True,
        ),
        ServiceSpec(
            "Identification des victimes de traite",
            "تحديد هوية ضحايا الاتجار بالبشر",
            "Identification of trafficking victims",
            ("trafficking_reception",),
            populations=("trafficking_victims", "men_trafficking", "migrants"),
            hours="office",
            forms=("trafficking",),
        ),
        ServiceSpec(
            "Interprétariat pour les victimes étrangères",
            "الترجمة للضحايا الأجانب",
            "Interpretation for foreign victims",
            ("interpretation",),
            populations=("migrants", "trafficking_victims"),
            hours="office",
        ),
        ServiceSpec(
            "Retour volontaire et réintégration",
            "العودة الطوعية وإعادة الإدماج",
            "Voluntary return and reintegration",
            ("return_reintegration",),
            populations=("migrants", "trafficking_victims", "men_trafficking"),
            hours="office",
        ),
        ServiceSpec(
            "Séjour des victimes étrangères et documents",
            "إقامة الضحايا الأجانب والوثائق",
            "Residence of foreign victims and documents",
            ("documents",),
            populations=("migrants", "trafficking_victims"),
            hours="office",
        ),
    ),
)

MIGRANT_NGO_CITIES = ("tanger", "rabat", "casablanca", "marrakech", "agadir")
MIGRANT_NGO = OrganisationSpec(
    None,
    "Association fictive Solidarité migrantes — {fr}",
    "جمعية التضامن مع المهاجرات الوهمية — {ar}",
    "ASM-{abbr}",
    "ngo",
    "civil_society",
    "Permanence Solidarité migrantes (fictive), {fr}",
    False,
    (
        ServiceSpec(
            "Accueil des femmes migrantes",
            "استقبال النساء المهاجرات",
            "Reception of migrant women",
            ("reception", "information"),
            populations=("women", "migrants"),
            hours="ngo",
        ),
        ServiceSpec(
            "Orientation vers les soins pour les migrantes",
            "التوجيه نحو العلاج للمهاجرات",
            "Health orientation for migrant women",
            ("information", "medical_care"),
            populations=("women", "migrants"),
            hours="ngo",
        ),
        ServiceSpec(
            "Aide aux démarches de séjour et d'asile",
            "المساعدة في مساطر الإقامة واللجوء",
            "Help with residence and asylum procedures",
            ("documents", "legal_counselling"),
            populations=("women", "migrants"),
            hours="ngo",
        ),
    ),
)

# National actors: (accounts demo key or None, name, name_ar, acronym, kind, sector, location, services, phone).
NATIONAL: tuple[tuple[OrganisationSpec, str], ...] = (
    (
        OrganisationSpec(
            "hotline-national",
            "",
            "",
            "",
            "hotline",
            "civil_society",
            "Ligne 8350 (virtuelle)",
            False,
            (
                ServiceSpec(
                    "Ligne d'écoute 8350 — femmes victimes de violence",
                    "خط الإنصات 8350 — النساء ضحايا العنف",
                    "8350 helpline — women victims of violence",
                    ("hotline", "reception", "psychological", "information"),
                    hours="always",
                ),
            ),
        ),
        "8350",
    ),
    (
        OrganisationSpec(
            None,
            "Numéro vert national contre la traite des personnes (fictif)",
            "الرقم الأخضر الوطني لمكافحة الاتجار بالبشر (وهمي)",
            "NV-TRAITE",
            "hotline",
            "government",
            "Numéro vert 0800 00 47 47 (virtuel)",
            False,
            (
                ServiceSpec(
                    "Numéro vert 0800 00 47 47 — traite des personnes",
                    "الرقم الأخضر 0800 00 47 47 — الاتجار بالبشر",
                    "0800 00 47 47 free line — trafficking in persons",
                    ("hotline", "information"),
                    populations=("trafficking_victims", "men_trafficking", "migrants", "women"),
                    hours="always",
                    forms=("trafficking",),
                ),
            ),
        ),
        "0800 00 47 47",
    ),
    (
        OrganisationSpec(
            None,
            "Plateforme e-Blagh — signalement en ligne (fiche de démonstration)",
            "منصة إبلاغ — التبليغ عبر الإنترنت (بطاقة تجريبية)",
            "E-BLAGH",
            "police_cell",
            "security",
            "e-Blagh (en ligne)",
            False,
            (
                ServiceSpec(
                    "e-Blagh : signaler en ligne le chantage sexuel et la cybercriminalité",
                    "إبلاغ: التبليغ عبر الإنترنت عن الابتزاز الجنسي والجريمة الإلكترونية",
                    "e-Blagh: online reporting of sexual blackmail and cybercrime",
                    ("cybercrime_reporting", "complaint"),
                    populations=("women", "girls", "digital_victims"),
                    hours="always",
                    forms=("digital",),
                ),
            ),
        ),
        "",
    ),
    (
        OrganisationSpec(
            None,
            "Association fictive Cyber-Sécurité des femmes",
            "جمعية الأمن السيبراني للنساء الوهمية",
            "ACSF",
            "ngo",
            "civil_society",
            "Permanence en ligne Cyber-Sécurité (virtuelle)",
            False,
            (
                ServiceSpec(
                    "Préservation des preuves et signalement aux plateformes",
                    "حفظ الأدلة والتبليغ لدى المنصات",
                    "Evidence preservation and reporting to platforms",
                    ("digital_support",),
                    populations=("women", "girls", "digital_victims"),
                    hours="ngo",
                    forms=("digital",),
                ),
                ServiceSpec(
                    "Retrait d'images intimes diffusées sans consentement",
                    "سحب الصور الحميمية المنشورة دون موافقة",
                    "Takedown of intimate images shared without consent",
                    ("digital_support", "legal_counselling"),
                    populations=("women", "girls", "digital_victims"),
                    hours="ngo",
                    forms=("digital",),
                ),
            ),
        ),
        "",
    ),
    (
        OrganisationSpec(
            "prosecutor-casablanca",
            "",
            "",
            "",
            "prosecutor",
            "justice",
            "Parquet fictif de Casablanca",
            False,
            (
                ServiceSpec(
                    "Permanence du parquet — violences faites aux femmes",
                    "الديمومة بالنيابة العامة — العنف ضد النساء",
                    "Prosecutor's duty desk — violence against women",
                    ("complaint", "protective_measures"),
                    hours="court",
                ),
            ),
        ),
        "",
    ),
)

# Alerts: (city, service name, alert, days until it ends; negative = already ended).
ALERTS: tuple[tuple[str, str, str, int], ...] = (
    ("kenitra", "Formation professionnelle et activités génératrices de revenus", "Session complète jusqu'à la rentrée.", 45),
    ("rabat", "Centre d'écoute et d'orientation", "Permanence déplacée au 1er étage pendant les travaux.", 20),
    ("marrakech", "Permanence juridique", "Pas de permanence le samedi ce mois-ci.", 10),
    ("agadir", "Espace d'écoute Espoir", "Fermé pendant la formation de l'équipe (alerte échue).", -5),
)  # fmt: skip

# Forced statuses (so that every screen has each case): (city or "", service name, status).
STATUSES: tuple[tuple[str, str, str], ...] = (
    ("kenitra", "Formation professionnelle et activités génératrices de revenus", "temporarily closed"),
    ("errachidia", "Accueil des mères avec enfants", "temporarily closed"),
    ("rabat", "Hébergement de moyenne et longue durée", "active_not_accepting"),
    ("casablanca", "Hébergement d'urgence", "active_not_accepting"),
    ("tanger", "Accueil et hébergement des victimes de traite", "active_not_accepting"),
    ("marrakech", "Intervention en cas de danger immédiat — arrondissement Sud", "inactive"),
    ("errachidia", "Accueil des femmes en situation de handicap", "defunct"),
    ("meknes", "Interprétariat et médiation", "defunct"),
)

# Pending change proposals: (accounts demo organisation key, service name, demo user local part, changes).
PROPOSALS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("court-rabat", "Enregistrement des plaintes et orientation vers le parquet", "caseworker",
     {"wait_time": "Audition le jour même, sans rendez-vous."}),
    ("court-tanger", "Accueil et écoute des femmes victimes de violence", "caseworker.tanger",
     {"application_process": "Se présenter au bureau 4 avec une pièce d'identité si possible."}),
    ("shelter-meknes", "Soutien psychosocial des résidentes", "provider",
     {"description": "Entretiens individuels et ateliers de groupe deux fois par semaine."}),
    ("hotline-national", "Ligne d'écoute 8350 — femmes victimes de violence", "hotline",
     {"interpretation_services": "Écoute en arabe, darija, amazighe (tachelhit, tamazight, tarifit) et français."}),
)  # fmt: skip
