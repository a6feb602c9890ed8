"""`zpy explain`: why a Kconfig symbol has its value, why a device is (not) ready."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zpy.cli.command import ZpyCommand


class Explain(ZpyCommand):
    name = "explain"
    help = "explain a Kconfig symbol's value or a devicetree node's device"
    description = (
        "Explain, from a build folder, where a Kconfig symbol's value came from (and, when a\n"
        "configuration file asked for another, what stops it and the smallest change that\n"
        "gives it), or what a devicetree node became: compatible, binding, status, driver,\n"
        "init level and priority, required devices and, after zpy run, whether it is ready.\n"
        "examples:\n"
        "  zpy explain -d build CONFIG_IVSHMEM_DOORBELL\n"
        "  zpy explain -d build ivshmem0\n"
        "  zpy explain -d build /ivhsmem/ivshmem --json"
    )

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-d", "--build-dir", default="build",
                            help="build folder (default: build)")
        parser.add_argument("--json", action="store_true",
                            help="print the explanation as JSON, for tools")
        parser.add_argument("name", metavar="NAME",
                            help="CONFIG_<SYMBOL>, a node path (/soc/...) or a node label")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        from zpy.explain import explain

        e = explain(Path(args.build_dir), args.name)
        if args.json:
            self.inf(json.dumps(e.to_json(), indent=1))
        else:
            self.inf("\n".join(e.render()))
        return 0
