"""The bulk files, prepared once by a job and then served as files.

Built from the published records, a bulk file costs Python time per contribution
(its answers, its cleared texts); a million of them take minutes. So the first
request for a version of the data (``version``: a digest of what the files are made
from) queues an ``open_data`` job and streams the file live meanwhile; the job writes
every bulk file of that version under ``REPORT_FOLDER/open-data/``, and later requests
get the finished file at disk speed, with flat memory either way.
"""

from pathlib import Path

from flask import current_app

from ..audit.operations import Actor
from ..jobs.operations import request_job
from ..jobs.queue import QueueUnavailable, current_queue
from ..jobs.tasks import Result, _consultation, kind

FOLDER = "open-data"


def folder() -> Path:
    return Path(current_app.config["REPORT_FOLDER"]) / FOLDER


def prepared_path(consultation, name: str, version: str) -> Path:
    """Where the bulk file ``name`` (``contributions.jsonl``...) of ``version`` is kept."""
    return folder() / f"{consultation.slug}-{version}-{name}"


def prepare_later(consultation, version: str) -> None:
    """Queue the job that writes the files of ``version`` (joining one under way)."""
    try:
        if not current_queue().reachable():
            return
        request_job(
            "open_data",
            {"consultation": consultation.id, "version": version},
            Actor("the site"),
            consultation,
        )
        from ..extensions import db

        db.session.commit()
    except QueueUnavailable:
        return


def _write(path: Path, chunks, job_id) -> None:
    partial = path.with_name(f"{path.name}.{job_id}.partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)
    partial.replace(path)  # complete or absent, never half a file


@kind("open_data")
def open_data(job, progress, output) -> Result:
    """Every bulk file of a consultation for one version of its published data."""
    from . import contributions

    consultation = _consultation(job)
    version = job.parameters["version"]
    if contributions.version_of(consultation) != version:
        return Result(outcome="The published data changed since; a newer job makes the files.")
    folder().mkdir(parents=True, exist_ok=True)
    names = contributions.bulk_files(consultation)
    progress.start(len(names), "files")
    for name, chunks in names.items():
        _write(prepared_path(consultation, name, version), chunks(consultation), job.id)
        progress.advance()
    for old in folder().glob(f"{consultation.slug}-*"):
        if f"-{version}-" not in old.name and not old.name.endswith(".partial"):
            old.unlink(missing_ok=True)  # an older version: its data is no longer published
    return Result(rows=len(names), outcome="The open-data files were prepared.")
