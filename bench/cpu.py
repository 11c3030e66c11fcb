"""CPU seconds spent by groups of processes on this machine (Linux /proc), to say where a figure's time goes when
the web workers, the database, the cache and the load generator share the same cores.

A process's own time plus the time of its children it has reaped: PostgreSQL's postmaster reaps each backend, so a
connection opened and closed within the measured window is still counted.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds of it and its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone between listing and reading
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is state (stat field 3): utime, stime, cutime, cstime are stat fields 14-17.
    return name, int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK


def snapshot() -> dict[int, tuple[str, int, float]]:
    return {int(pid): s for pid in os.listdir("/proc") if pid.isdigit() and (s := _stat(pid))}


def by_group(before: dict, after: dict, groups: dict[str, callable]) -> dict[str, float]:
    """CPU seconds per group between two snapshots; ``groups``: name -> predicate(pid, name, table) on the later
    snapshot. A process that started within the window counts from zero; one gone by the end is not counted (its
    parent's reaped time carries it once it is reaped)."""
    out = {g: 0.0 for g in groups}
    for pid, (name, _ppid, seconds) in after.items():
        for group, matches in groups.items():
            if matches(pid, name, after):
                out[group] += seconds - (before[pid][2] if pid in before and before[pid][0] == name else 0.0)
                break
    return out


def descendant_of(root: int):
    """A predicate: the process is ``root`` or below it."""

    def matches(pid, _name, table):
        seen = 0
        while pid and seen < 64:
            if pid == root:
                return True
            pid = table.get(pid, ("", 0, 0))[1]
            seen += 1
        return False

    return matches


def named(*names: str):
    return lambda _pid, name, _table: name in names
