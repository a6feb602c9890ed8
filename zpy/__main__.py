"""`python -m zpy` is the `zpy` command."""

from zpy.cli.main import main

raise SystemExit(main())
