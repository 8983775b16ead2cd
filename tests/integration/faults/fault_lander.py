"""A lander run in a child process by the fault suite, to be SIGKILLed at random points.

Each batch writes its audit tally in the batch's transaction, then lingers a little, so a kill
often lands inside an open transaction. Usage: fault_lander.py PROJECT_DIR STORE_URL TOPIC
"""

import sys
import time

from faults_support import tally_landing

from govbus.land import land
from govbus.project import load_project
from govbus.store import Store


def tally_and_linger(table, rows, connection) -> None:
    tally_landing(table, rows, connection)
    time.sleep(0.02)


if __name__ == "__main__":
    project_dir, store_url, topic = sys.argv[1:]
    land(load_project(project_dir), Store(store_url), [topic], idle_timeout_s=1, batch_size=150, on_batch=tally_and_linger)
