"""
### Land the agencies' events into the store

**What it does.** Lands every agency topic of `govbus.yaml` into its `land_<topic>` table in
micro-batches, exactly once (rows and offsets commit together), then validates the rows of this
batch against each topic's data contract with Great Expectations.

**When it runs.** When events arrive on the bus: the `govbus_agency_events` Asset has a watcher
(the Kafka provider's message-queue trigger, in the triggerer) that reads the project's topics
(`GOVBUS_WATCH_TOPICS`, set by `govbus up`) and fires on an event the store has not landed yet.
Landing runs one batch at a time; a run's validation may still be going while the next run
lands, so a slow validation never holds back fresh events.

**Reads.** The agency topics on Kafka (`GOVBUS_KAFKA_*`); landing positions in the store.
**Writes.** `land_*` tables and `consumer_offset` in the store (`GOVBUS_STORE_URL`); unreadable
events to `<topic>.dlq`; validation history and Data Docs (`validate_contracts` rebuilds the
agreement report from that history); one Asset event per landed table
(`govbus://store/land_...`), which schedules `reconcile_shared_customers`.

**When it fails.** The task log ends with a `GOVBUS TASK FAILED` block saying why and what to do.
The broker or store being away is retried three times; a contract breach in a batch is reported
(validation history, `validate_batch` log), never retried and never a failure of this DAG.
Rerunning is harmless: landing resumes where the store says the last batch ended.
Until the project's topics exist (`govbus topics apply`), the triggerer's log repeats
"Subscribed topic not available" and no run starts; that stops once they exist.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.apache.kafka.triggers.msg_queue import KafkaMessageQueueTrigger
from airflow.sdk import Asset, AssetAlias, AssetWatcher, dag, task

from govbus.orchestration.failures import task_defaults
from govbus.orchestration.names import KAFKA_CONNECTION, LANDED_TABLES, UNLANDED_EVENT, landed_table_uri, watched_topics

bus_watcher = KafkaMessageQueueTrigger(
    topics=[watched_topics()],
    kafka_config_id=KAFKA_CONNECTION,
    apply_function=UNLANDED_EVENT,
    poll_timeout=1,
    # Skipping already-landed events must not sleep between them.
    poll_interval=0,
)
agency_events = Asset(
    name="govbus_agency_events",
    uri="kafka://govbus/agency-topics",
    watchers=[AssetWatcher(name="govbus_bus_watcher", trigger=bus_watcher)],
)
landed_tables = AssetAlias(LANDED_TABLES)


@dag(
    dag_id="land_events",
    schedule=[agency_events],
    catchup=False,
    # Two runs: one validating its batch while the next lands (landing itself stays serial below).
    max_active_runs=2,
    default_args=task_defaults("govbus-platform", retry_delay=timedelta(seconds=15)),
    tags=["capability:landing", "capability:contracts", "agency:all"],
    doc_md=__doc__,
)
def land_events():
    # One lander at a time: each resumes from the offsets the previous one committed.
    @task(outlets=[landed_tables], max_active_tis_per_dag=1)
    def land(*, outlet_events=None) -> dict:
        """Land what the bus holds now; announce each landed table as an Asset event."""
        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.landing import land_new_events
        from govbus.orchestration.runtime import project_and_store

        with retry_only_transient():
            batch = land_new_events(*project_and_store())
        for topic, table in batch.tables.items():
            landed = batch.receipt["topics"][topic]["landed"]
            outlet_events[landed_tables].add(Asset(uri=landed_table_uri(table)), extra={"topic": topic, "landed": landed})
        return batch.to_dict()

    @task
    def validate_batch(batch: dict) -> list[dict]:
        """Validate this batch's rows per contract; breaches are reported, not raised."""
        import logging

        from govbus.orchestration.failures import retry_only_transient
        from govbus.orchestration.landing import LandedBatch
        from govbus.orchestration.runtime import project_and_store
        from govbus.orchestration.validation import breaches, describe_breach, validate_batch_of

        with retry_only_transient():
            outcomes = validate_batch_of(*project_and_store(), LandedBatch.from_dict(batch))
        for breach in breaches(outcomes):
            logging.getLogger("govbus.orchestration").warning("contract breach in this batch: %s", describe_breach(breach))
        return outcomes

    validate_batch(land())


land_events()
