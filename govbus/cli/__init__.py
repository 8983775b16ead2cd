"""The ``govbus`` command line: one module per command group."""
