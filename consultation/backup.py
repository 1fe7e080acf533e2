"""Backups of a SQLite deployment: the database (online, consistent) and the uploaded files.

A backup is one ``.tar.gz`` holding ``database.sqlite`` and ``uploads/``. PostgreSQL
deployments use ``pg_dump``/``pg_restore`` instead (see docs/deployment.md).
"""

import sqlite3
import tarfile
import tempfile
from pathlib import Path

from flask import current_app

from .errors import OperationRefused
from .extensions import db

DATABASE_MEMBER = "database.sqlite"
UPLOADS_MEMBER = "uploads"


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise OperationRefused(
            "flask backup works on a SQLite file database. For PostgreSQL use pg_dump and "
            "pg_restore, as docs/deployment.md explains."
        )
    return Path(url.database)


def create_backup(target: Path) -> Path:
    """Write a consistent copy of the live database and the uploads to ``target`` (.tar.gz)."""
    source_path = _sqlite_path()
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / DATABASE_MEMBER
        source = sqlite3.connect(source_path)
        destination = sqlite3.connect(copy)
        try:
            source.backup(destination)  # consistent even while the site takes submissions
        finally:
            destination.close()
            source.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            archive.add(copy, arcname=DATABASE_MEMBER)
            if uploads.is_dir():
                archive.add(uploads, arcname=UPLOADS_MEMBER)
    return target


def restore_backup(source: Path) -> None:
    """Replace the live database and uploads with those of a backup made by ``create_backup``."""
    target_path = _sqlite_path()
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(source, "r:gz") as archive:
                names = archive.getnames()
                if DATABASE_MEMBER not in names:
                    raise OperationRefused(f"{source} is not a backup: no {DATABASE_MEMBER}.")
                archive.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise OperationRefused(f"{source} cannot be read as a backup: {error}") from None
        db.session.remove()
        db.engine.dispose()
        backup = sqlite3.connect(Path(work) / DATABASE_MEMBER)
        live = sqlite3.connect(target_path)
        try:
            backup.backup(live)
        finally:
            live.close()
            backup.close()
        restored_uploads = Path(work) / UPLOADS_MEMBER
        if restored_uploads.is_dir():
            uploads.mkdir(parents=True, exist_ok=True)
            for path in restored_uploads.iterdir():
                (uploads / path.name).write_bytes(path.read_bytes())
