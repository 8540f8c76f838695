"""Encrypted, checksummed backups of the whole database and of the folders of files that go with it (the
encrypted case documents), and their restore (SQLite and PostgreSQL).

Rows are copied as raw column values through the database cursor, table by table in dependency order, never
through Django's serializers: encrypted fields stay ciphertext and audit events keep their ids and hashes, so
``himaya audit verify`` still reports intact after a restore.

File layout (format version 2; version 1, without folders, is still read)::

    b"HIMAYABK" | version (2 bytes) | header length (4 bytes) | header (JSON, space-padded)
    | header tag (16 bytes: AES-GCM over the preceding bytes) | chunk*

Each chunk is ``length (4 bytes) | AES-256-GCM ciphertext`` of up to 1 MiB of zlib-compressed payload; its
nonce is its index and its associated data the index and a "last chunk" flag, so chunks cannot be reordered,
dropped or truncated unnoticed. The AES key is derived (HKDF-SHA256, random salt per file) from
``HIMAYA_BACKUP_KEY``. The payload is JSON lines: a ``{"table": …, "columns": […]}`` line per table, one array
per row; then, for every folder named in ``settings.HIMAYA_BACKUP_DIRECTORIES`` (names of settings that hold a
folder path, so that core imports no app), a ``{"directory": SETTING}`` line and, per file, a ``{"file": relative
path, "size": …, "sha256": …}`` line followed by its bytes in base64 pieces (``["…"]`` lines); and a closing
``{"end": …}`` line. The header holds the payload's SHA-256 and what each folder holds. Files are copied as they
are on disk (case documents stay encrypted with the field keys). Hidden files (names starting with a dot: files
being written) and symbolic links are left out.

A restore writes the files into a new folder beside each target and swaps it in only once the database
transaction has committed, so a failed restore leaves the folder as it was.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import ipaddress
import json
import os
import secrets
import shutil
import struct
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from himaya.core import audit
from himaya.core.models import AuditAction

__all__ = [
    "BackupError",
    "BackupInfo",
    "backup_create",
    "backup_restore",
    "backup_verify",
    "database_holds_data",
    "iter_backup_rows",
]

MAGIC = b"HIMAYABK"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
FILE_PIECE = 768 * 1024  # bytes of a file per payload line (1 MiB once in base64)
HEADER_SIZE = 16 * 1024
CHUNK_SIZE = 1024 * 1024
INSERT_BATCH = 500
MIN_KEY_LENGTH = 32
_PREFIX = struct.Struct(">8sHI")
_CHUNK_LENGTH = struct.Struct(">I")
_TAG_SIZE = 16

# Tables that are not copied: sessions die with the database they were opened on (they are wiped on restore).
SKIPPED_TABLES = frozenset({"django_session"})
# Filled by `migrate` itself (data migrations, post_migrate): rows there do not make a database "hold data".
SEEDED_BY_MIGRATE = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "core.region",
        "core.province",
        "core.city",
        "directory.taxonomy",
        "directory.taxonomyterm",
        "retention.retentionpolicy",
    }
)


class BackupError(Exception):
    """A backup cannot be written, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    vendor: str
    migrations: dict[str, str]
    sha256: str
    size: int
    tables: int = 0
    rows: int = 0
    row_counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0


# --- keys and ciphers --------------------------------------------------------------------------------------


def _configured_keys(keys: Sequence[str] | None) -> list[str]:
    """The backup keys, newest first (HIMAYA_BACKUP_KEY may list older keys after a comma, to read old files)."""
    if keys is None:
        keys = [item.strip() for item in str(getattr(settings, "BACKUP_KEY", "")).split(",")]
    keys = [key for key in keys if key]
    if not keys:
        raise BackupError("HIMAYA_BACKUP_KEY is not set: backups cannot be encrypted or read without it.")
    for key in keys:
        if len(key) < MIN_KEY_LENGTH:
            raise BackupError(
                f"HIMAYA_BACKUP_KEY is too short ({len(key)} characters, at least {MIN_KEY_LENGTH} needed)."
            )
    return list(keys)


def _derive(key: str, salt: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"himaya-backup-v1 " + purpose).derive(
        key.encode()
    )


def _key_check(key: str, salt: bytes) -> str:
    return _derive(key, salt, b"key-check")[:16].hex()


