"""URL converters: cases and survivors are addressed by their pseudonymous codes, never by database ids."""

from __future__ import annotations

from himaya.cases.codes import ALPHABET

_BODY = f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}*~$=U]"


class CaseCodeConverter:
    regex = f"D-{_BODY}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SurvivorCodeConverter(CaseCodeConverter):
    regex = f"S-{_BODY}"
