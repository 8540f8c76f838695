"""Permission matrix rows: referral pathway sheets and gap analysis.

World objects: ``own_service`` / ``other_service`` (a service with one location of ``own_org`` / ``other_org``).
Pathway sheets: every signed-in staff member (``directory.view_directory``). Gap analysis: analysts (a
territorial analyst within their scope), directory editors and supervisors (``directory.view_gaps``).
"""

from __future__ import annotations

from himaya.accounts.roles import Role
from tests.security.matrix import ALL, Row, fixed

GAPS = frozenset({Role.TERRITORIAL_ANALYST, Role.NATIONAL_ANALYST, Role.DIRECTORY_EDITOR, Role.SUPERVISOR})

ROWS: dict[str, Row] = {
    "directory_reports:pathway": Row(url=fixed("/fr/directory/reports/pathway/"), own=ALL),
    "directory_reports:pathway_pdf": Row(
        url=fixed("/fr/directory/reports/pathway/pdf/?province=01.511&language=fr"), own=ALL
    ),
    "directory_reports:gaps": Row(url=fixed("/fr/directory/reports/gaps/"), own=GAPS),
    "directory_reports:gaps_export": Row(url=fixed("/fr/directory/reports/gaps/export/csv/"), own=GAPS),
}
