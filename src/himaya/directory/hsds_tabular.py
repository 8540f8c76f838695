"""HSDS tabular input: the CSV data package (folder, zip, datapackage.json) and ``tabular.json``.

Nothing here writes to the database. Flat rows (one list per HSDS table, linked by ``*_id`` columns) are read,
checked cell by cell (encoding, formula-like cells, numbers, duplicate ids, missing columns) and **nested into
the shape of the JSON objects** (service_full, organization with its locations...), which
``hsds_import.HsdsImporter`` then validates against the official schemas and writes: one mapping for both.

Every nested object carries ``ROW_KEY`` (where it came from: ``services.csv:3``, ``tabular.json#services.csv[0]``)
so that errors found later are reported against the row the user can open, not a JSON path.

Zip archives are read in memory, never extracted: member names are checked (no absolute path, no ``..``, no
link), and sizes are bounded (members, each file, the total, the compression ratio) while reading.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
import zlib
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from himaya.directory.hsds import TABLES, neutralise

if TYPE_CHECKING:
    from himaya.directory.hsds_import import ImportReport

ROW_KEY = "_himaya_row"
MAX_ZIP_MEMBERS = 200
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, above 1 MB
TABLE_OF_PATH = {path: name for name, (path, _columns) in TABLES.items()}
EXPORT_PAGES = ("taxonomies.json", "taxonomy_terms.json", "organizations.json", "services.json")
# Tables whose rows Himaya keeps (through the nested objects); the others are reported as not kept.
KEPT = {
    "organization", "service", "attribute", "service_at_location", "location", "phone", "address", "schedule",
    "service_area", "required_document", "language", "accessibility", "taxonomy_term", "cost_option", "taxonomy",
}  # fmt: skip

Items = list[tuple[str, str, dict[str, Any]]]
Tables = dict[str, list[dict[str, Any]]]


class PackageError(Exception):
    """The archive or package cannot be read at all (reported as one error, nothing imported)."""


def _formula_like(value: str) -> bool:
    return neutralise(value) != value


# --- Cells and rows --------------------------------------------------------------------------------------------


def _number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() and "e" not in text.lower() else number


def _csv_cell(where: str, column: str, kind: str, raw: str, report: ImportReport) -> Any:
    """One CSV cell as the JSON value of the HSDS object (None when empty); formula-like cells are refused,
    the apostrophe our export puts before them is removed."""
    if raw.startswith("'") and _formula_like(raw[1:]):
        raw = raw[1:]
    elif _formula_like(raw):
        report.error(where, column, _("A cell may not start with = + - @ (spreadsheet formula)."))
        return None
    if raw.strip() == "":
        return None
    if kind == "number":
        number = _number(raw.strip())
        if number is None:
            report.error(where, column, _("Not a number."))
        return number
    return raw


def _json_cell(where: str, column: str, kind: str, value: Any, report: ImportReport) -> Any:
    """A value of ``tabular.json`` as the JSON value of the object: tables hold text and numbers, so a number
    in a text column becomes text and a numeric text in a number column a number."""
    if isinstance(value, str):
        if value.strip() == "":
            return None
        if kind == "number":
            number = _number(value.strip())
            if number is None:
                report.error(where, column, _("Not a number."))
            return number
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and kind != "number":
        return str(value)
    return value


def _check_rows(table: str, rows: list[dict[str, Any]], report: ImportReport) -> list[dict[str, Any]]:
    """Rows with an id, the first of each id (duplicates are errors)."""
    seen: dict[str, str] = {}
    kept = []
    for row in rows:
        where = row[ROW_KEY]
        key = row.get("id")
        if not isinstance(key, str | int) or isinstance(key, bool) or str(key).strip() == "":
            report.error(where, "id", _("The row has no id."))
            continue
        key = str(key).strip()
        row["id"] = key
        if key in seen:
            report.error(where, "id", _("Duplicate id (first in %(row)s).") % {"row": seen[key]})
            continue
        seen[key] = where
        kept.append(row)
    return kept


def tables_from_tabular_json(filename: str, document: dict[str, Any], report: ImportReport) -> Tables:
    """``tabular.json``: ``{"services.csv": [{...}, ...], ...}``."""
    tables: Tables = {}
    for path, rows in document.items():
        table = TABLE_OF_PATH.get(str(path))
        if table is None:
            report.warn(f"{filename}#{path}", "", _("Unknown table; left out."))
            continue
        if not isinstance(rows, list):
            report.error(f"{filename}#{path}", "", _("A table is a list of rows."))
            continue
        columns = {column: kind for column, kind, _required in TABLES[table][1]}
        found: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            where = f"{filename}#{path}[{index}]"
            if not isinstance(row, dict):
                report.error(where, "", _("A row is an object of column values."))
                continue
            values: dict[str, Any] = {ROW_KEY: where}
            for column, value in row.items():
                if column not in columns:
                    report.warn(f"{filename}#{path}", str(column)[:100], _("Unknown column; ignored."))
                    continue
                cell = _json_cell(where, column, columns[column], value, report)
                if cell is not None:
                    values[column] = cell
            found.append(values)
        tables[table] = _check_rows(table, found, report)
    return tables


def _decode_csv(where: str, data: bytes, report: ImportReport) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.error(
            f"{where}:{line}", "", _("The file is not UTF-8 encoded text; save it as UTF-8 (CSV UTF-8).")
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        report.error(f"{where}:{line}", "", _("The file holds a NUL character (binary data)."))
        return None
    return text


def table_from_csv(
    path: str, table: str, data: bytes, report: ImportReport, prefix: str = ""
) -> list[dict[str, Any]]:
    """The rows of one CSV file of the package; each row's cells are checked."""
    where = prefix + path
    text = _decode_csv(where, data, report)
    if text is None:
        return []
    columns = {column: (kind, required) for column, kind, required in TABLES[table][1]}
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, Any]] = []
    try:
        header = next(reader, None)
        if header is None:
            report.error(where, "", _("The file is empty."))
            return []
        header = [name.strip() for name in header]
        duplicated = {name for name, count in Counter(header).items() if count > 1}
        for name in sorted(duplicated):
            report.error(f"{where}:1", name[:100], _("Duplicated column."))
        for name, (_kind, required) in columns.items():
            if required and name not in header:
                report.error(f"{where}:1", name, _("Missing column."))
        for name in header:
            if name and name not in columns:
                report.warn(f"{where}:1", name[:100], _("Unknown column; ignored."))
        number = 1
        for cells in reader:
            number += 1
            here = f"{where}:{number}"
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                report.error(here, "", _("The row has more cells than the header has columns."))
                continue
            row: dict[str, Any] = {ROW_KEY: here}
            for name, raw in zip(header, cells, strict=False):
                if name not in columns or name in duplicated:
                    continue
                value = _csv_cell(here, name, columns[name][0], raw, report)
                if value is not None:
                    row[name] = value
            rows.append(row)
    except csv.Error as error:
        report.error(f"{where}:{reader.line_num}", "", _("Not valid CSV: %(reason)s") % {"reason": error})
        return []
    return _check_rows(table, rows, report)


