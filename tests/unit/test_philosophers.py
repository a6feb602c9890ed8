"""samples/philosophers: each sample.yaml scenario, built with the -D options twister gives
it, links the configuration it asks for (its console harness runs under `zpy twister`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.build import build
from zpy.build.paths import zephyr_base
from zpy.kernel import k_fifo, k_lifo, k_mutex, k_sem, k_stack
from zpy.runtime import Runtime
from zpy.twister.builder import cmake_args
from zpy.twister.discovery import Discovery, load_file
from zpy.twister.platforms import Platform

SAMPLE = zephyr_base() / "samples/philosophers"
MIXED = [3, 2, 1, 0, -1, -2]  # four preemptible philosophers, two cooperative ones

#: scenario -> (FORKS, STATIC_OBJS, fork type, fork_type_str, priorities)
EXPECTED = {
    "sample.philosopher": (2, 0, k_mutex, "mutexes", MIXED),
    "sample.philosopher.same_prio": (2, 0, k_mutex, "mutexes", [0] * 6),
    "sample.philosopher.static": (2, 1, k_mutex, "mutexes", MIXED),
    "sample.philosopher.semaphores": (1, 0, k_sem, "semaphores", MIXED),
    "sample.philosopher.stacks": (3, 0, k_stack, "stacks", MIXED),
    "sample.philosopher.fifos": (4, 0, k_fifo, "fifos", MIXED),
    "sample.philosopher.lifos": (5, 0, k_lifo, "lifos", MIXED),
    "sample.philosopher.preempt_only": (2, 0, k_mutex, "mutexes", [0, 1, 2, 3, 4, 5]),
    "sample.philosopher.coop_only": (2, 0, k_mutex, "mutexes", [-2, -3, -4, -5, -6, -7]),
}


def test_the_scenarios_are_sample_yaml_s() -> None:
    found = Discovery()
    load_file(SAMPLE / "sample.yaml", "samples/philosophers", found)
    assert [sc.id for sc in found.scenarios] == list(EXPECTED)


@pytest.mark.parametrize("ident", EXPECTED)
def test_each_scenario_links_what_it_asks(tmp_path: Path, ident: str) -> None:
    found = Discovery()
    load_file(SAMPLE / "sample.yaml", "samples/philosophers", found)
    scenario = next(sc for sc in found.scenarios if sc.id == ident)
    args = cmake_args(scenario, Platform("qemu_x86_64", "x86"))
    warnings: list[str] = []
    build(SAMPLE, "qemu_x86_64", tmp_path, cmake_args=args, out=lambda line: None,
          warn=warnings.append)
    assert not any("not used by the project" in w for w in warnings)  # the CMakeLists reads all
    forks, static, kind, kind_str, priorities = EXPECTED[ident]
    with Runtime(tmp_path, console_out=None) as rt:
        assert rt.namespace is not None
        main = rt.namespace.load("main")
        objects = rt.namespace.load("phil_obj_abstract")
        with rt.kernel.context():
            seen_priorities = [main.new_prio(i) for i in range(main.NUM_PHIL)]
        assert (main.DEBUG_PRINTF, main.FORKS, main.STATIC_OBJS) == (1, forks, static)
        assert all(isinstance(f, kind) for f in objects.forks)
        assert (objects.fork_type_str, objects.obj_init_type) == (
            kind_str, "static" if static else "dynamic")
        assert seen_priorities == priorities
