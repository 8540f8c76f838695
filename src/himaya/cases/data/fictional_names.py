"""Fictional people for the demo and the benchmarks: Moroccan names in Latin and Arabic script, and names from
the sub-Saharan countries of origin most often met in Morocco (Latin script; Arabic where it is usual).

Drawn at random and combined, these never describe a real person; phones use the reserved-looking 06 00 … range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (Latin, Arabic)
MOROCCAN_GIVEN = [
    ("Fatima", "فاطمة"),
    ("Khadija", "خديجة"),
    ("Aicha", "عائشة"),
    ("Meryem", "مريم"),
    ("Naima", "نعيمة"),
    ("Zineb", "زينب"),
    ("Hafsa", "حفصة"),
    ("Salma", "سلمى"),
    ("Imane", "إيمان"),
    ("Hanane", "حنان"),
    ("Samira", "سميرة"),
    ("Latifa", "لطيفة"),
    ("Rachida", "رشيدة"),
    ("Nadia", "نادية"),
    ("Souad", "سعاد"),
    ("Malika", "مليكة"),
    ("Karima", "كريمة"),
    ("Hind", "هند"),
    ("Asmae", "أسماء"),
    ("Loubna", "لبنى"),
    ("Ghizlane", "غزلان"),
    ("Siham", "سهام"),
    ("Houda", "هدى"),
    ("Wafae", "وفاء"),
    ("Sanaa", "سناء"),
    ("Btissam", "ابتسام"),
    ("Ilham", "إلهام"),
    ("Yasmine", "ياسمين"),
    ("Oumaima", "أميمة"),
    ("Chaimae", "شيماء"),
    ("Kawtar", "كوثر"),
    ("Nisrine", "نسرين"),
    ("Fadwa", "فدوى"),
    ("Amal", "أمل"),
    ("Hajar", "هاجر"),
    ("Ikram", "إكرام"),
    ("Safae", "صفاء"),
    ("Mounia", "منية"),
    ("Itto", "إيطو"),
    ("Tounza", "تونزة"),
]
MOROCCAN_FAMILY = [
    ("El Amrani", "العمراني"),
    ("Benali", "بن علي"),
    ("Alaoui", "العلوي"),
    ("Bennani", "بناني"),
    ("El Idrissi", "الإدريسي"),
    ("Tazi", "التازي"),
    ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"),
    ("El Fassi", "الفاسي"),
    ("Ouazzani", "الوزاني"),
    ("Benjelloun", "بنجلون"),
    ("Lahlou", "لحلو"),
    ("Bouazza", "بوعزة"),
    ("El Haddad", "الحداد"),
    ("Naciri", "الناصري"),
    ("Zerouali", "الزروالي"),
    ("Amziane", "أمزيان"),
    ("Ait Ali", "آيت علي"),
    ("Ouhadi", "أوهادي"),
    ("Boutaleb", "بوطالب"),
    ("El Mansouri", "المنصوري"),
    ("Kabbaj", "القباج"),
    ("Sebti", "السبتي"),
    ("Moussaoui", "الموساوي"),
    ("Rami", "رامي"),
    ("Hamdaoui", "الحمداوي"),
    ("Saidi", "السعيدي"),
    ("Belkadi", "بلقاضي"),
    ("Jebli", "الجبلي"),
    ("Rifi", "الريفي"),
    ("Soussi", "السوسي"),
    ("Ziani", "الزياني"),
]
# (Latin given names, Latin family names, ISO country)
SUB_SAHARAN = {
    "SN": (
        ["Aminata", "Fatou", "Awa", "Mariama", "Ndeye", "Khady", "Coumba", "Astou"],
        ["Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Gueye", "Faye", "Sarr"],
    ),
    "CI": (
        ["Adjoua", "Aya", "Affoué", "Akissi", "Mariam", "Nadège", "Grâce", "Estelle"],
        ["Kouassi", "Kouamé", "Koné", "Yao", "Ouattara", "Traoré", "Bamba", "Konan"],
    ),
    "CM": (
        ["Brigitte", "Solange", "Nadine", "Clarisse", "Mireille", "Josiane", "Carine", "Vanessa"],
        ["Mbarga", "Ngono", "Fotso", "Tchoumi", "Essomba", "Nkoulou", "Kamga", "Atangana"],
    ),
    "NG": (
        ["Blessing", "Joy", "Precious", "Favour", "Chioma", "Ngozi", "Esther", "Gift"],
        ["Okafor", "Adeyemi", "Eze", "Okonkwo", "Ibrahim", "Bello", "Nwosu", "Adebayo"],
    ),
    "GN": (
        ["Fatoumata", "Mariama", "Kadiatou", "Hawa", "Aissatou", "Djenabou", "Oumou", "Fanta"],
        ["Barry", "Bah", "Camara", "Condé", "Sylla", "Soumah", "Keita", "Touré"],
    ),
    "ML": (
        ["Awa", "Kadidia", "Rokia", "Oumou", "Salimata", "Bintou", "Assitan", "Nana"],
        ["Traoré", "Coulibaly", "Keïta", "Diarra", "Sissoko", "Maïga", "Dembélé", "Sangaré"],
    ),
    "CD": (
        ["Grâce", "Divine", "Merveille", "Chantal", "Esther", "Ruth", "Nathalie", "Patience"],
        ["Mukendi", "Kabila", "Ilunga", "Tshisekedi", "Kalala", "Mbuyi", "Lukusa", "Ngalula"],
    ),
}
MIGRANT_SHARE = 0.12


@dataclass(frozen=True)
class FictionalPerson:
    given_name_latin: str
    family_name_latin: str
    given_name_arabic: str
    family_name_arabic: str
    nationality: str
    phone: str


def person(rng: random.Random) -> FictionalPerson:
    phone = f"06{rng.randrange(10**8):08d}"
    if rng.random() < MIGRANT_SHARE:
        country = rng.choice(sorted(SUB_SAHARAN))
        given, family = SUB_SAHARAN[country]
        return FictionalPerson(rng.choice(given), rng.choice(family), "", "", country, phone)
    given_latin, given_arabic = rng.choice(MOROCCAN_GIVEN)
    family_latin, family_arabic = rng.choice(MOROCCAN_FAMILY)
    return FictionalPerson(given_latin, family_latin, given_arabic, family_arabic, "MA", phone)
