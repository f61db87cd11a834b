"""The tabular benchmark (issue 3): telnorm's CSV and spreadsheet readers against raw reading.

What it does, in one run:

1. Generates the inputs under ``benchmarks/out/`` (git-ignored; deterministic, seeded; reused
   when present and the generator is not newer, or regenerated with ``--regenerate``):

   * ``osv``: an osv4-3 CSV (today's form: UTF-8 with BOM, ``;``, quoted cells) of 450 polling
     stations x 30 lists x 40 candidates (1,250 rows x 455 columns);
   * ``a-csv``: a family-a CSV, 20,000 rows (one per polling station) x 40 columns;
   * ``a-xlsx``: the same table as xlsx, written with openpyxl;
   * ``a-csv-40mb``: a family-a CSV of ~40 MB (120,000 rows x 40 columns, every cell quoted,
     counts with Dutch thousands separators), the issue's "40 MB CSV".

2. For each input measures, in this process, the median of ``--repeat`` runs of:

   * the raw baseline: ``csv.reader`` over the decoded text (``list(...)``, every cell
     touched) for CSV; ``python_calamine.CalamineWorkbook.from_path(p).get_sheet_by_index(0)
     .to_python()`` for xlsx;
   * ``telnorm.service.pipeline.normalise`` (in process; the JSON is not written);

   and, as a separate process, ``telnorm normalise FILE -o OUT`` (wall time, CPU time and peak
   RSS of the child from ``os.wait4``).

3. Prints a table: seconds, cells per second, telnorm / raw ratios against the targets
   (<= 10x for CSV, <= 3x for xlsx, in-process), peak RSS; ``--json FILE`` writes it all.

Usage::

    .venv/bin/python benchmarks/tabular.py [--repeat 3] [--only osv,a-csv,a-xlsx,a-csv-40mb]
        [--json benchmarks/out/tabular.json] [--regenerate] [--small]

``--small`` uses tiny inputs (a smoke run). CPU-heavy: a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

TARGETS = {"csv": 10.0, "xlsx": 3.0}
STAT_HEADERS = [
    "Kiesgerechtigden",
    "Aantal geldige stempassen",
    "Volmachtbewijzen",
    "Kiezerspassen",
    "Toegelaten kiezers",
    "Blanco stemmen",
    "Ongeldige stemmen",
    "Geldige stemmen",
]


# --- generators ---------------------------------------------------------------------------


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def write_osv_csv(path: Path, stations: int, lists: int, candidates: int, seed: int) -> None:
    """An osv4-3 CSV of today's form, arithmetic consistent (lists = sum of candidates)."""
    rng = random.Random(seed)
    votes = [
        [[rng.randrange(0, 40 if k else 400) for k in range(candidates)] for _ in range(lists)]
        for _s in range(stations)
    ]
    list_totals = [[sum(cands) for cands in station] for station in votes]
    counted = [sum(station) for station in list_totals]
    blanco = [rng.randrange(0, 12) for _ in range(stations)]
    ongeldig = [rng.randrange(0, 8) for _ in range(stations)]
    found = [counted[s] + blanco[s] + ongeldig[s] for s in range(stations)]
    kiezerspas = [rng.randrange(0, 5) for _ in range(stations)]
    volmacht = [rng.randrange(0, 60) for _ in range(stations)]
    stempas = [found[s] - kiezerspas[s] - volmacht[s] for s in range(stations)]
    stats = [
        ("opgeroepenen", [0] * stations),
        ("geldige stempas", stempas),
        ("geldig volmachtbewijs", volmacht),
        ("geldige kiezerspas", kiezerspas),
        ("toegelaten kiezers", found),
        ("geldige stembiljetten", counted),
        ("blanco stembiljetten", blanco),
        ("ongeldige stembiljetten", ongeldig),
        ("aangetroffen stembiljetten", found),
        ("meer stembiljetten dan toegelaten kiezers", [0] * stations),
        ("minder stembiljetten dan toegelaten kiezers", [0] * stations),
        ("geen verklaring", [0] * stations),
    ]
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    w.writerow(["Verkiezing", "", "Gemeenteraad Benchmarkstad 2026"])
    w.writerow(["Datum", "", "2026-03-18"])
    w.writerow(["Gebied", "", "Gemeente Benchmarkstad"])
    w.writerow(["Nummer", "", "0999"])
    w.writerow([])
    names = [f"Stembureau {s + 1}" for s in range(stations)]
    w.writerow(["Lijstnummer", "Aanduiding", "Volgnummer", "Naam kandidaat", "Totaal", *names])
    w.writerow(["Gebiednummer", "", "", "", "", *[str(s + 1) for s in range(stations)]])
    w.writerow(["Postcode", "", "", "", "", *[f"{1000 + s} AB" for s in range(stations)]])
    for label, values in stats:
        w.writerow(["", label, "", "", str(sum(values)), *map(str, values)])
    for li in range(lists):
        totals = [list_totals[s][li] for s in range(stations)]
        w.writerow([str(li + 1), f"Partij {li + 1}", "", "", str(sum(totals)), *map(str, totals)])
        for k in range(candidates):
            row = [votes[s][li][k] for s in range(stations)]
            w.writerow(
                ["", "", str(k + 1), f"Kandidaat {li + 1}-{k + 1}", str(sum(row))]
                + [str(v) for v in row]
            )
    text = out.getvalue().rstrip("\r\n")  # today's form: no final newline
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def family_a_rows(rows: int, columns: int, seed: int, *, dutch: bool) -> list[list[Any]]:
    """Header + one row per polling station: number, name, postcode, 8 statistics, lists."""
    rng = random.Random(seed)
    n_lists = columns - 3 - len(STAT_HEADERS)
    header: list[Any] = ["Nr", "Stembureau", "Postcode", *STAT_HEADERS]
    header += [f"Lijst {i + 1}" for i in range(n_lists)]
    table: list[list[Any]] = [header]
    for r in range(rows):
        lists = [
            rng.randrange(500, 12000) if dutch else rng.randrange(0, 400) for _ in range(n_lists)
        ]
        counted = sum(lists)
        blanco, ongeldig = rng.randrange(0, 12), rng.randrange(0, 8)
        found = counted + blanco + ongeldig
        kp, vm = rng.randrange(0, 5), rng.randrange(0, 60)
        stats = [found * 2, found - kp - vm, vm, kp, found, blanco, ongeldig, counted]
        table.append([r + 1, f"Stembureau {r + 1}", f"{1000 + r % 9000} AB", *stats, *lists])
    return table