# --- Sources: a folder, a zip in memory ------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return False
    return ".." not in PurePosixPath(name).parts


class ZipSource:
    """The members of a zip archive, read in memory with size limits; nothing is extracted to disk."""

    def __init__(self, data: bytes) -> None:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
            raise PackageError(_("The file is not a readable zip archive.")) from error
        if len(infos) > MAX_ZIP_MEMBERS:
            raise PackageError(
                _("The archive holds too many files (at most %(count)s).") % {"count": MAX_ZIP_MEMBERS}
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            if not _safe_name(info.filename):
                raise PackageError(
                    _("The archive holds an unsafe file name: %(name)s") % {"name": info.filename[:100]}
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackageError(_("The archive holds a link: %(name)s") % {"name": info.filename[:100]})
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise PackageError(_("The archive is encrypted."))
            declared += info.file_size
            too_big = info.file_size > MAX_FILE_BYTES or declared > MAX_TOTAL_BYTES
            bomb = info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            if too_big or bomb:
                raise PackageError(_("The archive is too large once uncompressed."))
            self.members[info.filename] = info
        self.read_bytes = 0

    def names(self) -> list[str]:
        return list(self.members)

    def read(self, name: str) -> bytes | None:
        info = self.members.get(name)
        if info is None:
            return None
        try:
            with self.archive.open(info) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            zlib.error,
        ) as error:
            raise PackageError(_("The zip archive is damaged: %(name)s") % {"name": name[:100]}) from error
        self.read_bytes += len(data)
        if len(data) > MAX_FILE_BYTES or self.read_bytes > MAX_TOTAL_BYTES:
            raise PackageError(_("The archive is too large once uncompressed."))
        return data


class FolderSource:
    """Files under a folder (the command's side); names stay inside the folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def names(self) -> list[str]:
        """Files at the top of the folder and one level down (where an export puts ``csv/``)."""
        names: list[str] = []
        try:
            for path in sorted(self.folder.iterdir()):
                if path.is_file():
                    names.append(path.name)
                elif path.is_dir():
                    names += [f"{path.name}/{c.name}" for c in sorted(path.iterdir()) if c.is_file()]
        except OSError as error:
            raise PackageError(_("The folder cannot be read.")) from error
        return names

    def read(self, name: str) -> bytes | None:
        if not _safe_name(name):
            return None
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PackageError(_("%(name)s is too large.") % {"name": name[:100]})
            return path.read_bytes()
        except OSError as error:
            raise PackageError(_("%(name)s cannot be read.") % {"name": name[:100]}) from error


Source = ZipSource | FolderSource


def find_package(source: Source) -> str | None:
    """The datapackage.json nearest the top of ``source`` (``datapackage.json``, ``csv/datapackage.json``...)."""
    found = [n for n in source.names() if PurePosixPath(n).name == "datapackage.json"]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def find_export_pages(source: Source) -> list[str]:
    """Our JSON export pages at the top of ``source`` (in import order)."""
    names = set(source.names())
    return [name for name in EXPORT_PAGES if name in names]


def tables_from_package(source: Source, descriptor_name: str, report: ImportReport) -> Tables:
    """Every table the package's datapackage.json lists, read and checked row by row."""
    base = PurePosixPath(descriptor_name).parent
    raw = source.read(descriptor_name) or b""
    try:
        descriptor = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        report.error(descriptor_name, "", _("datapackage.json is not valid JSON."))
        return {}
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        report.error(descriptor_name, "resources", _("datapackage.json lists no resources."))
        return {}
    tables: Tables = {}
    for index, resource in enumerate(resources):
        here = f"{descriptor_name}#resources[{index}]"
        path = resource.get("path") if isinstance(resource, dict) else None
        if not isinstance(path, str) or not _safe_name(path):
            report.error(here, "path", _("A resource needs the relative path of its CSV file."))
            continue
        name = resource.get("name") if isinstance(resource.get("name"), str) else ""
        table = name if name in TABLES else TABLE_OF_PATH.get(PurePosixPath(path).name)
        if table is None:
            report.warn(here, "name", _("Unknown table; left out."))
            continue
        member = str(base / path) if str(base) != "." else path
        data = source.read(member)
        if data is None:
            report.error(here, "path", _("The file %(name)s is missing from the package.") % {"name": path})
            continue
        if table in tables:
            report.error(here, "name", _("The table is listed twice."))
            continue
        tables[table] = table_from_csv(path, table, data, report)
    return tables


# --- Nesting ---------------------------------------------------------------------------------------------------


def _by(rows: list[dict[str, Any]], column: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = row.get(column)
        if value is not None and str(value).strip():
            grouped.setdefault(str(value).strip(), []).append(row)
    return grouped


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return dict(row)


def nest(tables: Tables, report: ImportReport) -> Items:
    """Flat rows as nested HSDS objects (kind, where, object) for ``HsdsImporter``; rows linked to nothing we
    import are reported (warning) and left out."""
    for table, rows in tables.items():
        if table not in KEPT and rows:
            report.warn(
                rows[0][ROW_KEY].split(":")[0].split("[")[0],
                "",
                _("Not kept by Himaya's directory (see the HSDS profile)."),
            )
    get = lambda name: tables.get(name, [])  # noqa: E731
    used: set[int] = set()

    def take(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        used.update(id(row) for row in rows)
        return rows

    languages_of_phone = _by(get("language"), "phone_id")
    phones: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (row, nested phone)
    for row in get("phone"):
        phone = _plain(row)
        if row["id"] in languages_of_phone:
            phone["languages"] = take(languages_of_phone[row["id"]])
        phones.append((row, phone))

    def phones_of(column: str, owner: str) -> list[dict[str, Any]]:
        found = [(row, phone) for row, phone in phones if str(row.get(column) or "").strip() == owner]
        take([row for row, _phone in found])
        return [phone for _row, phone in found]

    schedules = (
        _by(get("schedule"), "service_id"),
        _by(get("schedule"), "location_id"),
        _by(get("schedule"), "service_at_location_id"),
    )
    locations: dict[str, dict[str, Any]] = {}
    addresses, accessibility = _by(get("address"), "location_id"), _by(get("accessibility"), "location_id")
    location_languages = _by(get("language"), "location_id")
    for row in get("location"):
        key = row["id"]
        location = _plain(row) | {
            "addresses": take(addresses.get(key, [])),
            "accessibility": take(accessibility.get(key, [])),
            "phones": phones_of("location_id", key),
            "schedules": take(schedules[1].get(key, [])),
            "languages": take(location_languages.get(key, [])),
        }
        locations[key] = {k: v for k, v in location.items() if v != []}
    nested_locations: set[str] = set()
    terms = {row["id"]: row for row in get("taxonomy_term")}
    attributes = get("attribute")
    service_ids = {row["id"] for row in get("service")}
    attributes_of = _by([a for a in attributes if str(a.get("link_id") or "") in service_ids], "link_id")

    def attribute(row: dict[str, Any]) -> dict[str, Any]:
        term = terms.get(str(row.get("taxonomy_term_id") or ""))
        return _plain(row) | ({"taxonomy_term": term} if term else {})

    def sal(row: dict[str, Any]) -> dict[str, Any]:
        key = row["id"]
        item = _plain(row) | {
            "phones": phones_of("service_at_location_id", key),
            "schedules": take(schedules[2].get(key, [])),
        }
        location = locations.get(str(row.get("location_id") or ""))
        if location is not None:
            item["location"] = location
            nested_locations.add(location["id"])
        return {k: v for k, v in item.items() if v != []}

    sals = _by(get("service_at_location"), "service_id")
    children = {
        "service_areas": _by(get("service_area"), "service_id"),
        "languages": _by(get("language"), "service_id"),
        "cost_options": _by(get("cost_option"), "service_id"),
        "required_documents": _by(get("required_document"), "service_id"),
    }
    items: Items = []
    for row in get("taxonomy"):
        items.append(("taxonomy", row[ROW_KEY], _plain(row)))
    for row in get("taxonomy_term"):
        items.append(("taxonomy_term", row[ROW_KEY], _plain(row)))
    locations_of = _by(list(locations.values()), "organization_id")
    for row in get("organization"):
        key = row["id"]
        organization = _plain(row) | {
            "phones": phones_of("organization_id", key),
            "locations": locations_of.get(key, []),
        }
        nested_locations.update(location["id"] for location in locations_of.get(key, []))
        items.append(("organization", row[ROW_KEY], {k: v for k, v in organization.items() if v != []}))
    for row in get("service"):
        key = row["id"]
        service = _plain(row) | {
            "phones": phones_of("service_id", key),
            "schedules": take(schedules[0].get(key, [])),
            "attributes": [attribute(a) for a in take(attributes_of.get(key, []))],
            "service_at_locations": [sal(s) for s in take(sals.get(key, []))],
        }
        for name, grouped in children.items():
            service[name] = take(grouped.get(key, []))
        items.append(("service", row[ROW_KEY], {k: v for k, v in service.items() if v != []}))
    for row in get("service_at_location"):
        if id(row) not in used:  # a service already in the directory
            used.add(id(row))
            items.append(("service_at_location", row[ROW_KEY], sal(row)))
    for key, location in locations.items():
        if key not in nested_locations:
            items.append(("location", location[ROW_KEY], location))
    used.update(id(row) for row in get("location"))
    used.update(
        id(row) for table in ("taxonomy", "taxonomy_term", "organization", "service") for row in get(table)
    )
    for table in ("phone", "schedule", "address", "accessibility", "language", "service_area", "cost_option",
                  "required_document", "attribute"):  # fmt: skip
        for row in get(table):
            if id(row) not in used:
                report.warn(row[ROW_KEY], "", _("The row is linked to nothing imported; left out."))
    return items


def row_of(item: dict[str, Any], path: list[Any], where: str) -> tuple[str, list[Any]]:
    """The row (``ROW_KEY``) of the deepest object on ``path`` in ``item``, and the rest of the path."""
    node: Any = item
    best, rest = item.get(ROW_KEY, where), list(path)
    for index, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and ROW_KEY in node:
            best, rest = node[ROW_KEY], list(path[index + 1 :])
    return best, rest
