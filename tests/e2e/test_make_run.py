"""The README's `make run` path, far enough to get the French home page from a real server."""

from __future__ import annotations

import csv
import os
import re
import subprocess

import pytest

from tests.e2e.conftest import REPO, free_port, stop, wait_for_http


@pytest.mark.e2e
def test_make_run_serves_the_demo_campaign(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
    env["MOTION_INSTANCE"] = str(tmp_path / "instance")
    log = (tmp_path / "make-run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=REPO, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        body = wait_for_http(f"http://127.0.0.1:{port}/", process, tmp_path / "make-run.log",
                             timeout=240)
        log.seek(0)
        output = log.read()
        assert '<html lang="fr">' in body
        assert "Congrès national des élus au numérique — démonstration" in body
        assert "Numérique responsable et transition écologique" in body
        with (REPO / "motion" / "data" / "demo_contributions.csv").open(encoding="utf-8") as f:
            n_demo = sum(1 for _ in csv.DictReader(f))
        assert f"{n_demo} real contributions" in output
        # The demo accounts and their passwords are printed for the newcomer.
        assert re.search(r"elu\s+elu\.demo@motion\.local\s+\S{12,}", output)
        assert (tmp_path / "instance" / "motion.sqlite").exists()
    finally:
        stop(process)
        log.close()
