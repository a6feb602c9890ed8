"""A twister run: discover, plan, build and run in parallel, report.

The library never prints: every line goes to the `log(level, text)` callable
the caller gives (and to <outdir>/twister.log), and the result says whether
the run failed; the command line turns that into an exit status.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from zpy.build.paths import zephyr_base
from zpy.twister import builder, discovery, handler, harness, platforms, report
from zpy.twister.errors import TwisterError
from zpy.twister.handler import HandlerOptions
from zpy.twister.instance import Status, TestInstance
from zpy.twister.plan import PlanOptions, make_plan, parse_subset, select_subset
from zpy.twister.plan import new_seed as new_shuffle_seed
from zpy.twister.scenario import BUILD_ONLY_HARNESSES

Log = Callable[[str, str], None]  # (level, text): level is INFO, DEBUG, WARNING or ERROR

LOG_NAME = "twister.log"


@dataclass
class TwisterOptions:
    """Everything a run depends on; the command line fills it from twister's options."""

    testsuite_roots: list[Path] = field(default_factory=list)  # -T (default: samples, tests)
    outdir: Path = Path("twister-out")  # -O
    platforms: list[str] = field(default_factory=list)  # -p
    tags: list[str] = field(default_factory=list)  # -t
    exclude_tags: list[str] = field(default_factory=list)  # -e
    tests: list[str] = field(default_factory=list)  # -s
    integration: bool = False  # -G
    build_only: bool = False  # -b
    jobs: int | None = None  # -j (default: CPU count)
    verbose: int = 0  # -v
    inline_logs: bool = False  # -i
    clobber: bool = False  # -c
    timeout_multiplier: float = 1.0
    fixtures: list[str] = field(default_factory=list)  # -X
    dry_run: bool = False  # -y
    pytest_args: list[str] = field(default_factory=list)
    subset: str | None = None  # -B N/M
    shuffle_tests: bool = False
    shuffle_tests_seed: str | None = None  # random.seed()'s argument, as twister passes it

    def non_default(self) -> dict[str, Any]:
        """The options given, for twister.json's environment.options."""
        out = {}
        default = TwisterOptions()
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out[f.name] = [str(v) for v in value] if isinstance(value, list) else (
                    str(value) if isinstance(value, Path) else value)
        return out


@dataclass
class Result:
    instances: list[TestInstance]
    duration: float
    reports: list[Path] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        """A configuration failed or errored (in a dry run: a scenario file is broken)."""
        if self.dry_run:
            return any(i.status == Status.ERROR for i in self.instances)
        return report.failed(self.instances)


def prepare_outdir(outdir: Path, clobber: bool, protected: list[Path]) -> str | None:
    """Make room for a new run, as twister does: the previous output folder becomes
    <outdir>.1 (replacing an older one), or is deleted with clobber. Returns a note."""
    outdir = outdir.resolve()
    for keep in protected:
        keep = keep.resolve()
        if outdir == keep or outdir in keep.parents:
            raise TwisterError(f"-O {outdir}: refusing to replace a folder that holds {keep}")
    if not outdir.exists():
        return None
    if not outdir.is_dir():
        raise TwisterError(f"-O {outdir}: not a folder")
    if any(outdir.iterdir()) and not (outdir / LOG_NAME).exists() \
            and not (outdir / report.JSON_NAME).exists():
        raise TwisterError(f"-O {outdir}: the folder exists and is not a twister output "
                           "folder; choose another")
    if clobber:
        shutil.rmtree(outdir)
        return f"Deleted the previous output folder {outdir}"
    backup = outdir.with_name(outdir.name + ".1")
    if backup.exists():
        shutil.rmtree(backup)
    outdir.rename(backup)
    return f"Renamed the previous output folder to {backup}"


