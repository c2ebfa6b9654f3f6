#!/usr/bin/env python3
"""Peak disk space while `crosstalk simulate` writes an archive: the size of every file in the output
folder (archive, NAME.partial, -wal, -shm, -journal), sampled every 0.5 ms, against the final archive.

Usage: Benchmarks/disk-peak.py BINARY SCENARIO.yaml
"""
import os
import subprocess
import sys
import tempfile
import time


def folder_bytes(folder: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for name in os.listdir(folder):
        try:
            sizes[name] = os.stat(os.path.join(folder, name)).st_size
        except FileNotFoundError:
            pass  # removed between listdir and stat (a checkpointed -wal, the renamed .partial)
    return sizes


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    binary, scenario = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="crosstalk-disk-peak-") as folder:
        out = os.path.join(folder, "x.ctk")
        run = subprocess.Popen([binary, "simulate", scenario, "-o", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak, largest_wal = 0, 0
        while run.poll() is None:
            sizes = folder_bytes(folder)
            peak = max(peak, sum(sizes.values()))
            largest_wal = max([largest_wal] + [v for k, v in sizes.items() if k.endswith("-wal")])
            time.sleep(0.0005)
        final = os.path.getsize(out) if os.path.exists(out) else 0
    print(f"exit {run.returncode}: final {final} B, peak {peak} B ({peak / max(final, 1):.2f}x), largest -wal {largest_wal} B")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
