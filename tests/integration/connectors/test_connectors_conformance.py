"""Every connector kind against real databases and the real broker: one line each."""

from connector_conformance import ConnectorConformance, SinkConformance, feed_of
from connector_feeds import CdcFeed, FileDropFeed, OutboxFeed, TableFeed, TableSinkFeed


class TestTableSourceOnSqlite(ConnectorConformance):
    feed = feed_of(TableFeed, database="sqlite")


class TestTableSourceOnPostgres(ConnectorConformance):
    feed = feed_of(TableFeed, database="postgres")


class TestOutboxOnSqlite(ConnectorConformance):
    feed = feed_of(OutboxFeed, database="sqlite")


class TestFileDrop(ConnectorConformance):
    feed = feed_of(FileDropFeed)


class TestDebeziumCdcOnPostgres(ConnectorConformance):
    feed = feed_of(CdcFeed, database="cdc")


class TestTableSinkOnSqlite(SinkConformance):
    feed = feed_of(TableSinkFeed, database="sqlite")


class TestTableSinkOnPostgres(SinkConformance):
    feed = feed_of(TableSinkFeed, database="postgres")
