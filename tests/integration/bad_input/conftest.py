"""A copy of the demo country on the secured broker, with the population register able to publish."""

from __future__ import annotations

import pytest

from govbus.bus.topics import apply_topics, desired_topics
from govbus.security.access import desired_grants
from govbus.security.acls import apply_access
from govbus.security.credentials import issue


@pytest.fixture
def country(secure_broker, demo_project):
    """The project, with ``admin`` settings and ``registered``: its population.person.registered topic."""
    project = demo_project()
    project.admin = secure_broker.client_settings()
    apply_topics(desired_topics(project), project.admin)
    project.registered = next(name for name in project.topics if name.startswith("population.person.registered"))
    return project


@pytest.fixture
def with_access(country):
    """``country`` with the contracts' ACLs applied and credentials for the register and Tax."""
    apply_access(desired_grants(country), country.admin)
    for agency in ("population", "tax"):
        issue(country, agency, country.admin)
    return country
