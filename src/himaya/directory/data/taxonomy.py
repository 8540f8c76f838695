"""The two-facet service taxonomy of domain.md (needs and populations), in French, Arabic and English.

Data, not code: a data migration loads these rows into ``TaxonomyTerm``; partners may add terms later. Codes
are stable (they appear in URLs, exports and imports); labels may be improved at will.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    code: str
    family: str
    fr: str
    ar: str
    en: str


# Service families group the needs for the gap analysis (one column each).
FAMILIES: dict[str, tuple[str, str, str]] = {
    "reception": (
        "Accueil, écoute et orientation",
        "الاستقبال والإنصات والتوجيه",
        "Reception, listening and orientation",
    ),
    "justice": ("Plainte et justice", "الشكاية والعدالة", "Complaint and justice"),
    "health": ("Santé et certificat médical", "الصحة والشهادة الطبية", "Health and medical certificate"),
    "psychosocial": (
        "Soutien psychologique et social",
        "الدعم النفسي والاجتماعي",
        "Psychological and social support",
    ),
    "legal": ("Conseil et aide juridiques", "الاستشارة والمساعدة القانونية", "Legal advice and aid"),
    "shelter": ("Hébergement", "الإيواء", "Shelter"),
    "trafficking": ("Traite des personnes", "الاتجار بالبشر", "Trafficking in persons"),
    "children": ("Protection de l'enfance", "حماية الطفولة", "Child protection"),
    "economic": ("Autonomisation et documents", "التمكين والوثائق", "Empowerment and documents"),
    "digital": ("Violence numérique", "العنف الرقمي", "Digital violence"),
    "hotline": ("Lignes d'écoute", "خطوط الاستماع", "Hotlines"),
}

NEEDS: tuple[Term, ...] = (
    Term("reception", "reception", "Accueil et écoute", "الاستقبال والإنصات", "Reception and listening"),
    Term(
        "information",
        "reception",
        "Information et orientation",
        "الإرشاد والتوجيه",
        "Information and orientation",
    ),
    Term("complaint", "justice", "Enregistrement de la plainte", "تسجيل الشكاية", "Complaint registration"),
    Term("medical_care", "health", "Soins médicaux", "العلاجات الطبية", "Medical care"),
    Term(
        "medical_certificate",
        "health",
        "Certificat médical et examen médico-légal",
        "الشهادة الطبية والفحص الطبي الشرعي",
        "Medical certificate and forensic examination",
    ),
    Term(
        "sexual_health",
        "health",
        "Santé sexuelle et reproductive (dont urgence après viol)",
        "الصحة الجنسية والإنجابية (بما فيها الرعاية المستعجلة بعد الاغتصاب)",
        "Sexual and reproductive health (incl. emergency care after rape)",
    ),
    Term("psychological", "psychosocial", "Soutien psychologique", "الدعم النفسي", "Psychological support"),
    Term("legal_counselling", "legal", "Conseil juridique", "الاستشارة القانونية", "Legal counselling"),
    Term(
        "legal_aid",
        "legal",
        "Représentation en justice / aide juridictionnelle",
        "المؤازرة أمام القضاء / المساعدة القضائية",
        "Legal representation / legal aid",
    ),
    Term(
        "protective_measures",
        "justice",
        "Mesures de protection (tribunal)",
        "تدابير الحماية (المحكمة)",
        "Protective measures (court)",
    ),
    Term("emergency_shelter", "shelter", "Hébergement d'urgence", "الإيواء الاستعجالي", "Emergency shelter"),
    Term(
        "long_term_shelter",
        "shelter",
        "Hébergement de longue durée",
        "الإيواء طويل الأمد",
        "Longer-term shelter",
    ),
    Term(
        "trafficking_reception",
        "trafficking",
        "Centre d'accueil des victimes de traite",
        "مركز استقبال ضحايا الاتجار بالبشر",
        "Trafficking reception centre",
    ),
    Term("child_protection", "children", "Protection de l'enfance", "حماية الطفولة", "Child protection"),
    Term(
        "social_assistance", "psychosocial", "Assistance sociale", "المساعدة الاجتماعية", "Social assistance"
    ),
    Term(
        "economic_empowerment",
        "economic",
        "Autonomisation économique et formation professionnelle",
        "التمكين الاقتصادي والتكوين المهني",
        "Economic empowerment and vocational training",
    ),
    Term(
        "documents",
        "economic",
        "État civil, pièces d'identité, séjour des étrangers",
        "الحالة المدنية ووثائق الهوية وإقامة الأجانب",
        "Civil status, identity documents, residence for foreigners",
    ),
    Term("interpretation", "reception", "Interprétariat", "الترجمة الفورية", "Interpretation"),
    Term(
        "return_reintegration",
        "trafficking",
        "Retour volontaire et réintégration",
        "العودة الطوعية وإعادة الإدماج",
        "Voluntary return and reintegration",
    ),
    Term(
        "digital_support",
        "digital",
        "Soutien face à la violence numérique (preuves, signalement, retrait)",
        "الدعم في مواجهة العنف الرقمي (حفظ الأدلة، التبليغ، السحب)",
        "Digital-violence support (evidence, reporting to platforms, takedown)",
    ),
    Term(
        "cybercrime_reporting",
        "digital",
        "Signalement de la cybercriminalité",
        "التبليغ عن الجريمة الإلكترونية",
        "Cybercrime reporting",
    ),
    Term("hotline", "hotline", "Ligne d'écoute", "خط الاستماع", "Hotline"),
)

POPULATIONS: tuple[Term, ...] = (
    Term("women", "", "Femmes", "النساء", "Women"),
    Term("girls", "", "Filles", "الفتيات", "Girls"),
    Term("children", "", "Enfants", "الأطفال", "Children"),
    Term("men_trafficking", "", "Hommes (traite)", "الرجال (الاتجار بالبشر)", "Men (trafficking)"),
    Term(
        "migrants",
        "",
        "Migrants, réfugiés et demandeurs d'asile",
        "المهاجرون واللاجئون وطالبو اللجوء",
        "Migrants, refugees and asylum seekers",
    ),
    Term(
        "disability",
        "",
        "Personnes en situation de handicap",
        "الأشخاص في وضعية إعاقة",
        "Persons with disabilities",
    ),
    Term("trafficking_victims", "", "Victimes de traite", "ضحايا الاتجار بالبشر", "Victims of trafficking"),
    Term(
        "digital_victims",
        "",
        "Victimes de violence facilitée par la technologie",
        "ضحايا العنف الميسر بالتكنولوجيا",
        "Victims of technology-facilitated violence",
    ),
)

# Languages as codes (domain.md). Labels: French, Arabic, English.
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "ar": ("Arabe", "العربية", "Arabic"),
    "ary": ("Darija", "الدارجة", "Moroccan Darija"),
    "zgh": ("Amazighe standard", "الأمازيغية المعيارية", "Standard Amazigh"),
    "tzm": ("Tamazight", "تمازيغت", "Central Atlas Tamazight"),
    "shi": ("Tachelhit", "تاشلحيت", "Tachelhit"),
    "rif": ("Tarifit", "تاريفيت", "Tarifit"),
    "fr": ("Français", "الفرنسية", "French"),
    "en": ("Anglais", "الإنجليزية", "English"),
    "es": ("Espagnol", "الإسبانية", "Spanish"),
}

NEEDS_TAXONOMY = (
    "himaya-needs",
    "Himaya — besoins / familles de services",
    "Service families and needs (domain.md)",
)
POPULATIONS_TAXONOMY = ("himaya-populations", "Himaya — populations", "Populations served (domain.md)")
