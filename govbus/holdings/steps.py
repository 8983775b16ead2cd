"""The retirement's persisted steps: each is recorded once done, so a rerun resumes after it.

Order matters for safety: the table is renamed away and the view created in one transaction, and
only after the archive was read back and verified; until then the original table is untouched.
``GOVBUS_HOLDINGS_CRASH_AT=<step>`` (or ``<step>+recorded``) kills the process with SIGKILL right
after that step's work (or after recording it): how the crash tests prove every step resumes.
"""

from __future__ import annotations

import os
import signal
from datetime import datetime, timezone

from sqlalchemy import Connection, select

from govbus.holdings.tables import retirement_step
from govbus.store.upsert import upsert

STEPS = ("archived", "verified", "replaced", "dropped", "announced")
CRASH_AT = "GOVBUS_HOLDINGS_CRASH_AT"


def step_of(connection: Connection, plan_id: str) -> tuple[str | None, dict | None]:
    row = connection.execute(select(retirement_step.c.step, retirement_step.c.manifest)
                             .where(retirement_step.c.plan_id == plan_id)).first()
    return (row[0], row[1]) if row else (None, None)


def remaining(done: str | None) -> list[str]:
    return list(STEPS[STEPS.index(done) + 1:] if done in STEPS else STEPS if done is None else ())


def record_step(connection: Connection, plan_id: str, step: str, manifest: dict | None) -> None:
    upsert(connection, retirement_step, [{"plan_id": plan_id, "step": step, "updated_at": datetime.now(timezone.utc),
                                          "manifest": manifest}], ["plan_id"])


def crash_point(step: str, recorded: bool = False) -> None:
    if os.environ.get(CRASH_AT) == (f"{step}+recorded" if recorded else step):
        os.kill(os.getpid(), signal.SIGKILL)
