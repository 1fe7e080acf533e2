"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``.

Before serving, the start-up checks stop the process with a clear message if the
schema is not migrated, the secret key is unsafe or the upload folder is not writable.
"""

from consultation import create_app
from consultation.startup import require_ready

app = create_app()
require_ready(app)
