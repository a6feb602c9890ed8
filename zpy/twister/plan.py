"""The test plan: which scenario runs on which platform, and why the others do not.

The static filters are twister's (twisterlib/testplan.py apply_filters), with
its reasons word for word, so a report reads the same. The one filter that
needs a build, `filter:`, is applied later (builder.py). `--subset N/M` cuts
the plan into M parts as twister's generate_subset does, so that M machines
(or M jobs of a CI) share one suite; `--shuffle-tests` shuffles it first.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from zpy.twister.discovery import Discovery
from zpy.twister.errors import TwisterError
from zpy.twister.instance import Status, TestInstance
from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario

#: zpy's toolchain, as twister's toolchain_allow / toolchain_exclude see it
TOOLCHAIN = "zephyr"


@dataclass
class PlanOptions:
    platforms: list[str] = field(default_factory=list)  # -p (empty: the default platforms)
    tags: list[str] = field(default_factory=list)  # -t
    exclude_tags: list[str] = field(default_factory=list)  # -e
    tests: list[str] = field(default_factory=list)  # -s
    integration: bool = False
    outdir: Path = Path("twister-out")


def _scope(sc: Scenario, known: dict[str, Platform], opts: PlanOptions,
           default: list[Platform]) -> list[Platform]:
    """The platforms a scenario is considered for (before filtering)."""
    if opts.platforms:
        return [known[p] for p in opts.platforms]
    if opts.integration and sc.integration_platforms:
        return [known[p] for p in sc.integration_platforms if p in known]
    scope = list(default)
    scope += [known[p] for p in sc.integration_platforms if p in known and known[p] not in scope]
    if sc.platform_allow and not any(p.name in sc.platform_allow for p in scope):
        allowed = [known[p] for p in sc.platform_allow if p in known]
        if allowed:
            scope = allowed
    return scope


def static_filters(sc: Scenario, plat: Platform, opts: PlanOptions) -> list[str]:
    """The reasons (twister's words) why `sc` does not apply to `plat`; empty if it does."""
    reasons = []
    if sc.skip:
        reasons.append("Skip filter")
    if opts.tags and not sc.tags & set(opts.tags):
        reasons.append("Command line testsuite tag filter")
    if opts.exclude_tags and sc.tags & set(opts.exclude_tags):
        reasons.append("Command line testsuite exclude filter")
    if opts.tests and not (sc.id in opts.tests or sc.name in opts.tests):
        reasons.append("Testsuite name filter")
    if opts.integration and opts.platforms and sc.integration_platforms \
            and plat.name not in sc.integration_platforms:
        reasons.append("Not part of integration platforms")
    if sc.arch_allow and plat.arch not in sc.arch_allow:
        reasons.append("Not in testsuite arch allow list")
    if sc.arch_exclude and plat.arch in sc.arch_exclude:
        reasons.append("In testsuite arch exclude")
    if sc.vendor_allow and plat.vendor not in sc.vendor_allow:
        reasons.append("Not in testsuite vendor allow list")
    if sc.vendor_exclude and plat.vendor in sc.vendor_exclude:
        reasons.append("In testsuite vendor exclude")
    if sc.platform_exclude and plat.name in sc.platform_exclude:
        reasons.append("In testsuite platform exclude")
    if sc.toolchain_exclude and TOOLCHAIN in sc.toolchain_exclude:
        reasons.append("In testsuite toolchain exclude")
    if sc.platform_allow and plat.name not in sc.platform_allow:
        reasons.append("Not in testsuite platform allow list")
    if sc.platform_type and plat.type not in sc.platform_type:
        reasons.append("Not in testsuite platform type list")
    if sc.toolchain_allow and TOOLCHAIN not in sc.toolchain_allow:
        reasons.append("Not in testsuite toolchain allow list")
    if plat.ram < sc.min_ram:
        reasons.append("Not enough RAM")
    missing = sc.depends_on - plat.supported
    if missing:
        reasons.append(f"No hardware support for {', '.join(sorted(missing))}")
    if plat.ignore_tags & sc.tags:
        reasons.append("Excluded tags per platform (exclude_tags)")
    if plat.only_tags and not plat.only_tags & sc.tags:
        reasons.append("Excluded tags per platform (only_tags)")
    return reasons


def instance_dir(outdir: Path, platform: str, name: str) -> Path:
    """twister's layout: <outdir>/<platform>/<app path>/<scenario id>."""
    return outdir / platform / name


def make_plan(found: Discovery, known: dict[str, Platform], opts: PlanOptions
              ) -> list[TestInstance]:
    """Every (scenario, platform) instance, the filtered ones with their reasons.

    A file or scenario that failed to load becomes one errored instance.
    """
    for name in opts.platforms:
        if name not in known:
            raise TwisterError(f"unknown platform '{name}' (known: {', '.join(sorted(known))})")
    default = [p for p in known.values() if p.testing_default]
    if not opts.platforms and not default:
        raise TwisterError("no platform has 'testing: default: true'; give one with -p")
    first = known[opts.platforms[0]] if opts.platforms else default[0]

    instances: list[TestInstance] = []
    for bad in found.errors:
        if bad.scenario_id and opts.tests and not (bad.scenario_id in opts.tests
                                                   or bad.name in opts.tests):
            continue
        inst = TestInstance(bad.name, bad.id, first, None,
                            instance_dir(opts.outdir, first.name, bad.name))
        inst.status = Status.ERROR
        inst.reason = bad.error.message
        inst.error_line = bad.error.line()
        inst.set_all_cases(Status.ERROR, inst.reason)
        instances.append(inst)

    for sc in found.scenarios:
        for plat in _scope(sc, known, opts, default):
            inst = TestInstance(sc.name, sc.id, plat, sc,
                                instance_dir(opts.outdir, plat.name, sc.name))
            for reason in static_filters(sc, plat, opts):
                inst.add_filter(reason)
            instances.append(inst)
    return instances


def parse_subset(text: str) -> tuple[int, int]:
    """`--subset N/M` as (N, M), refused in twister's words when it is not one."""
    try:
        subset, sets = (int(x) for x in text.split("/"))
    except ValueError:
        raise TwisterError(f"--subset {text}: Bad subset value.") from None
    if subset > sets:
        raise TwisterError(f"--subset {text}: subset should not exceed the total number of sets")
    if subset < 1:
        raise TwisterError(f"You have provided a wrong subset value: {text}.")
    return subset, sets


def new_seed() -> int:
    """A seed for --shuffle-tests without --shuffle-tests-seed (twister's: 8 random bytes)."""
    return int.from_bytes(os.urandom(8), byteorder="big")


def select_subset(instances: list[TestInstance], subset: int, sets: int,
                  seed: int | str | None = None) -> list[TestInstance]:
    """Part `subset` of `sets` of the plan, as twister's generate_subset.

    The instances are sorted by <platform>/<name> (shuffled with `seed` if one
    is given: random.Random(seed), as twister seeds `random`); the ones still to
    be decided (not filtered, not broken) are cut into `sets` runs of equal
    length, the first `total % sets` of them one longer; the broken ones
    (errors) go with part 1, and statically filtered ones with none, so the
    parts add up to the whole plan's work and each instance runs in exactly one.
    """
    ordered = sorted(instances, key=lambda i: f"{i.platform.name}/{i.name}")
    if seed is not None:
        random.Random(seed).shuffle(ordered)
    to_run = [i for i in ordered if i.status == Status.NONE]
    per_set, extra = divmod(len(to_run), sets)
    if subset <= extra:
        start = (subset - 1) * (per_set + 1)
        end = start + per_set + 1
    else:
        start = extra * (per_set + 1) + (subset - extra - 1) * per_set
        end = start + per_set
    chosen = to_run[start:end]
    if subset == 1:
        chosen += [i for i in ordered if i.status in (Status.SKIP, Status.ERROR)]
    return chosen
