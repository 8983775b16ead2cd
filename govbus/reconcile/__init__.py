"""Shared-customer reconciliation: linking agencies' records of the same people with Splink.

The flow, one module each:

- ``mapping``: each agency's columns onto the standard columns (``standardise``);
- ``model_config`` and ``comparisons``: the person model declared in ``reconcile/person_model.yaml``;
- ``model``: training without labels, and the trained model as a versioned JSON file;
- ``linkage``: scoring pairs (full and incremental) and clustering them into people;
- ``accuracy``: precision, recall and F1 against a known truth;
- ``run``: a whole run over agency files, as ``govbus reconcile link`` does it.

Splink is imported only inside this package; everything else sees pandas frames.
"""

from govbus.registry.run import run_incremental  # noqa: E402,F401  the reconcile DAG's entry point
