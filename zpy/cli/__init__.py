"""The `zpy` command line: one module per command, one place that maps errors to exit codes."""
