"""A lander run in a child process by test_land_exactly_once.py, to be killed at random points.

Every batch also writes one audit row per event through the batch hook, inside the batch's
transaction: an event landed twice would show as two audit rows, which upserts alone would hide.
Usage: lander_child.py PROJECT_DIR STORE_URL TOPIC...
"""

import sys
import time

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, insert

from govbus.land import land
from govbus.project import load_project
from govbus.store import Store

audit = Table("landing_audit", MetaData(), Column("topic", Text), Column("partition", Integer), Column("offset", BigInteger))


def record_and_linger(table, rows, connection) -> None:
    connection.execute(insert(audit), [{"topic": r["_topic"], "partition": r["_partition"], "offset": r["_offset"]} for r in rows])
    # Keeps the transaction open a little, so a kill often lands inside one.
    time.sleep(0.02)


if __name__ == "__main__":
    project_dir, store_url, *topics = sys.argv[1:]
    land(load_project(project_dir), Store(store_url), topics, idle_timeout_s=1, batch_size=40, on_batch=record_and_linger)
