"""Main cities with coordinates (WGS84, city centre) and their province or prefecture (HCP code)."""

from __future__ import annotations

# slug, name_fr, name_ar, province code, latitude, longitude
CITIES: list[tuple[str, str, str, str, float, float]] = [
    ("tanger", "Tanger", "طنجة", "01.511", 35.7673, -5.7998),
    ("kenitra", "Kénitra", "القنيطرة", "04.281", 34.2610, -6.5802),
    ("rabat", "Rabat", "الرباط", "04.421", 34.0209, -6.8416),
    ("casablanca", "Casablanca", "الدار البيضاء", "06.141", 33.5731, -7.5898),
    ("meknes", "Meknès", "مكناس", "03.061", 33.8935, -5.5473),
    ("marrakech", "Marrakech", "مراكش", "07.351", 31.6295, -7.9811),
    ("agadir", "Agadir", "أكادير", "09.001", 30.4278, -9.5981),
    ("errachidia", "Errachidia", "الرشيدية", "08.201", 31.9314, -4.4244),
]
