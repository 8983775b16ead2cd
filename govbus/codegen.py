"""Functions generated from declarations: a schema's encoder, a contract's checks, a connector's mapping.

Each is built once per declaration and then called for every record, so a record pays one flat
call instead of a walk over the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def generated(name: str, argument: str, body: list[str], constants: dict[str, Any]) -> Callable:
    """``def name(argument): body``, with ``constants`` bound as default arguments.

    Defaults are locals, the cheapest lookup Python has. ``body`` must hold only names the caller
    made, never text from a declaration: values reach the function through ``constants`` or ``repr``.
    """
    signature = ", ".join([argument, *(f"{key}={key}" for key in constants)])
    namespace = dict(constants)
    exec("\n".join([f"def {name}({signature}):", *("    " + line for line in body)]), namespace)  # noqa: S102 - see above
    return namespace[name]
