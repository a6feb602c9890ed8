"""`zpy twister`: Zephyr's test runner for zpy apps, with twister's options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zpy.cli.command import ZpyCommand

_DESCRIPTION = """\
Find the scenarios of sample.yaml / testcase.yaml / tests.yaml under the -T
folders, build each one for each platform it applies to, run it under its
harness (console, ztest, shell, pytest) and write twister's reports
(twister.json, twister.xml, twister_report.xml) in the output folder.

Exit status: 0 if nothing failed, 1 if a configuration failed or errored
(a bad scenario file is an error too; the run goes on). See docs/twister.md.
"""


class Twister(ZpyCommand):
    name = "twister"
    help = "build and run test scenarios (like Zephyr's twister)"
    description = _DESCRIPTION

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        add = parser.add_argument
        add("-T", "--testsuite-root", action="append", default=[], metavar="DIR",
            help="where to look for scenarios (repeatable; default: ZEPHYR_BASE's "
            "samples and tests)")
        add("-p", "--platform", action="append", default=[], metavar="PLATFORM",
            help="platform to build and run for (repeatable; default: the platforms "
            "with testing: default: true)")
        add("-t", "--tag", action="append", default=[], metavar="TAG",
            help="only scenarios with this tag (repeatable)")
        add("-e", "--exclude-tag", action="append", default=[], metavar="TAG",
            help="leave out scenarios with this tag (repeatable)")
        add("-s", "--test", "--scenario", action="append", default=[], dest="test",
            metavar="SCENARIO", help="only this scenario: its id, or <app path>/<id> "
            "(repeatable)")
        add("-b", "--build-only", action="store_true", help="build, do not run")
        add("-G", "--integration", action="store_true",
            help="run each scenario on its integration_platforms")
        add("-j", "--jobs", type=int, metavar="N",
            help="how many configurations to build and run at once (default: CPU count)")
        add("-O", "--outdir", default="twister-out", metavar="DIR",
            help="output folder (default: twister-out; an existing one becomes DIR.1)")
        add("-c", "--clobber-output", action="store_true",
            help="delete the existing output folder instead of renaming it")
        add("-i", "--inline-logs", action="store_true",
            help="print the log of a failed configuration in the output")
        add("--timeout-multiplier", type=float, default=1.0, metavar="FACTOR",
            help="multiply every scenario's timeout by FACTOR")
        add("-X", "--fixture", action="append", default=[], metavar="FIXTURE",
            help="a fixture the test setup provides (harness_config fixture:)")
        add("-y", "--dry-run", action="store_true",
            help="show the test plan without building anything")
        add("--pytest-args", action="append", default=[], metavar="ARG",
            help="an argument for the pytest harness's pytest (repeatable)")
        add("-B", "--subset", metavar="N/M",
            help="only run part N of M of the configurations (1/4: the first quarter), "
            "to share a suite between M machines; the same N/M always picks the same part")
        add("--shuffle-tests", action="store_true",
            help="shuffle the configurations before --subset cuts them (needs --subset)")
        add("--shuffle-tests-seed", metavar="SEED",
            help="seed for --shuffle-tests (default: a random one, printed); the same "
            "seed gives the same parts")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        from zpy.twister.errors import TwisterError
        from zpy.twister.runner import TwisterOptions, run_twister

        if args.jobs is not None and args.jobs < 1:
            raise TwisterError(f"-j {args.jobs}: need at least one job")
        if args.timeout_multiplier <= 0:
            raise TwisterError("--timeout-multiplier must be positive")
        opts = TwisterOptions(
            testsuite_roots=[Path(p) for p in args.testsuite_root],
            outdir=Path(args.outdir),
            platforms=args.platform,
            tags=args.tag,
            exclude_tags=args.exclude_tag,
            tests=args.test,
            integration=args.integration,
            build_only=args.build_only,
            jobs=args.jobs,
            verbose=self.verbosity,
            inline_logs=args.inline_logs,
            clobber=args.clobber_output,
            timeout_multiplier=args.timeout_multiplier,
            fixtures=args.fixture,
            dry_run=args.dry_run,
            pytest_args=args.pytest_args,
            subset=args.subset,
            shuffle_tests=args.shuffle_tests,
            shuffle_tests_seed=args.shuffle_tests_seed,
        )
        result = run_twister(opts, self._log)
        return 1 if result.failed else 0

    def _log(self, level: str, text: str) -> None:
        if level == "DEBUG" and not self.verbosity:
            return
        print(f"{level} - {text}", file=sys.stdout, flush=True)
