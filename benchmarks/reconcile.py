"""Benchmark ``telnorm reconcile`` on a national-size election (issue 13).

Builds the fictional national election of ``benchmarks/national.py`` (EML 510b per
municipality, every fifth one as osv4-3 CSV, a 510c per district, the four seeded faults),
then measures, each as a separate process:

* ``telnorm reconcile`` of the whole set against the district counts (wall time, peak RSS
  of the largest process: the parent or one of its workers);
* a bare ``lxml.etree.iterparse`` of the same files (events only, elements cleared), in one
  process and in ``-j`` processes: the floor any XML reader has to pay.

It checks that the report finds exactly the seeded faults (a benchmark of a wrong answer is
worth nothing) and prints one JSON object.

Usage::

    python benchmarks/reconcile.py                 # small: 40 municipalities, 5 stations each
    python benchmarks/reconcile.py --full          # 350 municipalities, 1,750 stations, ~250 MB
    python benchmarks/reconcile.py --full -j 2 --out benchmarks/out/national
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import build  # noqa: E402

BARE = """
import sys
from concurrent.futures import ProcessPoolExecutor
from lxml import etree

def read(path):
    if not path.endswith('.xml'):
        with open(path, 'rb') as handle:
            return len(handle.read())
    n = 0
    try:
        for _event, element in etree.iterparse(path, events=('end',)):
            element.clear()
            n += 1
    except etree.XMLSyntaxError:  # the seeded truncated file: read as far as it goes
        pass
    return n

paths, jobs = sys.argv[2:], int(sys.argv[1])
if jobs == 1:
    total = sum(map(read, paths))
else:
    with ProcessPoolExecutor(jobs) as pool:
        total = sum(pool.map(read, paths, chunksize=4))
print(total)
"""


def _timed(command: list[str]) -> tuple[float, float, int, subprocess.CompletedProcess[bytes]]:
    """Wall seconds, CPU seconds (user + system, all descendants), the peak RSS (KiB) of the
    largest process (a high-water mark over this benchmark's children: the runs go from the
    lightest to the heaviest, reconcile last) and the result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed: {result.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, after.ru_maxrss, result


def _check(report: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = []
    entries = {e["id"]: e for e in report["municipalities"] if e["id"]}
    for code, want in expected.items():
        if want["status"] == "unreadable":
            continue
        entry = entries.get(code)
        got = {d["affiliation_id"]: d["difference"] for d in (entry or {}).get("differences", [])}
        if entry is None or entry["status"] != want["status"] or got != want.get("differences", {}):
            problems.append(code)
    if report["summary"]["unreadable"] != 1:
        problems.append("unreadable count")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="350 municipalities, ~250 MB")
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--lists", type=int, default=26)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "national")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    count = args.municipalities or (350 if args.full else 40)
    folder = args.out / f"{count}x{args.stations}x{args.lists}"
    if args.regenerate or not (folder / "expected.json").exists():
        started = time.perf_counter()
        build(folder, count, args.stations, args.lists, districts=20)
        print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    expected = json.loads((folder / "expected.json").read_text())
    files = sorted(str(p) for p in (folder / "municipal").iterdir())
    size = sum(Path(p).stat().st_size for p in files)
    refs = [a for p in sorted((folder / "districts").iterdir()) for a in ("--reference", str(p))]
    telnorm = str(Path(sys.executable).with_name("telnorm"))
    report_path = folder / "report.json"
    command = [telnorm, "reconcile", str(folder / "municipal"), *refs, "-j", str(args.jobs)]
    bare1, bare_cpu, _, _ = _timed([sys.executable, "-c", BARE, "1", *files])
    barej, _, _, _ = _timed([sys.executable, "-c", BARE, str(args.jobs), *files])
    seconds, cpu, peak, result = _timed([*command, "-o", str(report_path), "--no-progress"])
    report = json.loads(report_path.read_text())
    out = {
        "municipalities": count,
        "stations": count * args.stations,
        "files": len(files),
        "csv_files": sum(1 for p in files if p.endswith(".csv")),
        "megabytes": round(size / 1e6, 1),
        "jobs": args.jobs,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "reconcile_seconds": round(seconds, 2),
        "reconcile_cpu_seconds": round(cpu, 2),
        "bare_iterparse_cpu_seconds": round(bare_cpu, 2),
        "exit_status": result.returncode,
        "peak_rss_mib": round(peak / 1024, 1),
        "bare_iterparse_seconds_1_process": round(bare1, 2),
        "bare_iterparse_seconds_j_processes": round(barej, 2),
        "ratio_to_bare_1_process": round(seconds / bare1, 2),
        "ratio_to_bare_j_processes": round(seconds / barej, 2),
        "faults_found_exactly": not _check(report, expected),
        "seat_impact": report["seat_impact"]["elections"][0].get("status"),
    }
    print(json.dumps(out, indent=1))
    return 0 if out["faults_found_exactly"] and result.returncode == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