class _Session:
    def __init__(self, opts: TwisterOptions, log: Log) -> None:
        self.opts = opts
        self._log = log
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self.stop = threading.Event()
        self.done = 0
        self.total = 0

    # -- output --------------------------------------------------------------------------

    def log(self, level: str, text: str) -> None:
        with self._lock:
            if self._file is not None:
                self._file.write(f"{level} - {text}\n")
                self._file.flush()
            self._log(level, text)

    def open_log(self, outdir: Path) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        self._file = open(outdir / LOG_NAME, "w", encoding="utf-8")  # noqa: SIM115

    def close_log(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- the run -------------------------------------------------------------------------

    def run(self) -> Result:
        start = time.monotonic()
        opts = self.opts
        if opts.shuffle_tests and opts.subset is None:
            raise TwisterError("--shuffle-tests requires --subset")
        if opts.shuffle_tests_seed is not None and not opts.shuffle_tests:
            raise TwisterError("--shuffle-tests-seed requires --shuffle-tests")
        base = zephyr_base()
        roots = [Path(r) for r in opts.testsuite_roots] or [
            p for p in (base / "samples", base / "tests") if p.is_dir()]
        known = platforms.find_platforms([base])
        found = discovery.discover(roots, base)
        outdir = opts.outdir.resolve()
        plan_opts = PlanOptions(opts.platforms, opts.tags, opts.exclude_tags, opts.tests,
                                opts.integration, outdir)
        instances = make_plan(found, known, plan_opts)
        notes = []
        if opts.subset is not None:
            subset, sets = parse_subset(opts.subset)
            notes.append(f"Running only a subset: {subset}/{sets}")
            seed: int | str | None = None
            if opts.shuffle_tests:
                seed = opts.shuffle_tests_seed
                if seed is None:
                    seed = new_shuffle_seed()
                notes.append(f"Shuffle tests with seed: {seed}")
            instances = select_subset(instances, subset, sets, seed)
        if not opts.dry_run:
            note = prepare_outdir(outdir, opts.clobber, [Path.cwd(), base, *roots])
            self.open_log(outdir)
            if note:
                self.log("INFO", note)
        try:
            for text in notes:
                self.log("INFO", text)
            return self._run(instances, found, base, outdir, start)
        finally:
            self.close_log()

    def _run(self, instances: list[TestInstance], found: discovery.Discovery, base: Path,
             outdir: Path, start: float) -> Result:
        opts = self.opts
        jobs = opts.jobs or os.cpu_count() or 1
        for inst in instances:
            _initial_cases(inst)
        self.log("INFO", f"Zephyr version: {report.zephyr_version()}")
        self.log("INFO", f"Using ZEPHYR_BASE: {base}")
        self.log("INFO", f"JOBS: {jobs}")
        for bad in found.errors:
            self.log("ERROR", bad.error.line())
        self._notes(found)
        static = [i for i in instances if i.status == Status.FILTER]
        todo = [i for i in instances if i.status != Status.FILTER]
        scenarios = {i.name for i in instances}
        self.log("INFO", f"{len(scenarios)} test scenarios ({len(instances)} configurations) "
                         f"selected, {len(static)} configurations filtered "
                         f"({len(static)} by static filter, 0 at runtime).")
        if opts.verbose:
            for inst in static:
                self.log("DEBUG", f"{inst.platform.name} {inst.name} FILTERED ({inst.reason})")
        if opts.dry_run:
            for inst in todo:
                what = "error" if inst.status == Status.ERROR else (
                    "build and run" if _runnable(inst, opts) else "build only")
                self.log("INFO", f"{inst.platform.name} {inst.name}: {what}")
            return Result(instances, time.monotonic() - start, dry_run=True)

        self.total = len(todo)
        for inst in todo:
            if inst.status == Status.ERROR:
                self._progress(inst)
        runnable = [i for i in todo if i.status != Status.ERROR]
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="twister")
        futures: list[Future[None]] = [pool.submit(self._process, inst) for inst in runnable]
        try:
            for fut in futures:
                while True:
                    try:
                        fut.result(timeout=0.5)
                        break
                    except TimeoutError:
                        continue
        except BaseException:
            self.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        runtime_filtered = sum(1 for i in runnable if i.status == Status.FILTER)
        if runtime_filtered:
            self.log("INFO", f"{runtime_filtered} configurations filtered at runtime.")
        duration = time.monotonic() - start
        written = report.write_reports(outdir, instances, opts.non_default())
        for line in report.summary_lines(instances, duration):
            self.log("INFO", line)
        self.log("INFO", f"Reports: {', '.join(str(p) for p in written)}")
        return Result(instances, duration, written)

    def _notes(self, found: discovery.Discovery) -> None:
        seen: set[tuple[Path, str]] = set()
        for sc in found.scenarios:
            keys = [k for k in sc.ignored if (sc.yaml_path, k) not in seen]
            if keys:
                seen.update((sc.yaml_path, k) for k in keys)
                self.log("INFO", f"{sc.yaml_path}: {', '.join(keys)}: accepted and ignored "
                                 "by zpy twister")

    def _process(self, inst: TestInstance) -> None:
        if self.stop.is_set():
            return
        try:
            process_instance(inst, self.opts, self.stop)
        except Exception as e:  # a zpy bug must not stop the other instances
            inst.status = Status.ERROR
            inst.reason = f"internal error: {type(e).__name__}: {e}"
            inst.set_missing_cases(Status.BLOCK, inst.reason)
        self._progress(inst)

    def _progress(self, inst: TestInstance) -> None:
        with self._lock:
            self.done += 1
            n = self.done
        status = inst.status
        if status in (Status.FAIL, Status.ERROR, Status.SKIP, Status.FILTER, Status.BLOCK):
            word = f"{status.shout} {inst.reason}" if inst.reason else status.shout
        else:
            word = status.shout
        if inst.handler == "qemu":
            more = f"(qemu {inst.execution_time:.1f}s)"
        else:
            more = f"(build {inst.build_time:.1f}s)"
        bad = status in (Status.FAIL, Status.ERROR)
        level = "ERROR" if bad else "INFO"
        self.log(level, f"{n}/{self.total} {inst.platform.name} {inst.name} {word} {more}")
        if inst.error_line is not None and inst.scenario is not None:
            self.log("ERROR", inst.error_line)  # found at run time (a file's were shown first)
        if self.opts.verbose:
            for note in inst.notes:
                self.log("DEBUG", f"{inst.name}: {note}")
        if bad and inst.error_line is None and inst.build_dir is not None \
                and "(see " not in (inst.reason or ""):
            self._point_at_log(inst)

    def _point_at_log(self, inst: TestInstance) -> None:
        assert inst.build_dir is not None
        for name in ("twister_harness.log", "handler.log", "build.log"):
            path = inst.build_dir / name
            if path.is_file():
                self.log("ERROR", f"see: {path}")
                if self.opts.inline_logs:
                    text = path.read_text(encoding="utf-8", errors="replace")
                    self.log("INFO", f"{'=' * 20} start of {path} {'=' * 20}\n"
                                     f"{text.rstrip()}\n{'=' * 20} end of {path} {'=' * 20}")
                return


