"""How govbus errors meet Airflow's retries, and what an operator reads when a task fails.

``RetriableError`` (the broker or store away) propagates, so the task's retries apply. Every
other govbus error fails the task at once: retrying bad data, a wrong setting or a broken
invariant gives the same answer. Airflow is imported only when a task fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from govbus.errors import ConfigurationError, FatalError, GovbusError, RetriableError, ViolationError

log = logging.getLogger("govbus.orchestration")

# What to do next, by error family; the first family the error belongs to wins.
ADVICE: list[tuple[type[BaseException], str]] = [
    (RetriableError, "a service stayed away through every retry: check `govbus status`, bring it back, then clear the task"),
    (ConfigurationError, "fix the project file, asset or setting the error names, then clear the task"),
    (ViolationError, "the data broke a schema or contract: a steward decides with `govbus quarantine` or `govbus dlq`; retrying will not help"),
    (FatalError, "an invariant broke: pause the DAG and investigate before clearing anything"),
]
UNEXPECTED = "an unexpected error: read the traceback in the task log; retries have been used up"


def task_defaults(owner: str, *, retries: int = 3, retry_delay: timedelta = timedelta(seconds=30)) -> dict:
    """A DAG's ``default_args``: its owning team, retries with backoff, and the failure report."""
    return {
        "owner": owner,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "on_failure_callback": report_failure,
    }


@contextmanager
def retry_only_transient() -> Iterator[None]:
    """Let retriable faults reach Airflow's retries; fail the task at once on any other govbus error."""
    try:
        yield
    except RetriableError:
        raise
    except GovbusError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc


def advice(error: BaseException | str | None) -> str:
    """What an operator should do about ``error`` (or the govbus error that caused it)."""
    seen = error
    while isinstance(seen, BaseException):
        for family, text in ADVICE:
            if isinstance(seen, family):
                return text
        seen = seen.__cause__
    return UNEXPECTED


def report_failure(context) -> None:
    """``on_failure_callback``: one block in the task log saying what failed, why, and what to do."""
    ti = context["ti"]
    error = context.get("exception")
    log.error(
        "GOVBUS TASK FAILED: %s.%s, run %s, try %s of %s\n  why: %s\n  what to do: %s\n  log: %s",
        ti.dag_id,
        ti.task_id,
        ti.run_id,
        ti.try_number,
        ti.max_tries + 1,
        error if error is not None else "(no exception: the task was marked failed)",
        advice(error),
        getattr(ti, "log_url", ""),
    )
