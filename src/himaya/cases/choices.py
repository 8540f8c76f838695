"""The closed lists of case management (domain.md), translated; codes are stable and exported as is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("not known")


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    UNKNOWN = "unknown", _("not known")


class AgeGroup(models.TextChoices):
    """Statistics age groups (GBVIMS splits children at 12 and 18)."""

    CHILD_0_11 = "0-11", _("0-11 years")
    CHILD_12_17 = "12-17", _("12-17 years")
    ADULT_18_24 = "18-24", _("18-24 years")
    ADULT_25_39 = "25-39", _("25-39 years")
    ADULT_40_59 = "40-59", _("40-59 years")
    ADULT_60 = "60+", _("60 years and over")
    UNKNOWN = "unknown", _("not known")


class MigrationStatus(models.TextChoices):
    CITIZEN = "citizen", _("Moroccan citizen")
    REGULAR_MIGRANT = "regular_migrant", _("migrant with a residence permit")
    IRREGULAR_MIGRANT = "irregular_migrant", _("migrant in an irregular situation")
    ASYLUM_SEEKER = "asylum_seeker", _("asylum seeker")
    REFUGEE = "refugee", _("refugee")
    STATELESS = "stateless", _("stateless")
    UNKNOWN = "unknown", _("not known")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("single")
    MARRIED = "married", _("married")
    UNREGISTERED_MARRIAGE = "unregistered_marriage", _("married without a marriage certificate (Fatiha)")
    SEPARATED = "separated", _("separated")
    DIVORCED = "divorced", _("divorced")
    WIDOWED = "widowed", _("widowed")
    UNKNOWN = "unknown", _("not known")


class Disability(models.TextChoices):
    NONE = "none", _("none")
    PHYSICAL = "physical", _("physical")
    SENSORY = "sensory", _("sensory (sight, hearing)")
    INTELLECTUAL = "intellectual", _("intellectual")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial")
    MULTIPLE = "multiple", _("multiple")
    UNKNOWN = "unknown", _("not known")


class Education(models.TextChoices):
    NONE = "none", _("no schooling")
    PRIMARY = "primary", _("primary")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary (collège)")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary (lycée)")
    HIGHER = "higher", _("higher education")
    VOCATIONAL = "vocational", _("vocational training")
    UNKNOWN = "unknown", _("not known")


class Occupation(models.TextChoices):
    UNEMPLOYED = "unemployed", _("unemployed")
    STUDENT = "student", _("pupil or student")
    HOMEMAKER = "homemaker", _("homemaker")
    DOMESTIC_WORKER = "domestic_worker", _("domestic worker")
    AGRICULTURAL_WORKER = "agricultural_worker", _("agricultural worker")
    EMPLOYEE = "employee", _("employee")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    INFORMAL_WORKER = "informal_worker", _("informal work")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("not known")


class IdDocumentType(models.TextChoices):
    CNIE = "cnie", _("national identity card (CNIE)")
    PASSPORT = "passport", _("passport")
    RESIDENCE_CARD = "residence_card", _("residence card")
    REFUGEE_CARD = "refugee_card", _("refugee or asylum-seeker card")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    OTHER = "other", _("other document")


class ContactMethod(models.TextChoices):
    """How the survivor may safely be contacted."""

    PHONE_CALL = "phone_call", _("phone call")
    TEXT_MESSAGE = "text_message", _("text message")
    MESSAGING_APP = "messaging_app", _("messaging application")
    IN_PERSON = "in_person", _("in person only")
    THROUGH_THIRD_PARTY = "third_party", _("through a trusted person or organisation")
    DO_NOT_CONTACT = "none", _("do not contact")


class EntryPoint(models.TextChoices):
    COURT_CELL = "court_cell", _("care cell in a court")
    POLICE_CELL = "police_cell", _("police care cell (DGSN)")
    GENDARMERIE_CELL = "gendarmerie_cell", _("gendarmerie care cell")
    HOSPITAL_CELL = "hospital_cell", _("hospital care cell")
    NGO = "ngo", _("association (NGO)")
    HOTLINE = "hotline", _("hotline")
    RECEPTION_CENTRE = "reception_centre", _("reception centre")
    SELF_REFERRAL = "self_referral", _("came on her own")
    LABOUR_INSPECTION = "labour_inspection", _("labour inspection")
    CONSULATE = "consulate", _("consulate or embassy")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("international organisation")
    OUTREACH = "outreach", _("outreach")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSURE_REQUESTED = "closure_requested", _("closure requested")
    CLOSED = "closed", _("closed")


class Stage(models.TextChoices):
    """The NRM continuum (domain.md, "Case lifecycle"), in order."""

    RECEPTION = "reception", _("reception")
    ASSESSMENT = "assessment", _("assessment")
    IDENTIFICATION = "identification", _("identification (presumed victim of trafficking)")
    PLAN = "plan", _("plan")
    PROTECTION = "protection", _("protection and assistance")
    JUDICIAL = "judicial", _("judicial proceedings")
    RETURN = "return", _("return and reintegration")
    FOLLOW_UP = "follow_up", _("follow-up")
    CLOSURE = "closure", _("closure")


class ClosureReason(models.TextChoices):
    """Why a case is closed (the closure request says it; the supervisor approves it)."""

    GOALS_MET = "goals_met", _("the plan's goals are met")
    SURVIVOR_DECLINED = "survivor_declined", _("she no longer wants support")
    NO_CONTACT = "no_contact", _("no contact for a long time")
    MOVED = "moved", _("she moved away")
    TRANSFERRED = "transferred", _("the case was transferred to another organisation")
    RETURNED = "returned", _("return to her country or region completed")
    DECEASED = "deceased", _("she died")
    OTHER = "other", _("other reason (explained)")


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class RiskLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("not assessed")
    STANDARD = "standard", _("standard")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class IntakeStep(models.TextChoices):
    """Where the intake of a new case stands; each step is saved on its own."""

    SURVIVOR = "survivor", _("the person")
    CONSENT = "consent", _("consent")
    INCIDENT = "incident", _("what happened")
    NEEDS = "needs", _("immediate needs")
    DONE = "done", _("complete")


# ---------------------------------------------------------------------------------------------- incidents


class LawForm(models.TextChoices):
    """Forms of violence of Law 103-13 (several may apply)."""

    PHYSICAL = "physical", _("physical violence")
    SEXUAL = "sexual", _("sexual violence")
    PSYCHOLOGICAL = "psychological", _("psychological violence")
    ECONOMIC = "economic", _("economic violence")


class GbvType(models.TextChoices):
    """GBVIMS core type, computed from the classification answers (never typed by hand)."""

    RAPE = "rape", _("rape")
    SEXUAL_ASSAULT = "sexual_assault", _("sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("forced marriage")
    DENIAL_OF_RESOURCES = "denial_of_resources", _("denial of resources, opportunities or services")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("psychological or emotional abuse")
    NON_GBV = "non_gbv", _("not gender-based violence")


class TechForm(models.TextChoices):
    """Technology-facilitated violence."""

    CYBER_HARASSMENT = "cyber_harassment", _("cyber-harassment")
    INTIMATE_IMAGES = "intimate_images", _("non-consensual sharing of intimate images")
    SEXTORTION = "sextortion", _("sextortion")
    DOXXING = "doxxing", _("doxxing (publishing personal information)")
    CYBERSTALKING = "cyberstalking", _("cyberstalking or tracking")
    IMPERSONATION = "impersonation", _("impersonation or fake profiles")
    ACCOUNT_HACKING = "account_hacking", _("account hacking")
    ONLINE_THREATS = "online_threats", _("online threats")
    DEEPFAKES = "deepfakes", _("synthetic sexual images (deepfakes)")


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"
    TIKTOK = "tiktok", "TikTok"
    SNAPCHAT = "snapchat", "Snapchat"
    TELEGRAM = "telegram", "Telegram"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X (Twitter)"
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text messages")
    DATING_APP = "dating_app", _("dating application")
    GAMING = "gaming", _("online game")
    OTHER = "other", _("other")


class TraffickingForm(models.TextChoices):
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("forced labour or services")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("domestic servitude")
    FORCED_BEGGING = "forced_begging", _("forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("forced criminality")
    SLAVERY = "slavery", _("slavery or similar practices")
    ORGAN_REMOVAL = "organ_removal", _("removal of organs")
    FORCED_MARRIAGE = "forced_marriage", _("forced or servile marriage")
    CHILD_ARMED_CONFLICT_OR_PORNOGRAPHY = (
        "child_conflict_or_pornography",
        _("exploitation of children in armed conflict or pornography"),
    )


class PlaceType(models.TextChoices):
    HOME = "home", _("home")
    MARITAL_HOME = "marital_home", _("marital home")
    WORKPLACE = "workplace", _("workplace")
    PUBLIC_SPACE = "public_space", _("public space")
    ONLINE = "online", _("online")
    INSTITUTION = "institution", _("institution (school, hospital, centre…)")
    MIGRATION = "migration", _("during migration")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("not known")


class Relationship(models.TextChoices):
    HUSBAND = "husband", _("husband or ex-husband")
    FIANCE = "fiance", _("fiancé or partner")
    FAMILY_MEMBER = "family_member", _("family member")
    EMPLOYER = "employer", _("employer")
    RECRUITER = "recruiter", _("recruiter or intermediary")
    STRANGER = "stranger", _("stranger")
    OFFICIAL = "official", _("official")
    OTHER_KNOWN = "other_known", _("other known person")
    UNKNOWN = "unknown", _("not known")


class PerpetratorAgeGroup(models.TextChoices):
    UNDER_18 = "under_18", _("under 18")
    AGE_18_25 = "18-25", _("18-25")
    AGE_26_40 = "26-40", _("26-40")
    AGE_41_60 = "41-60", _("41-60")
    OVER_60 = "60+", _("over 60")
    UNKNOWN = "unknown", _("not known")


class ReportingDelay(models.TextChoices):
    """Days from the incident to the report to us (GBVIMS buckets)."""

    DAYS_0_3 = "0-3", _("0-3 days")
    DAYS_4_5 = "4-5", _("4-5 days")
    DAYS_6_14 = "6-14", _("6-14 days")
    DAYS_15_30 = "15-30", _("15 days to 1 month")
    OVER_MONTH = "over_month", _("more than 1 month")
    UNKNOWN = "unknown", _("not known")


# ---------------------------------------------------------------------------------------------- consent


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("to receive services from this organisation")
    SHARING = "sharing", _("to share information with a named organisation")
    STATISTICS = "statistics", _("to be counted in de-identified statistics")


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("the survivor herself")
    GUARDIAN = "guardian", _("a parent or guardian (child)")
    BEST_INTEREST = "best_interest", _("best interest of the child decision")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("verbal")
    WRITTEN = "written", _("written")
    SIGNED = "signed", _("signed form")


class SharedInformation(models.TextChoices):
    """What a sharing consent (and a referral) may pass on; the code and needs are always the minimum."""

    CODE_AND_NEEDS = "code_and_needs", _("case code, needs and urgency")
    PROFILE = "profile", _("age group, sex, nationality, languages")
    NAMES = "names", _("names")
    CONTACT = "contact", _("contact details and safe-contact instructions")
    ID_DOCUMENT = "id_document", _("identity document")
    INCIDENT_SUMMARY = "incident_summary", _("summary of the incidents")
    ASSESSMENTS = "assessments", _("risk and screening results")
    DOCUMENTS = "documents", _("documents")


# ---------------------------------------------------------------------------------------------- follow-up


class ContactKind(models.TextChoices):
    VISIT = "visit", _("visit to the office")
    HOME_VISIT = "home_visit", _("home visit")
    CALL = "call", _("phone call")
    MESSAGE = "message", _("message")
    ACCOMPANIMENT = "accompaniment", _("accompaniment")
    OTHER = "other", _("other")


class DocumentKind(models.TextChoices):
    MEDICAL_CERTIFICATE = "medical_certificate", _("medical certificate")
    COMPLAINT = "complaint", _("complaint")
    COURT_DOCUMENT = "court_document", _("court document")
    IDENTITY_DOCUMENT = "identity_document", _("identity document")
    CONSENT_FORM = "consent_form", _("signed consent form")
    EVIDENCE = "evidence", _("evidence (screenshots, messages…)")
    OTHER = "other", _("other")