def _initial_cases(inst: TestInstance) -> None:
    """The test cases known before anything runs (twister scans the sources)."""
    sc = inst.scenario
    if sc is None or inst.testcases:
        return
    if sc.harness == "shell" and sc.shell_commands:
        for ident in handler.shell_case_ids(sc.id, sc.shell_commands):
            inst.case(ident)
    elif sc.harness in ("", "ztest"):
        for suite, name in harness.scan_ztest_cases(sc.app_dir):
            inst.case(f"{sc.id}.{suite}.{name}")
    if not inst.testcases:
        inst.case(sc.id)
    if inst.status == Status.FILTER:
        inst.set_all_cases(Status.FILTER, inst.reason)


def _runnable(inst: TestInstance, opts: TwisterOptions) -> bool:
    sc = inst.scenario
    return (sc is not None and inst.platform.runnable and not sc.build_only
            and sc.harness not in BUILD_ONLY_HARNESSES and not opts.build_only)


def process_instance(inst: TestInstance, opts: TwisterOptions,
                     stop: threading.Event | None = None) -> None:
    """Build one instance, apply its runtime filter, and run it if it is to run."""
    sc = inst.scenario
    assert sc is not None
    outcome = builder.build(inst, stop)
    inst.build_time = outcome.duration
    inst.handler = "build"
    if not outcome.ok:
        inst.status, inst.reason = Status.ERROR, outcome.reason
        inst.set_missing_cases(Status.BLOCK, outcome.reason)
        return
    try:
        keep = builder.runtime_filter(inst, outcome)
    except TwisterError as e:
        inst.status, inst.reason, inst.error_line = Status.ERROR, e.message, e.line()
        inst.set_missing_cases(Status.BLOCK, e.message)
        return
    if not keep:
        inst.add_filter("runtime filter")
        inst.set_all_cases(Status.FILTER, "runtime filter")
        return
    if not _runnable(inst, opts):
        inst.status, inst.reason = Status.NOTRUN, "Test was built only"
        inst.set_all_cases(Status.NOTRUN, inst.reason)
        return
    fixture = sc.fixture
    if fixture and fixture not in opts.fixtures:
        inst.status = Status.SKIP
        inst.reason = f"Missing fixture '{fixture}' (give it with --fixture {fixture})"
        inst.set_all_cases(Status.SKIP, inst.reason)
        return
    inst.run = True
    handler.run(inst, outcome, HandlerOptions(opts.timeout_multiplier, opts.fixtures,
                                              opts.pytest_args), stop)


def run_twister(opts: TwisterOptions, log: Log) -> Result:
    """The whole run; raises TwisterError for what stops it before it starts (bad -T, -p, -O)."""
    return _Session(opts, log).run()

