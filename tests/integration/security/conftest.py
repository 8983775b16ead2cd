"""A copy of the demo country on the secured broker: topics, projections, ACLs and a credential each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from govbus.bus.topics import apply_topics, desired_topics
from govbus.project import Project
from govbus.security.access import desired_grants
from govbus.security.acls import apply_access
from govbus.security.credentials import issue, settings_for
from govbus.security.principals import SERVICES
from govbus.security.projection import projection_topic_specs
from govbus.settings import KafkaSettings


@dataclass
class SecuredCountry:
    project: Project
    admin: KafkaSettings
    topics: list[str]

    def topic(self, demo_name: str) -> str:
        """This copy's name for a demo topic or one of its twins and projections."""
        for source in self.project.topics:
            base = source.removesuffix("." + self.project.suffix)
            if demo_name == base or demo_name.startswith(base + "."):
                return source + demo_name[len(base) :]
        raise KeyError(demo_name)

    def settings(self, principal: str) -> KafkaSettings:
        return settings_for(self.project, principal, self.admin)

    @property
    def principals(self) -> list[str]:
        return sorted([*self.project.agencies, *SERVICES])


@pytest.fixture(scope="module")
def secured_country(secure_broker, demo_project) -> SecuredCountry:
    project = demo_project()
    admin = secure_broker.client_settings()
    specs = desired_topics(project) + projection_topic_specs(project)
    apply_topics(specs, admin)
    apply_access(desired_grants(project), admin)
    country = SecuredCountry(project, admin, sorted(spec.name for spec in specs))
    for name in country.principals:
        issue(project, name, admin)
    return country