def write_family_a_csv(path: Path, rows: int, columns: int, seed: int, *, dutch: bool) -> None:
    table = family_a_rows(rows, columns, seed, dutch=dutch)
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if dutch else csv.QUOTE_MINIMAL
    w = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=quoting)
    w.writerow(table[0])
    for row in table[1:]:
        if dutch:
            w.writerow([row[0], row[1], row[2], *[_nl(v) for v in row[3:]]])
        else:
            w.writerow(row)
    path.write_bytes(out.getvalue().encode("utf-8"))


def write_family_a_xlsx(path: Path, rows: int, columns: int, seed: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Uitslag")
    for row in family_a_rows(rows, columns, seed, dutch=False):
        sheet.append(row)
    book.save(path)


@dataclass
class Input:
    name: str
    kind: str  # csv | xlsx
    path: Path
    rows: int
    columns: int
    make: Callable[[Path], None]

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def inputs(small: bool) -> list[Input]:
    k = 20 if small else 1
    st, li, ca = (450 // k, 30 // 3 if small else 30, 40 // 4 if small else 40)
    osv_rows = 8 + 12 + li * (1 + ca)
    a_rows, big_rows = 20_000 // k, 120_000 // k
    tag = "-small" if small else ""
    return [
        Input(
            "osv",
            "csv",
            OUT / f"osv4-3_{st}st_{li}l_{ca}c{tag}.csv",
            osv_rows,
            5 + st,
            lambda p: write_osv_csv(p, st, li, ca, seed=1),
        ),
        Input(
            "a-csv",
            "csv",
            OUT / f"family-a_{a_rows}x40{tag}.csv",
            a_rows + 1,
            40,
            lambda p: write_family_a_csv(p, a_rows, 40, 1, dutch=False),
        ),
        Input(
            "a-xlsx",
            "xlsx",
            OUT / f"family-a_{a_rows}x40{tag}.xlsx",
            a_rows + 1,
            40,
            lambda p: write_family_a_xlsx(p, a_rows, 40, 1),
        ),
        Input(
            "a-csv-40mb",
            "csv",
            OUT / f"family-a_{big_rows}x40_quoted_dutch{tag}.csv",
            big_rows + 1,
            40,
            lambda p: write_family_a_csv(p, big_rows, 40, 2, dutch=True),
        ),
    ]


def ensure(item: Input, regenerate: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    fresh = item.path.exists() and item.path.stat().st_mtime >= Path(__file__).stat().st_mtime
    if fresh and not regenerate:
        return
    started = time.perf_counter()
    tmp = item.path.with_suffix(item.path.suffix + ".tmp")
    item.make(tmp)
    tmp.replace(item.path)
    print(
        f"generated {item.path.name} ({item.path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


# --- measurements ---------------------------------------------------------------------------


def raw_csv(path: Path) -> int:
    from telnorm.parsers.text import decode

    text = decode(path.read_bytes()).text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return sum(len(row) for row in rows)


def raw_calamine(path: Path) -> int:
    import python_calamine

    data = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return sum(len(row) for row in data)


def in_process(path: Path, locations: bool = False) -> dict[str, Any]:
    from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise

    return normalise(InputFile(path, path.name), None, NormaliseOptions(locations=locations))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median wall s, median CPU s, last result)."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
        result = result if not isinstance(result, dict) else {"cells": result["source"]["cells"]}
    return statistics.median(walls), statistics.median(cpus), result


# Runs one command and prints its wall time and rusage. A child's peak RSS on Linux starts
# from its parent's (the high-water mark survives fork and exec), so the command is started
# from this small helper, never from the benchmark process itself, which holds gigabytes.
_RUN_ONE = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_pid, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - started
err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
print(json.dumps({"status": status, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mib": usage.ru_maxrss / 1024, "stderr": err}))
"""


def whole_process(path: Path, repeat: int) -> dict[str, float]:
    telnorm = ROOT / ".venv" / "bin" / "telnorm"
    walls, cpus, rss = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out = Path(tmp) / "out.json"
            command = [str(telnorm), "normalise", str(path), "-o", str(out)]
            done = subprocess.run(
                [sys.executable, "-c", _RUN_ONE, *command],
                capture_output=True,
                text=True,
                check=True,
            )
            sample = json.loads(done.stdout)
            if sample["status"] != 0:
                raise RuntimeError(f"telnorm normalise {path.name} failed: {sample['stderr']}")
            walls.append(sample["wall"])
            cpus.append(sample["cpu"])
            rss.append(sample["rss_mib"])
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "rss_mib": max(rss),
    }


def warm_up() -> None:
    """Imports and first-call costs (registry, plugins, calamine) outside the timings."""
    sample = ROOT / "samples" / "tabular" / "a_lindehoven_semicolon_cp1252.csv"
    raw_csv(sample)
    raw_calamine(ROOT / "samples" / "tabular" / "a_lindehoven_names.xlsx")
    in_process(sample)


def measure(item: Input, repeat: int, processes: bool) -> dict[str, Any]:
    raw = raw_calamine if item.kind == "xlsx" else raw_csv
    raw_wall, raw_cpu, raw_cells = timed(lambda: raw(item.path), repeat)
    tel_wall, tel_cpu, tel = timed(lambda: in_process(item.path), repeat)
    loc_wall, _loc_cpu, _ = timed(lambda: in_process(item.path, True), 1)
    result: dict[str, Any] = {
        "input": item.name,
        "file": item.path.name,
        "bytes": item.path.stat().st_size,
        "kind": item.kind,
        "grid_cells": raw_cells,
        "source_cells": tel["cells"],
        "raw": {"wall": raw_wall, "cpu": raw_cpu, "cells_per_s": raw_cells / raw_wall},
        "normalise": {"wall": tel_wall, "cpu": tel_cpu, "cells_per_s": raw_cells / tel_wall},
        "normalise_locations": {"wall": loc_wall},
        "ratio": tel_wall / raw_wall,
        "target": TARGETS[item.kind],
    }
    if processes:
        proc = whole_process(item.path, repeat)
        proc["cells_per_s"] = raw_cells / proc["wall"]
        result["process"] = proc
        result["process_ratio"] = proc["wall"] / raw_wall
    return result


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| input | MB | cells | raw s | raw cells/s | normalise s | cells/s | ratio (target) "
        "| +locations s | `telnorm normalise` s | ratio | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        proc = r.get("process") or {}
        met = "met" if r["ratio"] <= r["target"] else "missed"
        lines.append(
            f"| {r['input']} | {r['bytes'] / 1e6:.1f} | {r['grid_cells']:,} "
            f"| {r['raw']['wall']:.2f} | {r['raw']['cells_per_s'] / 1e6:.2f} M "
            f"| {r['normalise']['wall']:.2f} | {r['normalise']['cells_per_s'] / 1e6:.2f} M "
            f"| **{r['ratio']:.1f}** (<= {r['target']:.0f}, {met}) "
            f"| {r['normalise_locations']['wall']:.2f} "
            f"| {proc.get('wall', float('nan')):.2f} | {r.get('process_ratio', float('nan')):.1f} "
            f"| {proc.get('rss_mib', float('nan')):.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--no-process", action="store_true", help="skip the CLI runs")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    wanted = {x for x in args.only.split(",") if x}
    items = [i for i in inputs(args.small) if not wanted or i.name in wanted]
    for item in items:
        ensure(item, args.regenerate)
    if args.generate_only:
        return 0
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    warm_up()
    results = []
    for item in items:
        results.append(measure(item, args.repeat, not args.no_process))
        r = results[-1]
        print(
            f"{item.name}: raw {r['raw']['wall']:.2f} s, normalise {r['normalise']['wall']:.2f}"
            f" s, ratio {r['ratio']:.1f}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(report(results))
    print(
        f"\nload average at end: {os.getloadavg()[0]:.2f}; this process's peak RSS {peak:.0f} MiB"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
        }
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