def _nonce(index: int) -> bytes:
    return b"\0\0\0\0" + struct.pack(">Q", index)


def _chunk_aad(index: int, *, last: bool) -> bytes:
    return b"chunk" + struct.pack(">Q?", index, last)


# --- values: raw column value <-> JSON -----------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A raw column value as JSON, without interpreting it (ciphertext stays ciphertext)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):  # SQLite keeps UTC without an offset
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal | uuid.UUID | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    if isinstance(value, dict | list):  # a JSON column a driver decoded itself
        return json.dumps(value, ensure_ascii=False)
    raise BackupError(f"Cannot back up a column value of type {type(value).__name__}.")


def _decoder(model_field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Any:
    """How to turn a JSON value back into a parameter for this column on this database."""
    kind = model_field.get_internal_type()
    ops = connection.ops

    def when_set(convert: Any) -> Any:
        return lambda value: None if value is None else convert(value)

    if kind == "DateTimeField":
        return when_set(lambda value: ops.adapt_datetimefield_value(parse_datetime(value)))
    if kind == "DateField":
        return when_set(lambda value: ops.adapt_datefield_value(parse_date(value)))
    if kind == "TimeField":
        return when_set(lambda value: ops.adapt_timefield_value(parse_time(value)))
    if kind == "DecimalField":
        return when_set(lambda value: ops.adapt_decimalfield_value(Decimal(str(value))))
    if kind == "DurationField":
        return when_set(
            lambda value: model_field.get_db_prep_value(dt.timedelta(microseconds=value), connection)
        )
    if kind == "BinaryField":
        return when_set(lambda value: base64.b64decode(value))
    if kind == "UUIDField":
        return when_set(lambda value: model_field.get_db_prep_value(uuid.UUID(value), connection))
    if kind == "BooleanField":
        return when_set(bool)
    return lambda value: value  # text (encrypted or not), JSON text, numbers, addresses: exactly as stored


# --- tables --------------------------------------------------------------------------------------------------


def _models_in_dependency_order(connection: BaseDatabaseWrapper) -> list[type[models.Model]]:
    """Every concrete model with a table in this database, referenced tables before referencing ones."""
    existing = set(connection.introspection.table_names())
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.db_table in existing
        and model._meta.db_table not in SKIPPED_TABLES
    ]
    candidates.sort(key=lambda model: model._meta.label_lower)
    remaining = {model._meta.label_lower: model for model in candidates}
    ordered: list[type[models.Model]] = []
    while remaining:
        progress = False
        for label, model in list(remaining.items()):
            depends_on = {
                related._meta.label_lower
                for model_field in model._meta.concrete_fields
                if model_field.remote_field is not None
                and (related := model_field.remote_field.model) is not None
                and not isinstance(related, str)
                and related._meta.label_lower != label
            }
            if not depends_on & remaining.keys():
                ordered.append(model)
                del remaining[label]
                progress = True
        if not progress:  # a cycle: foreign keys are deferred to the commit, any order works
            ordered.extend(remaining.values())
            break
    return ordered


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def _table_has_rows(connection: BaseDatabaseWrapper, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is not None


def database_holds_data(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when any table holds rows that `migrate` did not put there itself."""
    connection = connections[using]
    return any(
        _table_has_rows(connection, model._meta.db_table)
        for model in _models_in_dependency_order(connection)
        if model._meta.label_lower not in SEEDED_BY_MIGRATE
    )


# --- migration state -----------------------------------------------------------------------------------------


def _migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of every app (the one furthest along the migration graph)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = MigrationRecorder(connection).applied_migrations()
    depth: dict[str, tuple[int, str]] = {}
    for app_label, name in applied:
        node = (app_label, name)
        position = len(loader.graph.forwards_plan(node)) if node in loader.graph.nodes else 0
        depth[app_label] = max(depth.get(app_label, (-1, "")), (position, name))
    return {app_label: name for app_label, (_, name) in sorted(depth.items())}


def _check_migrations(backup_state: dict[str, str], connection: BaseDatabaseWrapper) -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}" for app, name in backup_state.items() if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Himaya: its migrations "
            f"{', '.join(sorted(unknown))} are unknown to this code. Install that version (or a newer one) "
            "and restore again."
        )
    current = _migration_state(connection)
    if current != backup_state:
        differences = [
            f"{app}: backup at {backup_state.get(app, '(none)')}, database at {current.get(app, '(none)')}"
            for app in sorted(set(current) | set(backup_state))
            if current.get(app) != backup_state.get(app)
        ]
        commands = "; ".join(
            f"himaya migrate {app} {backup_state.get(app, 'zero')}"
            for app in sorted(set(current) | set(backup_state))
        )
        raise BackupError(
            "The database schema does not match the backup's migration state ("
            + "; ".join(differences)
            + "). Restore into an empty database migrated to the backup's state ("
            + commands
            + "), then run `himaya migrate` to upgrade it."
        )


# --- writing -------------------------------------------------------------------------------------------------


class _ChunkWriter:
    """Compresses, encrypts and writes the payload in authenticated chunks; hashes the plaintext."""

    def __init__(self, handle: IO[bytes], cipher: AESGCM) -> None:
        self.handle = handle
        self.cipher = cipher
        self.compressor = zlib.compressobj(6)
        self.buffer = bytearray()
        self.index = 0
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.buffer += self.compressor.compress(data)
        while len(self.buffer) > CHUNK_SIZE:
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]

    def close(self) -> None:
        self.buffer += self.compressor.flush()
        while len(self.buffer) > CHUNK_SIZE:
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        self._emit(bytes(self.buffer), last=True)

    def _emit(self, plaintext: bytes, *, last: bool) -> None:
        self.index += 1
        ciphertext = self.cipher.encrypt(_nonce(self.index), plaintext, _chunk_aad(self.index, last=last))
        self.handle.write(_CHUNK_LENGTH.pack(len(ciphertext)) + ciphertext)


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _dump(writer: _ChunkWriter, connection: BaseDatabaseWrapper) -> tuple[int, int, dict[str, int]]:
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    for model in _models_in_dependency_order(connection):
        table = model._meta.db_table
        columns = [str(model_field.column) for model_field in _columns(model)]
        pk_column = str(model._meta.pk.column) if model._meta.pk else columns[0]
        writer.write(_line({"table": table, "model": model._meta.label_lower, "columns": columns}))
        counts[table] = 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(quote(column) for column in columns)} "  # noqa: S608
                f"FROM {quote(table)} ORDER BY {quote(pk_column)}"
            )
            while rows := cursor.fetchmany(INSERT_BATCH):
                for row in rows:
                    writer.write(_line([_encode(value) for value in row]))
                counts[table] += len(rows)
    return len(counts), sum(counts.values()), counts


# --- folders of files ----------------------------------------------------------------------------------------


def backup_directories() -> dict[str, Path]:
    """The folders a backup holds, by the name of the setting that gives each one's path."""
    folders: dict[str, Path] = {}
    for name in getattr(settings, "HIMAYA_BACKUP_DIRECTORIES", []):
        value = getattr(settings, name, None)
        if not value:
            raise BackupError(f"HIMAYA_BACKUP_DIRECTORIES names {name}, which is not set.")
        folders[name] = Path(value)
    return folders


def _files_in(root: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under ``root``, hidden files and links left out."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.is_symlink() or not path.is_file():
            continue
        found.append((relative.as_posix(), path))
    return found


def _holds_files(root: Path) -> bool:
    return bool(_files_in(root))


def _dump_files(writer: _ChunkWriter, folders: dict[str, Path]) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for name, root in folders.items():
        writer.write(_line({"directory": name}))
        files = size = 0
        for relative, path in _files_in(root):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # removed since it was listed (its row is gone too, or will be)
            writer.write(
                _line({"file": relative, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
            )
            for start in range(0, len(data), FILE_PIECE):
                writer.write(_line([base64.b64encode(data[start : start + FILE_PIECE]).decode()]))
            files += 1
            size += len(data)
        summary[name] = {"files": files, "bytes": size}
    return summary


def _safe_relative(path: Path, name: Any) -> PurePosixPath:
    relative = PurePosixPath(str(name))
    if (
        not isinstance(name, str)
        or relative.is_absolute()
        or not relative.parts
        or any(part in {".", ".."} or part.startswith(".") or "\\" in part for part in relative.parts)
    ):
        raise BackupError(f"{path} is damaged: it names a file outside its folder ({name!r}).")
    return relative


class _FileSink:
    """Receives the files of a payload: checks each one's size and SHA-256 and, when given staging folders,
    writes it there (mode 0600, folders 0700)."""

    def __init__(self, path: Path, staging: dict[str, Path] | None = None) -> None:
        self.path = path
        self.staging = staging
        self.root: Path | None = None
        self.current: dict[str, Any] | None = None
        self.handle: IO[bytes] | None = None
        self.digest = hashlib.sha256()
        self.size = 0
        self.files = 0
        self.total = 0

    def directory(self, name: Any) -> None:
        self.close()
        if self.staging is not None:
            if name not in self.staging:
                raise BackupError(f"{self.path} holds the folder {name}, which is not being restored.")
            self.root = self.staging[name]

    def file(self, record: dict[str, Any]) -> None:
        self.close()
        relative = _safe_relative(self.path, record.get("file"))
        self.current = record
        self.digest = hashlib.sha256()
        self.size = 0
        if self.root is not None:
            target = self.root.joinpath(*relative.parts)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.handle = os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    def piece(self, record: Any) -> None:
        if self.current is None or not isinstance(record, list) or len(record) != 1:
            raise BackupError(f"{self.path} is damaged: a line of its files is not valid.")
        try:
            data = base64.b64decode(record[0], validate=True)
        except (binascii.Error, TypeError, ValueError) as exc:
            raise BackupError(f"{self.path} is damaged: a file's content is not valid.") from exc
        self.digest.update(data)
        self.size += len(data)
        if self.handle is not None:
            self.handle.write(data)

    def close(self) -> None:
        if self.current is None:
            return
        record, self.current = self.current, None
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.size != record.get("size") or self.digest.hexdigest() != record.get("sha256"):
            raise BackupError(
                f"{self.path} is damaged: the file {record.get('file')} is not what was backed up."
            )
        self.files += 1
        self.total += self.size

    def abort(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def _default_output() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"himaya-{stamp}.himaya-backup"


def backup_create(
    *, output: Path | None = None, keys: Sequence[str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> BackupInfo:
    """Write an encrypted, checksummed backup of the whole database to ``output`` (mode 0600)."""
    key = _configured_keys(keys)[0]
    connection = connections[using]
    path = Path(output) if output is not None else _default_output()
    if path.exists():
        raise BackupError(f"{path} already exists: choose another file name.")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    # A backup is an export of every record: it goes into the audit trail (and into the backup itself).
    audit.record(AuditAction.EXPORT, object_type="database", detail={"command": "backup"})

    salt = secrets.token_bytes(16)
    cipher = AESGCM(_derive(key, salt, b"data"))
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(b"\0" * (_PREFIX.size + HEADER_SIZE + _TAG_SIZE))  # the header comes last
            writer = _ChunkWriter(handle, cipher)
            created_at = timezone.now().astimezone(dt.UTC).isoformat()
            with _Snapshot(connection):
                migrations = _migration_state(connection)
                tables, rows, counts = _dump(writer, connection)
            # The files after the rows: a document added meanwhile is an unused file; one removed meanwhile is
            # missing (its row is removed first, its file once that is committed).
            directories = _dump_files(writer, backup_directories())
            files = sum(item["files"] for item in directories.values())
            writer.write(_line({"end": True, "tables": tables, "rows": rows, "files": files}))
            writer.close()
            header: dict[str, Any] = {
                "format": "himaya-backup",
                "version": FORMAT_VERSION,
                "created_at": created_at,
                "vendor": connection.vendor,
                "migrations": migrations,
                "directories": directories,
                "sha256": writer.digest.hexdigest(),
                "plaintext_bytes": writer.size,
                "cipher": "AES-256-GCM",
                "kdf": "HKDF-SHA256",
                "compression": "zlib",
                "salt": base64.b64encode(salt).decode(),
                "key_check": _key_check(key, salt),
            }
            header_bytes = json.dumps(header, indent=1).encode()
            if len(header_bytes) > HEADER_SIZE:
                raise BackupError("The backup header is too large (too many apps).")
            prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, HEADER_SIZE) + header_bytes.ljust(HEADER_SIZE)
            handle.seek(0)
            handle.write(prefix + cipher.encrypt(_nonce(0), b"", prefix))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupInfo(
        path=path,
        created_at=created_at,
        vendor=connection.vendor,
        migrations=migrations,
        sha256=header["sha256"],
        size=path.stat().st_size,
        tables=tables,
        rows=rows,
        row_counts=counts,
        files=files,
        file_bytes=sum(item["bytes"] for item in directories.values()),
    )


class _Snapshot:
    """One consistent view of the database for the whole dump, without blocking writers for long."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.atomic: Any = None
        self.manual = False

    def __enter__(self) -> None:
        connection = self.connection
        if connection.in_atomic_block:
            return  # already inside a transaction: it is the snapshot
        if connection.vendor == "sqlite":
            # A deferred read transaction sees one WAL snapshot and does not take the write lock.
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
            self.manual = True
            return
        self.atomic = transaction.atomic(using=connection.alias)
        self.atomic.__enter__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def __exit__(self, *exc_info: Any) -> None:
        if self.manual:
            with self.connection.cursor() as cursor:
                cursor.execute("COMMIT")
        elif self.atomic is not None:
            self.atomic.__exit__(*exc_info)


# --- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Opened:
    header: dict[str, Any]
    cipher: AESGCM
    data_offset: int


def _open(handle: IO[bytes], path: Path, keys: Sequence[str] | None) -> _Opened:
    prefix = handle.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size or prefix[:8] != MAGIC:
        raise BackupError(f"{path} is not a Himaya backup.")
    _, version, header_size = _PREFIX.unpack(prefix)
    if version > max(READABLE_VERSIONS):
        raise BackupError(
            f"{path} uses backup format {version}, newer than this version of Himaya knows ({FORMAT_VERSION})."
        )
    if version not in READABLE_VERSIONS or header_size > 1024 * 1024:
        raise BackupError(f"{path} has an unknown or damaged header.")
    header_bytes = handle.read(header_size)
    tag = handle.read(_TAG_SIZE)
    if len(header_bytes) != header_size or len(tag) != _TAG_SIZE:
        raise BackupError(f"{path} is truncated.")
    try:
        header = json.loads(header_bytes)
        salt = base64.b64decode(header["salt"], validate=True)
        key_check = header["key_check"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BackupError(f"{path} has a damaged header.") from exc
    key = next((key for key in _configured_keys(keys) if _key_check(key, salt) == key_check), None)
    if key is None:
        raise BackupError(
            f"{path} was encrypted with another key: set HIMAYA_BACKUP_KEY to the key in use when it was made."
        )
    cipher = AESGCM(_derive(key, salt, b"data"))
    try:
        cipher.decrypt(_nonce(0), tag, prefix + header_bytes)
    except InvalidTag as exc:
        raise BackupError(f"{path} has been altered: its header fails authentication.") from exc
    required = {"created_at", "vendor", "migrations", "sha256"}
    if (
        not required <= header.keys()
        or not isinstance(header["migrations"], dict)
        or not isinstance(header.get("directories", {}), dict)
    ):
        raise BackupError(f"{path} has an incomplete header.")
    return _Opened(header=header, cipher=cipher, data_offset=_PREFIX.size + header_size + _TAG_SIZE)


def _plaintext(handle: IO[bytes], opened: _Opened, path: Path) -> Iterator[bytes]:
    """Decrypted, decompressed payload pieces; raises if a chunk was altered, dropped or reordered."""
    decompressor = zlib.decompressobj()
    index = 0
    while True:
        length_bytes = handle.read(_CHUNK_LENGTH.size)
        if len(length_bytes) < _CHUNK_LENGTH.size:
            raise BackupError(f"{path} is truncated: its last part is missing.")
        (length,) = _CHUNK_LENGTH.unpack(length_bytes)
        if length > CHUNK_SIZE + _TAG_SIZE:
            raise BackupError(
                f"{path} has been altered or damaged (chunk {index + 1} has an invalid length)."
            )
        ciphertext = handle.read(length)
        if len(ciphertext) < length:
            raise BackupError(f"{path} is truncated: its last part is missing.")
        index += 1
        plaintext = None
        for last in (False, True):
            try:
                plaintext = opened.cipher.decrypt(_nonce(index), ciphertext, _chunk_aad(index, last=last))
            except InvalidTag:
                continue
            break
        if plaintext is None:
            raise BackupError(f"{path} has been altered or damaged (chunk {index} fails authentication).")
        try:
            yield decompressor.decompress(plaintext)
            if last:
                yield decompressor.flush()
        except zlib.error as exc:
            raise BackupError(f"{path} is damaged (chunk {index} does not decompress).") from exc
        if last:
            if handle.read(1):
                raise BackupError(f"{path} has been altered: data follows its last part.")
            return


def _records(handle: IO[bytes], opened: _Opened, path: Path) -> Iterator[Any]:
    """The payload's JSON lines; the SHA-256 of the plaintext is checked once the last line is read."""
    digest = hashlib.sha256()
    pending = b""
    ended = False
    for piece in _plaintext(handle, opened, path):
        digest.update(piece)
        pending += piece
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if ended:
                raise BackupError(f"{path} is damaged: data follows its end marker.")
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise BackupError(f"{path} is damaged: a line of its content is not valid.") from exc
            ended = isinstance(record, dict) and record.get("end") is True
            yield record
    if pending or not ended:
        raise BackupError(f"{path} is incomplete: its end marker is missing.")
    if digest.hexdigest() != opened.header["sha256"]:
        raise BackupError(f"{path} fails its checksum: the content is not what was backed up.")


def iter_backup_rows(
    *, path: Path, keys: Sequence[str] | None = None
) -> Iterator[tuple[str, list[str], list[Any]]]:
    """Every row of a backup as ``(table, columns, values)``, values as stored (encrypted fields as ciphertext)."""
    path = Path(path)
    with _open_file(path) as handle:
        opened = _open(handle, path, keys)
        table: str | None = None
        columns: list[str] = []
        for record in _records(handle, opened, path):
            if isinstance(record, dict):  # a table, or (table None) the files that follow the rows
                table, columns = record.get("table"), list(record.get("columns", []))
            elif table is not None:
                yield table, columns, record


def _open_file(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise BackupError(f"{path} does not exist.") from exc
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror}.") from exc


def _info(path: Path, header: dict[str, Any], counts: dict[str, int], sink: _FileSink) -> BackupInfo:
    return BackupInfo(
        path=path,
        created_at=str(header["created_at"]),
        vendor=str(header["vendor"]),
        migrations={str(app): str(name) for app, name in header["migrations"].items()},
        sha256=str(header["sha256"]),
        size=path.stat().st_size,
        tables=len(counts),
        rows=sum(counts.values()),
        row_counts=counts,
        files=sink.files,
        file_bytes=sink.total,
    )


def backup_verify(*, path: Path, keys: Sequence[str] | None = None) -> BackupInfo:
    """Decrypt the whole backup and check its authentication tags and checksum, without touching the database."""
    path = Path(path)
    counts: dict[str, int] = {}
    sink = _FileSink(path)
    with _open_file(path) as handle:
        opened = _open(handle, path, keys)
        table: str | None = None
        for record in _records(handle, opened, path):
            if isinstance(record, dict):
                table = _route(record, sink, counts)
            elif table is not None:
                counts[table] += 1
            else:
                sink.piece(record)
    return _info(path, opened.header, counts, sink)


def _route(record: dict[str, Any], sink: _FileSink, counts: dict[str, int]) -> str | None:
    """Follow a section line of the payload; returns the table whose rows come next (None: files)."""
    if "table" in record:
        sink.close()
        table = str(record["table"])
        counts[table] = 0
        return table
    if "directory" in record:
        sink.directory(record["directory"])
    elif "file" in record:
        sink.file(record)
    elif record.get("end") is True:
        sink.close()
    return None


# --- restoring -----------------------------------------------------------------------------------------------


def _insert_sql(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _load(
    records: Iterable[Any], connection: BaseDatabaseWrapper, path: Path, sink: _FileSink
) -> dict[str, int]:
    by_table = {model._meta.db_table: model for model in _models_in_dependency_order(connection)}
    counts: dict[str, int] = {}
    sql = ""
    decoders: list[Any] = []
    batch: list[list[Any]] = []
    table = ""

    def flush() -> None:
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()

    in_files = False
    for record in records:
        if isinstance(record, dict) and "table" not in record:
            flush()
            _route(record, sink, counts)
            in_files = True
            if record.get("end") is True:
                break
            continue
        if in_files:
            if isinstance(record, dict):
                raise BackupError(f"{path} is damaged: a table follows its files.")
            sink.piece(record)
            continue
        if isinstance(record, dict):
            flush()
            table = str(record.get("table"))
            model = by_table.get(table)
            if model is None:
                raise BackupError(f"{path} holds table {table}, which this version of Himaya does not have.")
            fields_by_column = {str(model_field.column): model_field for model_field in _columns(model)}
            columns = list(record.get("columns", []))
            missing = [column for column in columns if column not in fields_by_column]
            if missing:
                raise BackupError(
                    f"{path}: table {table} has no column {', '.join(missing)} in this database."
                )
            decoders = [_decoder(fields_by_column[column], connection) for column in columns]
            sql = _insert_sql(connection, table, columns)
            counts[table] = 0
            continue
        if len(record) != len(decoders):
            raise BackupError(f"{path} is damaged: a row of {table} has the wrong number of values.")
        batch.append([decode(value) for decode, value in zip(decoders, record, strict=True)])
        counts[table] += 1
        if len(batch) >= INSERT_BATCH:
            flush()
    flush()
    return counts


def _wipe(connection: BaseDatabaseWrapper) -> None:
    tables = [model._meta.db_table for model in _models_in_dependency_order(connection)]
    tables += sorted(SKIPPED_TABLES & set(connection.introspection.table_names()))
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _reset_sequences(connection: BaseDatabaseWrapper) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), _models_in_dependency_order(connection))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def backup_restore(
    *, path: Path, keys: Sequence[str] | None = None, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> BackupInfo:
    """Bring a backup back into a migrated database, all or nothing.

    The database must hold no data (only what ``migrate`` puts there) unless ``force``, which wipes it first.
    """
    path = Path(path)
    connection = connections[using]
    with _open_file(path) as handle:
        header = _open(handle, path, keys).header
    _check_migrations({str(app): str(name) for app, name in header["migrations"].items()}, connection)
    targets = _restore_targets(header, path)
    if not force and database_holds_data(using=using):
        raise BackupError(
            "The database already holds data: restore into a freshly migrated, empty database, "
            "or use --force to wipe this one first."
        )
    for name, target in targets.items():
        if not force and _holds_files(target):
            raise BackupError(
                f"The folder {target} ({name}) already holds files: restore into an empty folder, "
                "or use --force to replace its content."
            )
    backup_verify(path=path, keys=keys)  # every tag and the checksum, before anything is deleted
    token = secrets.token_hex(4)
    staging = {name: target.parent / f".{target.name}.restoring-{token}" for name, target in targets.items()}
    sink = _FileSink(path, staging)
    try:
        for folder in staging.values():
            folder.mkdir(mode=0o700, parents=True)
        with _open_file(path) as handle, transaction.atomic(using=using):
            opened = _open(handle, path, keys)
            _wipe(connection)
            counts = _load(_records(handle, opened, path), connection, path, sink)
            _reset_sequences(connection)
            audit.record(
                AuditAction.SECURITY,
                object_type="database",
                detail={"command": "restore", "backup_created_at": str(header["created_at"])},
            )
    except BaseException:
        sink.abort()
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    for name, target in targets.items():
        _swap_in(staging[name], target, token)
    return _info(path, header, counts, sink)


def _restore_targets(header: dict[str, Any], path: Path) -> dict[str, Path]:
    """Where each folder of the backup goes on this installation (the path its setting gives now)."""
    targets = {}
    for name in header.get("directories", {}):
        value = getattr(settings, str(name), None) if str(name).isidentifier() else None
        if not value:
            raise BackupError(
                f"{path} holds the folder {name}, but this installation has no setting {name}: "
                "set it to where those files belong and restore again."
            )
        targets[str(name)] = Path(value)
    return targets


def _swap_in(staging: Path, target: Path, token: str) -> None:
    """Put the restored folder in the place of ``target`` (whose content, if any, is deleted)."""
    if target.exists():
        replaced = target.parent / f".{target.name}.replaced-{token}"
        os.replace(target, replaced)
        os.replace(staging, target)
        shutil.rmtree(replaced, ignore_errors=True)
    else:
        os.replace(staging, target)
