"""The soak harness itself, briefly: a few VMs, a few seconds, kills included (`make soak`
runs the long one)."""

from __future__ import annotations

import json

from tests.soak.soak import main


def test_short_soak_loses_nothing_and_stays_flat(capsys):
    status = main(["--vms", "3", "--seconds", "4", "--seed", "7"])
    figures = json.loads(capsys.readouterr().out)
    assert (status, figures["problems"], figures["lost"]) == (0, [], 0)
    assert figures["killed"] == figures["restarted"] >= 1
    assert figures["server_fds_end"] == figures["server_fds_start"]
    assert figures["round_trips"] > 0 and figures["state_change_interrupts"] > 0
