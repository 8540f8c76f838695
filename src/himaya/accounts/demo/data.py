"""Fictional demo organisations and one demo user per role. Every name here is invented."""

from __future__ import annotations

DEMO_PASSWORD = "himaya-demo-2026"  # noqa: S105  (demo only; the loader refuses to run in production)
DEMO_DOMAIN = "demo.himaya.invalid"

# key, name, name_ar, acronym, kind, sector, city slug (None: national)
ORGANISATIONS: list[tuple[str, str, str, str, str, str, str | None]] = []

_CITY_NAMES = {
    "tanger": ("Tanger", "طنجة"),
    "kenitra": ("Kénitra", "القنيطرة"),
    "rabat": ("Rabat", "الرباط"),
    "casablanca": ("Casablanca", "الدار البيضاء"),
    "meknes": ("Meknès", "مكناس"),
    "marrakech": ("Marrakech", "مراكش"),
    "agadir": ("Agadir", "أكادير"),
    "errachidia": ("Errachidia", "الرشيدية"),
}

for _slug, (_fr, _ar) in _CITY_NAMES.items():
    ORGANISATIONS += [
        (
            f"court-{_slug}",
            f"Cellule de prise en charge — TPI de {_fr} (fictive)",
            f"خلية التكفل — المحكمة الابتدائية {_ar} (وهمية)",
            f"CPC-TPI-{_slug[:3].upper()}",
            "court_cell",
            "justice",
            _slug,
        ),
        (
            f"police-{_slug}",
            f"Cellule d'accueil — Préfecture de police de {_fr} (fictive)",
            f"خلية الاستقبال — ولاية الأمن {_ar} (وهمية)",
            f"CPC-DGSN-{_slug[:3].upper()}",
            "police_cell",
            "security",
            _slug,
        ),
        (
            f"hospital-{_slug}",
            f"Unité de prise en charge — Hôpital provincial de {_fr} (fictive)",
            f"وحدة التكفل — المستشفى الإقليمي {_ar} (وهمية)",
            f"UPC-H-{_slug[:3].upper()}",
            "hospital_cell",
            "health",
            _slug,
        ),
        (
            f"ngo-{_slug}",
            f"Association Nour d'écoute de {_fr} (fictive)",
            f"جمعية نور للإنصات {_ar} (وهمية)",
            f"ANE-{_slug[:3].upper()}",
            "ngo",
            "civil_society",
            _slug,
        ),
    ]

ORGANISATIONS += [
    (
        "shelter-meknes",
        "Centre d'hébergement Dar Amane, Meknès (fictif)",
        "مركز الإيواء دار الأمان، مكناس (وهمي)",
        "DAR-AMANE",
        "shelter",
        "social",
        "meknes",
    ),
    (
        "reception-casablanca",
        "Centre d'accueil des victimes de la traite, Casablanca (fictif)",
        "مركز استقبال ضحايا الاتجار بالبشر، الدار البيضاء (وهمي)",
        "CAVT-CAS",
        "reception_centre",
        "social",
        "casablanca",
    ),
    (
        "prosecutor-casablanca",
        "Parquet près le TPI de Casablanca (fictif)",
        "النيابة العامة لدى المحكمة الابتدائية بالدار البيضاء (وهمية)",
        "PAR-CAS",
        "prosecutor",
        "justice",
        "casablanca",
    ),
    (
        "hotline-national",
        "Ligne d'écoute nationale (fictive)",
        "خط الإنصات الوطني (وهمي)",
        "LEN",
        "hotline",
        "civil_society",
        None,
    ),
    (
        "commission-national",
        "Commission nationale de coordination (fictive)",
        "اللجنة الوطنية للتنسيق (وهمية)",
        "CNC",
        "national_commission",
        "government",
        None,
    ),
    (
        "observatory-national",
        "Observatoire national des violences (fictif)",
        "المرصد الوطني للعنف (وهمي)",
        "ONV",
        "national_commission",
        "government",
        None,
    ),
    (
        "commission-draa-tafilalet",
        "Commission régionale Drâa-Tafilalet (fictive)",
        "اللجنة الجهوية درعة-تافيلالت (وهمية)",
        "CR-DT",
        "regional_commission",
        "government",
        "errachidia",
    ),
    (
        "operator",
        "Himaya — exploitation technique (fictif)",
        "حماية — التدبير التقني (وهمي)",
        "HIM-OPS",
        "other",
        "government",
        None,
    ),
]

# email local part, full name, organisation key, roles, analyst scope (region code) if any
USERS: list[tuple[str, str, str, list[str], str | None]] = [
    ("caseworker", "Salma Benali", "court-rabat", ["caseworker"], None),
    ("supervisor", "Nadia El Idrissi", "court-rabat", ["supervisor"], None),
    ("caseworker.tanger", "Khadija Ouazzani", "court-tanger", ["caseworker"], None),
    ("provider", "Meryem Alaoui", "shelter-meknes", ["service_provider"], None),
    ("hotline", "Fatima Zahra Tazi", "hotline-national", ["hotline_operator"], None),
    ("judicial", "Youssef Berrada", "prosecutor-casablanca", ["judicial_officer"], None),
    ("analyst.region", "Hassan Amrani", "commission-draa-tafilalet", ["territorial_analyst"], "08"),
    ("analyst.national", "Leila Chraibi", "observatory-national", ["national_analyst"], None),
    ("editor", "Omar Fassi", "commission-national", ["directory_editor"], None),
    ("admin", "Rachid Kettani", "operator", ["system_admin"], None),
]
