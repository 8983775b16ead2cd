"""The local broker with security on: it is formatted with the admin's credential, and a broker
whose storage was formatted without one is not silently started with security on."""

from __future__ import annotations

import pytest

from govbus.errors import ConfigurationError
from govbus.security.login import check_login
from govbus.stack import LocalBroker


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
