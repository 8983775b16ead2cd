"""The command line as an agency data engineer uses it: publish a file, tail it back, check schemas."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]


def govbus(*args: str, project: Path, bootstrap: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOVBUS_PROJECT": str(project)}
    if bootstrap:
        env["GOVBUS_KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    return subprocess.run(
        [sys.executable, "-c", "from govbus.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def cli_project(tmp_path, unique_topic):
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    topic = unique_topic("people")
    config = yaml.safe_load((REPO / "govbus.yaml").read_text())
    config["topics"] = {topic: {**config["topics"]["population.person.registered"], "partitions": 2}}
    (tmp_path / "govbus.yaml").write_text(yaml.safe_dump(config))
    return tmp_path, topic


PERSON = {
    "national_id": "19800102-1234",
    "given_name": "Anna",
    "family_name": "Berg",
    "date_of_birth": "1980-01-02",
    "sex": "F",
    "street": "Storgatan 1",
    "postcode": "11122",
    "city": "Norrvik",
    "civil_status": "married",
    "passport_number": None,
}


def test_publish_then_tail_returns_the_person_decoded(cli_project, broker):
    project, topic = cli_project
    assert govbus("topics", "apply", project=project, bootstrap=broker.bootstrap).returncode == 0
    people = project / "people.jsonl"
    people.write_text(json.dumps(PERSON) + "\n" + json.dumps({**PERSON, "national_id": "19900304-5678", "sex": "Q"}) + "\n")
    published = govbus("publish", topic, str(people), "--json", project=project, bootstrap=broker.bootstrap)
    assert published.returncode == 2, published.stderr  # one record was rejected
    receipt = json.loads(published.stdout)
    assert (receipt["read"], receipt["sent"], receipt["rejected"], receipt["dead_lettered"]) == (2, 1, 1, 1)
    assert receipt["rejections"][0]["field"] == "sex" and receipt["rejections"][0]["record_number"] == 2

    tailed = govbus("tail", topic, "--max", "1", "--idle", "5", project=project, bootstrap=broker.bootstrap)
    assert tailed.returncode == 0, tailed.stderr
    assert json.loads(tailed.stdout.strip()) == PERSON

    letters = govbus("dlq", "list", topic, "--json", project=project, bootstrap=broker.bootstrap)
    [letter] = json.loads(letters.stdout)
    assert (letter["reason"], letter["field"], letter["record_number"]) == ("type_mismatch", "sex", 2)
    assert "'Q'" in letter["error"] and "expected one of F, M, X" in letter["error"]


def test_schemas_check_fails_on_a_breaking_change_naming_subject_versions_and_field(cli_project):
    project, _ = cli_project
    assert govbus("schemas", "check", project=project).returncode == 0
    subject = project / "schemas" / "population.person.address_changed"
    v3 = json.loads((subject / "v2.avsc").read_text())
    v3["fields"].append({"name": "floor", "type": "int"})
    (subject / "v3.avsc").write_text(json.dumps(v3))
    result = govbus("schemas", "check", project=project)
    assert result.returncode == 2
    assert "population.person.address_changed: v3 breaks BACKWARD compatibility with v2" in result.stderr
    assert "floor" in result.stderr


def test_errors_are_one_line_without_traceback_unless_debug(tmp_path):
    result = govbus("schemas", "list", project=tmp_path)
    assert result.returncode == 1
    assert "no govbus.yaml" in result.stderr and "Traceback" not in result.stderr
    debug = govbus("--debug", "schemas", "list", project=tmp_path)
    assert "Traceback" in debug.stderr


def test_unreachable_broker_is_a_clear_retriable_error(cli_project):
    project, topic = cli_project
    result = govbus("topics", "apply", project=project, bootstrap="127.0.0.1:1")
    assert result.returncode == 1
    assert "did not answer" in result.stderr and "Traceback" not in result.stderr
