"""Backup and restore: an encrypted round trip that gives back identical records, and every refusal."""

from __future__ import annotations

import base64
import json
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.cases import storage
from himaya.cases.models import Document
from himaya.cases.services.documents import document_add
from himaya.core import audit, backup
from himaya.core.audit import verify_chain
from himaya.core.backup import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    database_holds_data,
    iter_backup_rows,
)
from himaya.core.models import AuditAction, AuditEvent
from tests.cases.factories import make_case
from tests.factories import make_organisation, make_user

KEY = "backup-key-for-tests-0123456789abcdefghijklmnop"
OTHER_KEY = "another-backup-key-9876543210zyxwvutsrqponmlkji"
PHONE = "+212 661 23 45 67"

# Restore commits, wipes tables and resets sequences: it needs real transactions. Serialized rollback gives
# every such test the territories that migrations loaded (a transactional test ends by emptying every table).
restores = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def backup_key(settings: Any) -> None:
    settings.BACKUP_KEY = KEY


@pytest.fixture(autouse=True)
def documents(settings: Any, tmp_path: Path) -> Path:
    """Each test its own documents folder (the worker's shared one holds other tests' files)."""
    settings.HIMAYA_DOCUMENT_DIR = str(tmp_path / "documents")
    return tmp_path / "documents"


