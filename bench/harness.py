"""What every benchmark shares (not a benchmark itself; ``make bench`` skips it): the machine it ran on,
a free port, percentiles and the results files. The benchmarks run as scripts (``python bench/x.py``), so
they import it as a sibling: ``import harness``.

- :func:`machine`: one line on the machine — cores, CPU, memory, Python, the load average now;
- :func:`free_port`: a free TCP port on 127.0.0.1;
- :func:`percentile`: the nearest-rank quantile of some timings;
- :func:`write_section`: replace (or add) one ``## …`` section of a results file in ``bench/results/``,
  leaving the other sections as they are.
"""

from __future__ import annotations

import math
import os
import platform
import socket
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _cpu_model() -> str:
    try:
        return next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        return "?"
    return f"{kib / 2**20:.0f}"


def machine() -> str:
    """`nproc`, the CPU model, the memory, Python's version and the load average when asked."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"`nproc` {os.cpu_count()}, CPU {_cpu_model()}, memory {_memory_gib()} GiB, "
        f"Python {platform.python_version()}, load average {load}"
    )


def free_port() -> int:
    """A TCP port nothing listens on now (127.0.0.1), for a server the benchmark starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0.5, 0.99…) of ``values``: the smallest value with at least
    ``q`` of them at or below it; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def write_section(path: Path, section: str, *, title: str, replaces: str | None = None) -> Path:
    """Put ``section`` (markdown starting with its ``## heading`` line) at the end of the results file
    ``path``, in place of every section whose heading starts with ``replaces`` (default: its own heading
    line); a new file starts with ``# title``."""
    heading = replaces or section.split("\n", 1)[0]
    assert heading.startswith("## "), f"a section starts with its '## ' heading: {heading!r}"
    text = path.read_text() if path.exists() else f"# {title}\n"
    head, *sections = text.split("\n## ")
    kept = [f"## {part}".rstrip("\n") for part in sections if not f"## {part}".startswith(heading)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join([head.rstrip("\n"), *kept, section.strip("\n")]) + "\n")
    return path
