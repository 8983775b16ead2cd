"""Credentials of agencies and services: each authenticates to the bus as itself."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer
from rich.table import Table

from govbus.audit.log import record_for_project
from govbus.cli.context import console, emit_json, err_console, state
from govbus.security.credentials import issue, registered, revoke, secrets_folder, settings_as, settings_for
from govbus.security.login import check_login
from govbus.security.principals import ADMIN, check_principal, known_principals

app = typer.Typer(no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command(
    "add",
    epilog="Example: govbus agencies add tax\n\n"
    "The broker is reached as the admin: GOVBUS_KAFKA_SASL_* in the environment, else the admin "
    "password `govbus up` kept in .govbus/secrets/admin.json.",
)
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Agency code from govbus.yaml, or a service: reconciler, airflow, steward, projector.")],
    rotate: Annotated[bool, typer.Option("--rotate", help="Replace an existing password; clients using the old one are refused.")] = False,
    print_once: Annotated[
        bool, typer.Option("--print-once", help="Print the password once instead of keeping it (to hand to a remote agency).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Give an agency or service its SCRAM-SHA-512 credential; the broker keeps only the salted hash."""
    project = state(ctx).project()
    issued = issue(project, name, settings_as(project, ADMIN), rotate=rotate, keep=not print_once)
    record_for_project(project, "credential", ADMIN, {"principal": name, "action": "issued" if issued.rotated else "registered again"})
    if as_json:
        emit_json({"principal": name, "rotated": issued.rotated, "kept_in": issued.kept_in})
    elif issued.kept_in:
        verb = "new password" if issued.rotated else "existing password registered again"
        console.print(f"{name}: {verb}, kept in {issued.kept_in} (mode 0600)", highlight=False)
    if print_once:
        # Shown on the terminal only, once: it is kept nowhere else.
        err_console.print(f"{name} password (shown once, keep it in the agency's secret store):")
        typer.echo(issued.password.get_secret_value())


@app.command("list", epilog="Example: govbus agencies list --json")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every agency and service: whether a password is kept here and whether the broker knows it."""
    project = state(ctx).project()
    on_broker = registered(settings_as(project, ADMIN))
    kept = set(secrets_folder(project).principals())
    rows = [
        {"principal": name, "what": what, "kept_here": name in kept, "on_broker": name in on_broker}
        for name, what in sorted(known_principals(project).items())
    ]
    if as_json:
        emit_json(rows)
        return
    table = Table("principal", "what", "password kept here", "credential on broker")
    for row in rows:
        table.add_row(row["principal"], row["what"], _yes(row["kept_here"]), _yes(row["on_broker"]))
    console.print(table)


@app.command("env", epilog='Example: eval "$(govbus agencies env tax)" && govbus tail population.person.registered.for.tax')
def env(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Agency or service to act as.")]) -> None:
    """Print the shell exports that make govbus commands authenticate as an agency or service."""
    project = state(ctx).project()
    settings = settings_for(project, check_principal(project, name))
    exports = {
        "GOVBUS_KAFKA_SECURITY_PROTOCOL": settings.security_protocol,
        "GOVBUS_KAFKA_SASL_MECHANISM": settings.sasl_mechanism,
        "GOVBUS_KAFKA_SASL_USERNAME": name,
        "GOVBUS_KAFKA_SASL_PASSWORD": settings.sasl_password.get_secret_value(),
    }
    for variable, value in exports.items():
        typer.echo(f"export {variable}={shlex.quote(value)}")


@app.command("check", epilog="Example: govbus agencies check tax")
def check(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Agency or service whose login to try.")],
    as_json: JsonOption = False,
) -> None:
    """Log in once as an agency or service: accepted, refused (wrong password) or unreachable."""
    project = state(ctx).project()
    result = check_login(settings_for(project, check_principal(project, name)))
    if as_json:
        emit_json(result.__dict__)
    else:
        colour = {"accepted": "green", "refused": "red"}.get(result.outcome, "yellow")
        console.print(f"{name}: [{colour}]{result.outcome}[/] {result.detail}", highlight=False)
    if result.outcome != "accepted":
        raise typer.Exit(1)


@app.command("revoke", epilog="Example: govbus agencies revoke post")
def revoke_(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Agency or service to shut out.")]) -> None:
    """Delete a credential from the broker and the secrets folder: its clients are refused from now on."""
    project = state(ctx).project()
    revoke(check_principal(project, name), settings_as(project, ADMIN))
    removed = secrets_folder(project).remove(name)
    record_for_project(project, "credential", ADMIN, {"principal": name, "action": "revoked"})
    console.print(f"{name}: credential revoked on the broker" + ("; password file removed" if removed else ""))


def _yes(flag: bool) -> str:
    return "[green]yes[/]" if flag else "[dim]no[/]"
