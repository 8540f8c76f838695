"""``himaya directory``: HSDS export and import, and the partners' spreadsheet template.

    himaya directory export-hsds DIR [--audience public|network] [--format json|csv|both]
    himaya directory import FILE|DIR [--dry-run]      (HSDS .json, an export directory or .zip, a CSV data
                                                       package: folder, .zip or datapackage.json; .csv or
                                                       .xlsx template)
    himaya directory template FILE.xlsx|FILE.csv       (the empty partners' template)

The command runs as the system (no actor); every import and export is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.directory.hsds import FORMATS, export_hsds
from himaya.directory.hsds_import import ImportReport, import_hsds_path
from himaya.directory.spreadsheet import template_bytes
from himaya.directory.visibility import Audience


class Command(BaseCommand):
    help = "Directory tools: export-hsds, import (HSDS JSON or the partners' spreadsheet), template."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export-hsds", help="Write the directory as Open Referral HSDS 3.0.")
        export.add_argument("directory")
        export.add_argument("--audience", choices=["public", "network"], default="public")
        export.add_argument("--format", choices=FORMATS, default="both")
        load = actions.add_parser(
            "import",
            help="Import HSDS JSON, an export (folder or .zip), a CSV data package (folder, .zip or "
            "datapackage.json), or a .csv/.xlsx sheet.",
        )
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        template = actions.add_parser("template", help="Write the empty partners' template (.xlsx or .csv).")
        template.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export-hsds":
            report = export_hsds(
                options["directory"], audience=Audience[options["audience"].upper()], format=options["format"]
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Exported {report.services} services, {report.organizations} organisations, "
                    f"{report.taxonomy_terms} taxonomy terms ({options['audience']}, {options['format']}) "
                    f"to {report.directory}."
                )
            )
        elif action == "import":
            self._import(Path(options["file"]), dry_run=options["dry_run"])
        else:
            path = Path(options["file"])
            if path.suffix.lower() not in (".xlsx", ".csv"):
                raise CommandError("The template is a .xlsx or .csv file.")
            path.write_bytes(template_bytes(path.name))
            self.stdout.write(self.style.SUCCESS(f"Template written to {path}."))

    def _import(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_dir() and not path.is_file():
            raise CommandError(f"No such file or directory: {path}")
        report = import_hsds_path(path=path, dry_run=dry_run)
        self._print(report)
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported.")

    def _print(self, report: ImportReport) -> None:
        for issue in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning  {issue.row}  {issue.column}: {issue.message}"))
        for issue in report.errors:
            self.stderr.write(f"error    {issue.row}  {issue.column}: {issue.message}")
        counts = ", ".join(
            f"{kind}: {c['created']} created, {c['updated']} updated"
            for kind, c in sorted(report.counts.items())
        )
        if report.errors:
            return
        if report.dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run, nothing written. Would import: {counts or 'nothing'}.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {counts}."))
