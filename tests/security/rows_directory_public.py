"""Permission matrix rows: public "find help" pages (anonymous visitors included).

World objects: ``own_service`` / ``other_service`` (a service with one location of ``own_org`` / ``other_org``).
Everyone, signed in or not, gets the same public page (the public level of the directory).
"""

from __future__ import annotations

from tests.security.matrix import ALL, Row, fixed, obj

ROWS: dict[str, Row] = {
    "help:search": Row(url=fixed("/fr/help/"), own=ALL, anonymous={200}),
    "help:hotlines": Row(url=fixed("/fr/help/hotlines/"), own=ALL, anonymous={200}),
    "help:service_detail": Row(
        url=obj("/fr/help/services/{}/", "service"), own=ALL, other=ALL, anonymous={200}
    ),
}
