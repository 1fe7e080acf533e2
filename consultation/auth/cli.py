"""``flask users``: accounts from the command line (audited as the command line)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..audit.operations import Actor
from ..errors import OperationRefused
from ..extensions import db
from ..urls import NoPublicAddress, external_url
from .models import Role, User
from .operations import (
    change_password,
    create_user,
    disable_user,
    random_password,
    set_role,
    user_by_email,
)
from .two_factor import turn_off_two_factor

users_cli = AppGroup("users", help="Manage administrator, analyst and moderator accounts.")
ROLES = click.Choice([role.value for role in Role])


def _run(operation):
    try:
        result = operation()
    except OperationRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    return result


def _user(email):
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the e-mail {email}.")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=ROLES,
    required=True,
    help="admin: everything; analyst: read only; moderator: read, and moderate contributions.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email, role, password_stdin):
    """Create an account; asks for the password twice."""
    password = _password(password_stdin)
    user = _run(lambda: create_user(email, role, password, Actor.command_line()))
    click.echo(f"Created {user.email} ({user.role}).")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(email, password_stdin):
    """Give an account a new password; every open session of that account ends."""
    user = _user(email)
    password = _password(password_stdin)
    _run(lambda: change_password(user, password, Actor.command_line()))
    click.echo(f"{user.email} has a new password; their open sessions have ended.")


@users_cli.command("list")
def list_command():
    """List the accounts."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "disabled"
        last = user.last_sign_in_at.isoformat(timespec="minutes") if user.last_sign_in_at else "-"
        factor = "two-factor on" if user.two_factor_enabled else "two-factor off"
        click.echo(f"{user.email}\t{user.role}\t{state}\t{factor}\tlast sign-in {last}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
def set_role_command(email, role):
    """Give an account another role."""
    user = _user(email)
    _run(lambda: set_role(user, role, Actor.command_line()))
    click.echo(f"{user.email} is now {role}.")


@users_cli.command("disable")
@click.argument("email")
def disable_command(email):
    """Stop an account from signing in; its open sessions end."""
    user = _user(email)
    _run(lambda: disable_user(user, Actor.command_line()))
    click.echo(f"{user.email} is disabled.")


@users_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email):
    """Turn off an account's two-factor sign-in (lost phone and codes); it enrols again."""
    user = _user(email)
    _run(lambda: turn_off_two_factor(user, Actor.command_line()))
    click.echo(f"{user.email} sets up two-factor sign-in again at the next sign-in.")


@users_cli.command("create-demo-admin")
@click.option("--email", default="admin@example.org", show_default=True)
def demo_admin_command(email):
    """For the demo: when no account exists, create an administrator and print its password."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Accounts exist already; no demo administrator created.")
        return
    password = random_password()
    _run(lambda: create_user(email, Role.ADMIN, password, Actor.command_line()))
    click.echo("=" * 64)
    try:
        where = external_url("admin.dashboard")
    except NoPublicAddress:  # production without PUBLIC_BASE_URL: the path is all that is known
        where = current_app.url_map.bind("localhost").build("admin.dashboard")
    click.echo(f"Demo administrator created. Sign in at {where}")
    click.echo(f"  e-mail:   {email}")
    click.echo(f"  password: {password}")
    click.echo("This password is shown only once. At the first sign-in the site asks you to")
    click.echo("set up two-factor sign-in with an authenticator app (a QR code to scan).")
    click.echo("=" * 64)
