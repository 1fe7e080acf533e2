"""The newcomer's path: `make run` on another port, the README's commands in another terminal,
and settings problems said in one line (issue 12, item 22). Real processes, temporary folders."""

import shutil
import subprocess
import sys

import pytest

from .processes import ROOT, environment, free_port

#: Settings a terminal of the newcomer does not have.
UNSET = (
    "APP_ENV",
    "SECRET_KEY",
    "FLASK_APP",
    "DATABASE_URL",
    "UPLOAD_FOLDER",
    "PUBLIC_BASE_URL",
    "TRUSTED_HOSTS",
    "RATELIMIT_STORAGE_URI",
    "FLASK_RUN_FROM_CLI",
)


@pytest.fixture(autouse=True)
def _once(app):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("starts its own processes on SQLite: once is enough")


def flask(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_the_readme_s_commands_work_in_another_terminal_after_make_run(tmp_path):
    """``make run`` leaves instance/.env; the bare ``flask`` command then uses that demo."""
    (tmp_path / ".env").write_text("APP_ENV=development\nPUBLIC_BASE_URL=http://127.0.0.1:5001\n")
    env = environment(drop=UNSET, INSTANCE_PATH=str(tmp_path))
    for command in (["db", "upgrade"], ["consultations", "load", "--demo"]):
        done = flask(*command, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    admin = flask("users", "create-demo-admin", env=env)
    assert "Sign in at http://127.0.0.1:5001/admin/" in admin.stdout, admin.stderr
    listed = flask("consultations", "list", env=env)
    assert listed.returncode == 0 and "data-union-strategy" in listed.stdout
    report = tmp_path / "report.pdf"
    done = flask("reports", "summary", "data-union-strategy", "-o", str(report), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert report.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "consultation.sqlite").is_file()  # the demo's database, in that folder


@pytest.mark.parametrize("app_setting", [{}, {"FLASK_APP": "consultation"}])
def test_without_them_a_missing_secret_key_is_one_line(tmp_path, app_setting):
    env = environment(drop=UNSET, INSTANCE_PATH=str(tmp_path), **app_setting)
    done = flask("reports", "summary", "data-union-strategy", "-o", "x.pdf", env=env)
    assert done.returncode != 0
    assert "SECRET_KEY is not set." in one_line(done.stderr)


def test_the_settings_of_make_run_never_apply_when_app_env_is_set(tmp_path):
    (tmp_path / ".env").write_text("APP_ENV=development\n")
    env = environment(drop=UNSET, INSTANCE_PATH=str(tmp_path), APP_ENV="production")
    done = flask("consultations", "list", env=env)
    assert done.returncode != 0 and "SECRET_KEY is not set." in one_line(done.stderr)


def test_gunicorn_without_a_secret_key_stops_with_one_line(tmp_path):
    env = environment(drop=UNSET, INSTANCE_PATH=str(tmp_path), APP_ENV="production")
    (tmp_path / ".env").write_text("APP_ENV=development\n")  # gunicorn never reads it
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind"]
    done = subprocess.run(
        [*command, f"127.0.0.1:{free_port()}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # without the exit status gunicorn understands, it restarts workers forever
    )
    assert done.returncode != 0
    assert done.stderr.count("The application cannot start: SECRET_KEY is not set.") == 1
    assert "Traceback" not in done.stderr


def test_flask_db_upgrade_through_wsgi_is_not_refused(tmp_path):
    env = environment(drop=UNSET, INSTANCE_PATH=str(tmp_path), APP_ENV="development")
    done = flask("--app", "wsgi", "db", "upgrade", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Run: flask db upgrade" not in done.stderr
    current = flask("--app", "wsgi", "consultations", "list", env=env)
    assert current.returncode == 0, current.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_on_the_port_asked_for():
    shown = subprocess.run(
        ["make", "-n", "run", "PORT=5001", "HOST=0.0.0.0"],
        cwd=ROOT,
        env=environment(drop=UNSET),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "flask --app wsgi run --host 0.0.0.0 --port 5001" in shown
    assert "instance}/.env" in shown and "PUBLIC_BASE_URL=%s" in shown
