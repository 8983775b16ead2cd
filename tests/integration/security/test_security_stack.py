"""The local broker with security on: it is formatted with the admin's credential, a broker whose
storage was formatted without one is not silently started with security on, and after a plain
`govbus up` the services and the CLI work with the credentials kept for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from govbus.audit import entries
from govbus.errors import ConfigurationError
from govbus.security.access import desired_grants
from govbus.security.acls import current_grants, plan_access
from govbus.security.credentials import secrets_folder, settings_for
from govbus.security.login import check_login
from govbus.security.principals import SERVICES
from govbus.stack import LocalBroker
from govbus.stack.local import LocalStackSettings, local_services
from govbus.store import Store

REPO = Path(__file__).resolve().parents[3]


def test_a_broker_formatted_without_security_is_not_started_with_it(make_broker):
    node = make_broker()
    node.up(timeout=120)
    node.down()
    secured = LocalBroker(node.root, node.home.parent, port=node.port, controller_port=node.controller_port, security=True)
    with pytest.raises(ConfigurationError, match="formatted with security off.*GOVBUS_STACK_KAFKA_SECURITY=false"):
        secured.up()
    assert not secured.process.alive()


def test_the_secure_broker_lets_its_admin_in_and_keeps_the_password_out_of_its_config(secure_broker):
    admin = secure_broker.client_settings()
    assert check_login(admin).outcome == "accepted"
    config = secure_broker.config_file.read_text()
    assert admin.sasl_password.get_secret_value() not in config
    assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" in config


def cli(project, bootstrap: str, *args: str) -> subprocess.CompletedProcess:
    """``govbus ARGS`` as a person types it after ``govbus up``: no credentials in the environment."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GOVBUS_KAFKA_")}
    env.update({"GOVBUS_PROJECT": str(project.root), "GOVBUS_KAFKA_BOOTSTRAP_SERVERS": bootstrap})
    argv = [sys.executable, "-c", "from govbus.cli.main import main; main()", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def secured_stack(demo_project, find_free_ports):
    """The broker of a plain `govbus up` (security is the default) over a copy of the demo project."""
    project = demo_project()
    # The broker's configuration template and jars, as a project checked out beside them has.
    (project.root / "infra").symlink_to(REPO / "infra")
    (project.root / ".govbus" / "kafka").mkdir(parents=True)
    (project.root / ".govbus" / "kafka" / "libs").symlink_to(REPO / ".govbus" / "kafka" / "libs")
    port, controller_port = find_free_ports(2)
    settings = LocalStackSettings(kafka_port=port, kafka_controller_port=controller_port)
    (broker,) = local_services(project, settings, only=["kafka"])
    status = broker.up(timeout=180)
    try:
        yield project, broker, status
    finally:
        broker.down()


def test_govbus_up_secures_the_broker_and_registers_the_services_with_the_contracts_acls(secured_stack):
    project, broker, status = secured_stack
    admin = broker.client_settings()
    assert broker.security and status.answering
    (note,) = [note for note in status.notes if note.startswith("security:")]
    assert f"{len(SERVICES)} identities registered" in note
    for service in SERVICES:
        assert check_login(settings_for(project, service, admin)).outcome == "accepted"
    assert not plan_access(desired_grants(project), current_grants(admin)).changed
    again = broker.up()
    assert "0 added, 0 removed" in again.notes[-1]


def test_commands_after_govbus_up_act_with_the_kept_credentials_and_publish_is_audited(secured_stack, resident):
    project, broker, _ = secured_stack
    (registered,) = [name for name, topic in project.topics.items() if topic.subject == "population.person.registered"]
    assert cli(project, broker.bootstrap, "topics", "apply").returncode == 0
    assert cli(project, broker.bootstrap, "agencies", "add", "population").returncode == 0
    people = project.root / "people.jsonl"
    people.write_text("".join(json.dumps(resident(number)) + "\n" for number in range(3)))

    published = cli(project, broker.bootstrap, "publish", registered, str(people), "--json")
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout)["sent"] == 3
    tailed = cli(project, broker.bootstrap, "tail", registered, "--max", "3", "--idle", "10")
    assert tailed.returncode == 0, tailed.stderr
    assert len(tailed.stdout.strip().splitlines()) == 3

    (entry,) = [e for e in entries(Store.for_project(project), kind="publish") if json.loads(e.details)["topic"] == registered]
    assert entry.actor == "population" and entry.subject_count == 3


def test_a_wrong_kept_password_is_reported_as_refused_naming_the_principal(secured_stack):
    project, broker, _ = secured_stack
    kept = secrets_folder(project)
    password = kept.get("admin")
    kept.put("admin", SecretStr("not-the-admin-password"))
    try:
        result = cli(project, broker.bootstrap, "topics", "apply")
    finally:
        kept.put("admin", password)
    assert result.returncode != 0
    assert "refused the credentials of 'admin'" in result.stderr and "did not answer" not in result.stderr