def _raw_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every table the backup covers, as raw column values ordered by primary key."""
    quote = connection.ops.quote_name
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if not meta.managed or meta.proxy or meta.db_table in backup.SKIPPED_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}")  # noqa: S608
            rows[meta.db_table] = cursor.fetchall()
    return rows


def _raw_phone(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        return str(cursor.fetchone()[0])


def _some_records() -> tuple[Organisation, User, User]:
    cell = make_organisation(name="Cellule de Tanger")
    antenna = make_organisation(name="Antenne de Tanger", parent=cell)
    supervisor = make_user("supervisor", organisation=cell, phone="+212 600 00 00 01")
    analyst = make_user("caseworker", "territorial_analyst", organisation=antenna, phone=PHONE)
    audit.record(AuditAction.UPDATE, actor=supervisor, target=analyst, fields=["phone"])
    audit.record(AuditAction.LOGIN, actor=analyst)
    return cell, supervisor, analyst


def _rewrite_header(path: Path, change: Callable[[dict[str, Any]], None], *, key: str = KEY) -> None:
    """Change the header and authenticate it again, as someone holding the key could."""
    data = path.read_bytes()
    prefix_size = backup._PREFIX.size
    _, _, header_size = backup._PREFIX.unpack(data[:prefix_size])
    header = json.loads(data[prefix_size : prefix_size + header_size])
    change(header)
    prefix = data[:prefix_size] + json.dumps(header, indent=1).encode().ljust(header_size)
    cipher = AESGCM(backup._derive(key, base64.b64decode(header["salt"]), b"data"))
    tag = cipher.encrypt(backup._nonce(0), b"", prefix)
    path.write_bytes(prefix + tag + data[prefix_size + header_size + 16 :])


@restores
def test_it_restores_identical_records(tmp_path: Path) -> None:
    cell, supervisor, analyst = _some_records()
    ciphertext = _raw_phone(analyst)
    info = backup_create(output=tmp_path / "himaya.backup")
    before = _raw_rows()
    hashes = list(AuditEvent.objects.order_by("id").values_list("id", "hash"))

    call_command("flush", interactive=False, verbosity=0)  # a freshly migrated, empty database
    assert not database_holds_data()
    assert not User.objects.exists()
    restored = backup_restore(path=info.path)

    assert restored.rows == info.rows
    after = _raw_rows()
    restore_event = after["core_auditevent"].pop()
    assert after == before
    assert list(AuditEvent.objects.order_by("id").values_list("id", "hash"))[:-1] == hashes
    assert AuditEvent.objects.order_by("-id").first().detail["command"] == "restore"
    assert restore_event[0] == hashes[-1][0] + 1
    report = verify_chain()
    assert report.intact
    assert report.checked == len(hashes) + 1

    assert Organisation.objects.get(pk=cell.pk).name == "Cellule de Tanger"
    assert Organisation.objects.get(name="Antenne de Tanger").parent_id == cell.pk
    assert _raw_phone(analyst) == ciphertext
    assert User.objects.get(pk=analyst.pk).phone == PHONE
    assert User.objects.get(pk=supervisor.pk).check_password("correct-horse-battery-staple")
    assert set(RoleAssignment.objects.filter(user=analyst).values_list("role", flat=True)) == {
        "caseworker",
        "territorial_analyst",
    }
    # Sequences follow the restored ids: new records do not collide with them.
    assert make_organisation().pk > max(row[0] for row in before["accounts_organisation"])


@pytest.mark.django_db
def test_it_keeps_encrypted_fields_as_ciphertext_in_the_backup(tmp_path: Path) -> None:
    _, _, analyst = _some_records()
    info = backup_create(output=tmp_path / "himaya.backup")
    phones = {
        values[columns.index("id")]: values[columns.index("phone")]
        for table, columns, values in iter_backup_rows(path=info.path)
        if table == "accounts_user"
    }
    assert phones[analyst.pk] == _raw_phone(analyst)
    assert PHONE not in phones[analyst.pk]
    assert PHONE.encode() not in info.path.read_bytes()


@pytest.mark.django_db
def test_it_writes_a_private_file_and_never_overwrites_one(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert ("core", info.migrations["core"]) in MigrationLoader(connection).graph.leaf_nodes("core")
    assert backup_verify(path=info.path).sha256 == info.sha256
    with pytest.raises(BackupError, match="already exists"):
        backup_create(output=info.path)


@pytest.mark.django_db
def test_it_records_the_backup_in_the_audit_trail(tmp_path: Path) -> None:
    backup_create(output=tmp_path / "himaya.backup")
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == AuditAction.EXPORT
    assert event.detail == {"command": "backup"}


@pytest.mark.django_db
def test_it_considers_a_freshly_migrated_database_empty() -> None:
    # If this fails, a migration now seeds a table: add it to backup.SEEDED_BY_MIGRATE.
    assert not database_holds_data()
    make_organisation()
    assert database_holds_data()


@pytest.mark.django_db
def test_it_refuses_the_wrong_key(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    with pytest.raises(BackupError, match="encrypted with another key"):
        backup_verify(path=info.path, keys=[OTHER_KEY])
    with pytest.raises(BackupError, match="encrypted with another key"):
        backup_restore(path=info.path, keys=[OTHER_KEY], force=True)


@pytest.mark.django_db
def test_it_reads_with_an_older_key_listed_after_the_new_one(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    assert backup_verify(path=info.path, keys=[OTHER_KEY, KEY]).rows == info.rows


@pytest.mark.django_db
def test_it_refuses_a_missing_or_short_key(tmp_path: Path, settings: Any) -> None:
    settings.BACKUP_KEY = ""
    with pytest.raises(BackupError, match="HIMAYA_BACKUP_KEY is not set"):
        backup_create(output=tmp_path / "a.backup")
    settings.BACKUP_KEY = "short"
    with pytest.raises(BackupError, match="too short"):
        backup_create(output=tmp_path / "b.backup")
    assert not (tmp_path / "a.backup").exists()


@pytest.mark.django_db
def test_it_refuses_an_altered_chunk(tmp_path: Path) -> None:
    _some_records()
    info = backup_create(output=tmp_path / "himaya.backup")
    data = bytearray(info.path.read_bytes())
    data[-40] ^= 0x01
    info.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="altered or damaged"):
        backup_verify(path=info.path)
    with pytest.raises(BackupError, match="altered or damaged"):
        backup_restore(path=info.path, force=True)
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_it_refuses_an_altered_header(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    data = info.path.read_bytes()
    position = data.index(b'"created_at": "') + len(b'"created_at": "')
    altered = (
        data[:position] + (b"1" if data[position : position + 1] != b"1" else b"2") + data[position + 1 :]
    )
    info.path.write_bytes(altered)
    with pytest.raises(BackupError, match="header fails authentication"):
        backup_verify(path=info.path)


@pytest.mark.django_db
def test_it_refuses_a_truncated_file(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    info.path.write_bytes(info.path.read_bytes()[:-10])
    with pytest.raises(BackupError, match="is truncated"):
        backup_verify(path=info.path)


@pytest.mark.django_db
def test_it_refuses_a_content_that_does_not_match_its_checksum(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    _rewrite_header(info.path, lambda header: header.update(sha256="0" * 64))
    with pytest.raises(BackupError, match="fails its checksum"):
        backup_verify(path=info.path)
    with pytest.raises(BackupError, match="fails its checksum"):
        backup_restore(path=info.path, force=True)


@pytest.mark.django_db
def test_it_refuses_a_backup_from_a_newer_version(tmp_path: Path) -> None:
    info = backup_create(output=tmp_path / "himaya.backup")
    _rewrite_header(info.path, lambda header: header["migrations"].update(core="0999_from_the_future"))
    with pytest.raises(BackupError, match=r"newer version of Himaya.*core\.0999_from_the_future"):
        backup_restore(path=info.path, force=True)


@pytest.mark.django_db
def test_it_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    with pytest.raises(BackupError, match="not a Himaya backup"):
        backup_verify(path=path)
    with pytest.raises(BackupError, match="does not exist"):
        backup_verify(path=tmp_path / "missing.backup")


@pytest.mark.django_db
def test_it_refuses_to_restore_into_a_database_holding_data(tmp_path: Path) -> None:
    _some_records()
    info = backup_create(output=tmp_path / "himaya.backup")
    make_organisation(name="Created after the backup")
    events = AuditEvent.objects.count()
    with pytest.raises(BackupError, match="already holds data"):
        backup_restore(path=info.path)
    assert Organisation.objects.filter(name="Created after the backup").exists()
    assert AuditEvent.objects.count() == events


@restores
def test_it_wipes_the_database_first_with_force(tmp_path: Path) -> None:
    _some_records()
    info = backup_create(output=tmp_path / "himaya.backup")
    before = _raw_rows()
    make_organisation(name="Created after the backup")
    make_user("caseworker")

    backup_restore(path=info.path, force=True)

    after = _raw_rows()
    after["core_auditevent"].pop()
    assert after == before
    assert not Organisation.objects.filter(name="Created after the backup").exists()
    assert verify_chain().intact


@pytest.mark.django_db
def test_it_runs_as_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _some_records()
    path = tmp_path / "himaya.backup"
    call_command("backup", output=path)
    assert "Backup written" in capsys.readouterr().out
    call_command("restore", str(path), check=True)
    assert "Backup verified" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(path))


REPORT = b"Compte rendu d'audience : renvoi au 12 mars.\n"


def _a_document() -> tuple[User, Document]:
    worker = make_user("caseworker")
    case = make_case(worker)
    document = document_add(
        actor=worker,
        case=case,
        kind="court_document",
        title="Audience",
        file_name="audience.txt",
        data=REPORT,
    )
    return worker, document


@restores
def test_it_restores_the_document_files_and_they_download_unchanged(
    tmp_path: Path, documents: Path, client_for: Callable[[User], Any]
) -> None:
    worker, document = _a_document()
    on_disk = storage.path_of(document.storage_key).read_bytes()
    info = backup_create(output=tmp_path / "himaya.backup")
    assert (info.files, info.file_bytes) == (1, len(on_disk))
    assert REPORT not in info.path.read_bytes() and on_disk not in info.path.read_bytes()
    # The file and the row are lost; something else was added meanwhile.
    storage.delete(document.storage_key)
    Document.objects.filter(pk=document.pk).delete()
    stray = documents / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"added after the backup")

    with pytest.raises(BackupError, match=r"already holds data"):
        backup_restore(path=info.path)
    restored = backup_restore(path=info.path, force=True)

    assert restored.files == 1
    assert storage.path_of(document.storage_key).read_bytes() == on_disk
    assert stat.S_IMODE(storage.path_of(document.storage_key).stat().st_mode) == 0o600
    assert not stray.exists()
    assert sorted(path.name for path in documents.parent.iterdir()) == ["documents", "himaya.backup"]
    response = client_for(User.objects.get(pk=worker.pk)).get(
        f"/en/cases/{document.case.code}/documents/{document.pk}/download/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == REPORT


@restores
def test_it_refuses_a_folder_that_already_holds_files_unless_forced(tmp_path: Path, documents: Path) -> None:
    _a_document()
    info = backup_create(output=tmp_path / "himaya.backup")
    call_command("flush", interactive=False, verbosity=0)  # an empty database, but the files are still there
    with pytest.raises(BackupError, match=r"already holds files.*--force"):
        backup_restore(path=info.path)
    assert not Document.objects.exists()
    shutil.rmtree(documents)
    assert backup_restore(path=info.path).files == 1
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_backup_naming_a_folder_setting_unknown_here_changes_nothing(
    tmp_path: Path, documents: Path
) -> None:
    _, document = _a_document()
    info = backup_create(output=tmp_path / "himaya.backup")
    _rewrite_header(info.path, lambda header: header["directories"].update(HIMAYA_NO_SUCH_DIR={}))
    with pytest.raises(BackupError, match="no setting HIMAYA_NO_SUCH_DIR"):
        backup_restore(path=info.path, force=True)
    assert Document.objects.filter(pk=document.pk).exists()
    assert storage.path_of(document.storage_key).exists()
    assert [path.name for path in documents.parent.iterdir() if path.name.startswith(".")] == []


@restores
def test_it_still_restores_a_format_1_backup_and_leaves_the_folder_alone(
    tmp_path: Path, documents: Path, settings: Any
) -> None:
    _some_records()
    settings.HIMAYA_BACKUP_DIRECTORIES = []  # what version 1 wrote: no folder section
    info = backup_create(output=tmp_path / "himaya.backup")
    _, document = _a_document()

    def as_version_1(header: dict[str, Any]) -> None:
        header.pop("directories")
        header["version"] = 1

    data = bytearray(info.path.read_bytes())
    data[8:10] = (1).to_bytes(2, "big")
    info.path.write_bytes(bytes(data))
    _rewrite_header(info.path, as_version_1)
    assert backup_verify(path=info.path).files == 0
    restored = backup_restore(path=info.path, force=True)
    assert restored.rows == info.rows and restored.files == 0
    assert storage.path_of(document.storage_key).exists()  # not in the backup: not touched
