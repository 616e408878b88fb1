"""Processes the benches start and watch: groups of ``motion`` processes (app servers,
queue workers), each in its own session, and what /proc says of them (descendants,
resident memory, CPU time)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


class ProcessGroup:
    """Processes started in sessions of their own, stopped together (SIGTERM to each
    process group, SIGKILL after ``grace`` seconds)."""

    grace = 30

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def spawn(self, argv: list[str], env: dict[str, str], cwd: Path, log_file) -> None:
        self.processes.append(subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def descendants(pid: int) -> list[int]:
    """The live descendants of ``pid`` (from /proc; gone ones are skipped)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    except OSError:
        pass
    return found


def rss_kb(pid: int) -> int:
    """Resident memory of a process in kB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU seconds (user + system) of a process, with its reaped children's if asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLK_TCK


def named(name: str) -> list[int]:
    """The processes whose command name is ``name``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids
