"""zpy twister: Zephyr's test runner for zpy apps (see docs/twister.md).

It finds the scenarios of sample.yaml / testcase.yaml / tests.yaml files,
decides per platform which ones apply (the filters of twister's test plan),
builds each with `zpy build`, runs it with `zpy run` under a harness (console,
ztest, shell, pytest) with its sidecars, and writes twister's reports.

One concept per module:

  yamlfile     YAML with line numbers, so every complaint names file:line
  scenario     the scenario schema: keys, types, `common:` merging
  discovery    walking the -T roots for scenario files
  expr         twister's filter expression language
  platforms    the board files (boards/**/<board>.yaml) twister reads
  instance     a scenario on a platform, its test cases and statuses
  plan         which instances run, and why the others are filtered
  builder      the build step and the runtime filter
  sidecar      what a run needs beside the VM (ivshmem server, memory file)
  dut          a running `zpy run` seen as a device: lines in, bytes out, a shell
  harness      reading a run's console: console, ztest, none
  handler      running an instance under its harness (and shell / pytest)
  runner       the whole run: output folder, jobs, progress
  report       twister.json, JUnit XML and the summary
  pytest_plugin  the `dut` and `shell` fixtures for the pytest harness

The library never exits the process and never prints by itself: progress goes
through callbacks, and the command line (zpy/cli/twister.py) maps results to
exit statuses.
"""
