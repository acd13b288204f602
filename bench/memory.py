"""Memory of a process and its children, from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path


def tree_memory_mb(pid: int, field: str = "VmRSS") -> float:
    """A /proc/<pid>/status memory field (VmRSS: now, VmHWM: peak) of a process and its children, summed, in MB."""
    pids, total = [pid], 0
    while pids:
        current = pids.pop()
        status = Path(f"/proc/{current}/status")
        if not status.exists():
            continue
        for line in status.read_text().splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
        children = Path(f"/proc/{current}/task/{current}/children")
        if children.exists():
            pids += [int(c) for c in children.read_text().split()]
    return total / 1024
