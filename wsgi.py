"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``.

Before serving, the start-up checks stop the process with a clear message (no traceback,
and an exit status that stops gunicorn) if a setting is missing or unsafe, the schema is
not migrated or the upload folder is not writable; ``flask db ...`` skips them.
"""

from config import SettingsError
from consultation import create_app
from consultation.startup import refuse_to_start, require_ready

try:
    app = create_app()
except SettingsError as problem:
    refuse_to_start([problem.message])
require_ready(app)
