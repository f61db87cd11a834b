"""The performance benchmark of telnorm (issue 2, and issue 4's validation overhead).

What it does, in one run:

1. Generates the benchmark input with ``benchmarks/generate_eml.py`` (a ~100 MB municipal
   EML_NL 510b: 450 polling stations, 30 lists of 30-50 candidates), or reuses the cached file
   under ``benchmarks/out/`` (git-ignored; regenerated when the generator is newer than it, or
   with ``--regenerate``).
2. Measures whole processes, as a user waits for them: wall time, CPU time (user + system) and
   peak RSS of each child, read with ``os.wait4`` (the child's own ``rusage``). Scenarios:

   * ``lxml-bare``: the baseline, ``for _, el in etree.iterparse(path): el.clear()``;
   * ``lxml-safe``: the same loop with the parser options and events of telnorm's
     ``telnorm.parsers.xmlsafe.safe_iterparse`` (no entities, no network, no DTD, comments and PIs
     removed, start and end events);
   * ``import``: interpreter start plus ``import telnorm.service.pipeline`` (the fixed cost in every
     telnorm run; informative);
   * ``normalise``: ``telnorm normalise FILE -o OUT`` (the console script; before the CLI
     existed, an in-process ``normalise_json`` call writing the bytes);
   * ``validate``: normalise + validate. ``telnorm validate FILE --format json`` when the CLI
     has that command, otherwise a script calling ``telnorm.service.validation.validate`` on the
     normalised document and writing the report.

   Each scenario runs ``--repeat`` times (default 3), round-robin so that load from other users
   of the machine spreads over all scenarios; the median of each measure is reported.
3. A single in-process probe splits telnorm's time into normalise / JSON dump / validate.
4. Prints a table and the ratios against the targets (telnorm / bare lxml <= 2.0 in wall time,
   peak RSS <= 250 MiB, validation overhead <= 25 %), and writes everything as JSON with
   ``--json FILE``.

Usage::

    .venv/bin/python benchmarks/run.py [--repeat 3] [--json benchmarks/out/result.json]
        [--stations 450 --lists 30 --seed 1] [--regenerate] [--only lxml-bare,normalise]

Exit status: 0 when every scenario ran (targets missed are reported, not failed), 1 when a
scenario failed. It is CPU-heavy (several minutes on 2 cores): run it once, not in a loop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
OUT = BENCH / "out"
GENERATOR = BENCH / "generate_eml.py"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TELNORM = ROOT / ".venv" / "bin" / "telnorm"

# Issue 18's targets (issue 2 and 4 asked for 2.0, 250 MiB and +25 %).
TARGET_RATIO = 1.3
TARGET_RSS_MIB = 150.0
TARGET_VALIDATION_OVERHEAD = 0.30  # validate <= 1.3x normalise
TARGET_LOCATIONS_RATIO = 1.5
TARGET_EXPORT_RSS_MIB = 200.0
SCALER = BENCH / "scale_eml.py"

BARE = """\
import sys
from lxml import etree
for _, el in etree.iterparse(sys.argv[1]):
    el.clear()
"""

# The parser options and events of parsers.xmlsafe.safe_iterparse, without telnorm's code.
SAFE = """\
import sys
from lxml import etree
for event, el in etree.iterparse(
    sys.argv[1],
    events=("end", "start"),
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
    recover=False,
):
    if event == "end":
        el.clear()
"""

IMPORT_ONLY = "import telnorm.service.pipeline\n"

NORMALISE_FALLBACK = """\
import sys
from pathlib import Path
from telnorm.service.pipeline import InputFile, normalise_json
Path(sys.argv[2]).write_bytes(normalise_json(InputFile(Path(sys.argv[1]))))
"""

VALIDATE_FALLBACK = """\
import sys
from pathlib import Path
import orjson
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.validation import validate
report = validate(normalise(InputFile(Path(sys.argv[1]))))
sys.stdout.buffer.write(orjson.dumps(report))
sys.exit(0 if report["valid"] else 1)
"""

PHASES = """\
import sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from telnorm.service.pipeline import InputFile, normalise, dumps
t1 = time.perf_counter()
document = normalise(InputFile(Path(sys.argv[1])))
t2 = time.perf_counter()
data = dumps(document)
t3 = time.perf_counter()
result = {"import_s": t1 - t0, "normalise_s": t2 - t1, "dumps_s": t3 - t2,
          "json_bytes": len(data)}
try:
    from telnorm.service.validation import validate
except ImportError:
    validate = None
if validate is not None:
    t4 = time.perf_counter()
    report = validate(document)
    t5 = time.perf_counter()
    result.update(validate_s=t5 - t4, valid=report["valid"], summary=report["summary"],
                  codes=sorted({f["code"] for f in report["findings"]}))
print(json.dumps(result))
"""


@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    peak_rss_mib: float
    exit_code: int


@dataclass
class Scenario:
    name: str
    title: str
    command: list[str]
    stdout: Path | None = None
    ok_exit_codes: tuple[int, ...] = (0,)
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    def median(self) -> dict[str, float]:
        if not self.samples:
            return {}
        keys = ("wall_s", "cpu_s", "user_s", "sys_s", "peak_rss_mib")
        return {
            key: round(statistics.median(getattr(s, key) for s in self.samples), 3) for key in keys
        }


def measure(command: Sequence[str], stdout: Path | None) -> tuple[Sample, str]:
    """Run one process to completion; its wall time and its own rusage (via ``wait4``)."""
    with tempfile.TemporaryFile() as err:
        out = stdout.open("wb") if stdout is not None else open(os.devnull, "wb")  # noqa: SIM115
        with out:
            started = time.perf_counter()
            process = subprocess.Popen(list(command), stdout=out, stderr=err, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    sample = Sample(
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        user_s=round(usage.ru_utime, 3),
        sys_s=round(usage.ru_stime, 3),
        peak_rss_mib=round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        exit_code=process.returncode,
    )
    return sample, stderr


def cli_has(command: str) -> bool:
    """Whether the ``telnorm`` console script runs and knows ``command``."""
    if not TELNORM.exists() or not (ROOT / "service" / "cli.py").exists():
        return False
    result = subprocess.run(
        [str(TELNORM), command, "--help"], capture_output=True, cwd=ROOT, check=False
    )
    return result.returncode == 0


def validation_available() -> bool:
    result = subprocess.run(
        [str(VENV_PYTHON), "-c", "from telnorm.service.validation import validate"],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    return result.returncode == 0


def ensure_input(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    if args.input == "scaled":
        # Issue 18's input: the corpus's TK2025 West Maas en Waal 510b scaled to N stations.
        path = OUT / f"TK2025_WestMaasenWaal_{args.stations}stations.eml.xml"
        command = [str(SCALER), str(path), "--stations", str(args.stations)]
        return _cached(path, SCALER, command, args.regenerate)
    path = OUT / f"GR_{args.stations}stations_{args.lists}lists_seed{args.seed}.eml.xml"
    command = [str(GENERATOR), str(path), "--stations", str(args.stations)]
    command += ["--lists", str(args.lists), "--seed", str(args.seed)]
    return _cached(path, GENERATOR, command, args.regenerate)


def _cached(
    path: Path, script: Path, command: list[str], regenerate: bool
) -> tuple[Path, dict[str, Any]]:
    """The input at ``path`` and its summary (what the script printed), made again when the
    script is newer than it or with ``--regenerate``."""
    summary_path = path.with_suffix(".summary.json")
    stale = (
        not path.exists()
        or not summary_path.exists()
        or path.stat().st_mtime < script.stat().st_mtime
    )
    if regenerate or stale:
        print(f"writing {path.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        result = subprocess.run(
            [str(VENV_PYTHON), *command], capture_output=True, cwd=ROOT, check=True
        )
        summary_path.write_bytes(result.stdout)
    else:
        print(f"reusing {path.relative_to(ROOT)}", file=sys.stderr, flush=True)
    summary: dict[str, Any] = json.loads(summary_path.read_text())
    return path, summary


def scenarios(path: Path, want: set[str] | None) -> list[Scenario]:
    python = str(VENV_PYTHON)
    normalised = OUT / "normalised.json"
    report = OUT / "validation-report.json"
    found = [
        Scenario("lxml-bare", "lxml iterparse + clear (baseline)", [python, "-c", BARE, str(path)]),
        Scenario(
            "lxml-safe",
            "lxml iterparse, telnorm's safe options",
            [python, "-c", SAFE, str(path)],
        ),
        Scenario("import", "python + import telnorm.service.pipeline", [python, "-c", IMPORT_ONLY]),
    ]
    if cli_has("normalise"):
        found.append(
            Scenario(
                "normalise",
                "telnorm normalise FILE -o OUT",
                [str(TELNORM), "normalise", str(path), "-o", str(normalised)],
            )
        )
    else:
        found.append(
            Scenario(
                "normalise",
                "normalise_json() -> file (no CLI yet)",
                [python, "-c", NORMALISE_FALLBACK, str(path), str(normalised)],
            )
        )
    found += [
        Scenario(
            "locations",
            "telnorm normalise FILE --locations -o OUT",
            [str(TELNORM), "normalise", str(path), "--locations", "-o", str(OUT / "loc.json")],
        ),
        Scenario(
            "to-eml",
            "telnorm normalise FILE --to eml -o OUT",
            [str(TELNORM), "normalise", str(path), "--to", "eml", "-o", str(OUT / "out.xml")],
        ),
        Scenario(
            "to-osv4-3",
            "telnorm normalise FILE --to osv4-3 -o OUT",
            [str(TELNORM), "normalise", str(path), "--to", "osv4-3", "-o", str(OUT / "out.csv")],
        ),
    ]
    if cli_has("validate"):
        found.append(
            Scenario(
                "validate",
                "telnorm validate FILE --format json",
                [str(TELNORM), "validate", str(path), "--format", "json"],
                stdout=report,
                ok_exit_codes=(0, 1),  # 1 = "not valid": still a complete run
            )
        )
    elif validation_available():
        found.append(
            Scenario(
                "validate",
                "normalise() + validate() -> report (no CLI yet)",
                [python, "-c", VALIDATE_FALLBACK, str(path)],
                stdout=report,
                ok_exit_codes=(0, 1),
            )
        )
    if want is not None:
        found = [s for s in found if s.name in want]
    return found


def machine() -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lxml_version: str | None = None
    libxml2: str | None = None
    try:
        from lxml import etree

        lxml_version = ".".join(map(str, etree.LXML_VERSION))
        libxml2 = ".".join(map(str, etree.LIBXML_VERSION))
    except ImportError:  # the runner may run outside the venv
        pass
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "lxml": lxml_version,
        "libxml2": libxml2,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def code_state() -> dict[str, Any]:
    """The commit measured, and whether the measured code had uncommitted changes (several
    people work in this checkout: say exactly what the figures are of)."""

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=ROOT, check=False
        )
        return result.stdout.strip()

    dirty = git("status", "--porcelain", "--", "parsers", "service")
    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted_changes": dirty.splitlines() if dirty else [],
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 3)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("OK" if ok else "MISSED")


def _target(limit: float, measured: float | None) -> dict[str, Any]:
    """A goal and what was measured against it (``ok`` None when nothing was measured)."""
    return {
        "target": limit,
        "measured": measured,
        "ok": None if measured is None else measured <= limit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="telnorm performance benchmark")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (3)")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--input",
        choices=("scaled", "generated"),
        help="scaled: a real corpus count scaled up (issue 18's input, the default when the "
        "corpus is there); generated: benchmarks/generate_eml.py's fictional count",
    )
    parser.add_argument("--stations", type=int, help="700 (scaled) or 450 (generated)")
    parser.add_argument("--lists", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="regenerate the input file")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--no-phases", action="store_true", help="skip the in-process probe")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.input is None:
        args.input = "scaled" if (ROOT.parent / "shared" / "corpus").exists() else "generated"
    if args.stations is None:
        args.stations = 700 if args.input == "scaled" else 450

    OUT.mkdir(parents=True, exist_ok=True)
    path, summary = ensure_input(args)
    want = set(args.only.split(",")) if args.only else None
    plan = scenarios(path, want)
    info = machine()
    code = code_state()
    # Warm the page cache so that no scenario pays for the first read from disk.
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass

    started = dt.datetime.now(dt.UTC)
    for round_number in range(1, args.repeat + 1):
        for scenario in plan:
            if scenario.error:
                continue
            print(
                f"[{round_number}/{args.repeat}] {scenario.name} ...",
                end=" ",
                file=sys.stderr,
                flush=True,
            )
            sample, stderr = measure(scenario.command, scenario.stdout)
            print(
                f"{sample.wall_s:.2f} s, {sample.peak_rss_mib:.0f} MiB", file=sys.stderr, flush=True
            )
            if sample.exit_code not in scenario.ok_exit_codes:
                scenario.error = f"exit {sample.exit_code}: {stderr.strip()[-2000:]}"
                continue
            scenario.samples.append(sample)
    info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]

    phases: dict[str, Any] | None = None
    if not args.no_phases and (want is None or "phases" in want):
        print("in-process probe ...", file=sys.stderr, flush=True)
        result = subprocess.run(
            [str(VENV_PYTHON), "-c", PHASES, str(path)],
            capture_output=True,
            cwd=ROOT,
            check=False,
        )
        if result.returncode == 0:
            phases = json.loads(result.stdout)
        else:
            phases = {"error": result.stderr.decode("utf-8", "replace")[-2000:]}

    by_name = {s.name: s for s in plan}
    med = {s.name: s.median() for s in plan}

    def m(name: str, key: str) -> float | None:
        return med.get(name, {}).get(key)

    # Sanity: the normalised output has the generator's total.
    check: dict[str, Any] = {}
    normalised = OUT / "normalised.json"
    if "normalise" in by_name and by_name["normalise"].samples and normalised.exists():
        import orjson  # the venv's; the runner is meant to run with .venv/bin/python

        document = orjson.loads(normalised.read_bytes())
        check = {
            "units": len(document["reporting_unit_votes"]),
            "total_counted": document["total_votes"]["total_counted"],
            "matches_generator": document["total_votes"]["total_counted"]
            == summary["total_counted"]
            and len(document["reporting_unit_votes"]) == summary["stations"],
        }
        del document

    ratios = {
        "normalise_over_bare_wall": ratio(m("normalise", "wall_s"), m("lxml-bare", "wall_s")),
        "normalise_over_bare_cpu": ratio(m("normalise", "cpu_s"), m("lxml-bare", "cpu_s")),
        "normalise_over_safe_wall": ratio(m("normalise", "wall_s"), m("lxml-safe", "wall_s")),
        "validate_over_normalise_wall": ratio(m("validate", "wall_s"), m("normalise", "wall_s")),
        "locations_over_normalise_wall": ratio(m("locations", "wall_s"), m("normalise", "wall_s")),
    }
    overhead = ratios["validate_over_normalise_wall"]
    validation_overhead = round(overhead - 1, 3) if overhead is not None else None
    rss = m("normalise", "peak_rss_mib")
    targets: dict[str, dict[str, Any]] = {
        "ratio": _target(TARGET_RATIO, ratios["normalise_over_bare_wall"]),
        "peak_rss_mib": _target(TARGET_RSS_MIB, rss),
        "validation_overhead": _target(TARGET_VALIDATION_OVERHEAD, validation_overhead),
        "locations_ratio": _target(TARGET_LOCATIONS_RATIO, ratios["locations_over_normalise_wall"]),
    }
    for name in ("to-eml", "to-osv4-3"):
        targets[f"{name}_peak_rss_mib"] = _target(TARGET_EXPORT_RSS_MIB, m(name, "peak_rss_mib"))

    # --- the table ---
    size_mb = summary["bytes"] / 1e6
    print()
    print(
        f"telnorm benchmark, {started:%Y-%m-%d %H:%M} UTC, {info['cpus_usable']} CPUs "
        f"({info['cpu_model']}), Python {info['python']}, lxml {info['lxml']}"
    )
    dirty = f", uncommitted changes in {len(code['uncommitted_changes'])} file(s)"
    print(f"code: {code['commit']}{dirty if code['uncommitted_changes'] else ''}")
    print(
        f"input: {path.name}, {size_mb:.1f} MB, {summary['stations']} stations, "
        f"{summary['lists']} lists, {summary['candidates']} candidates; "
        f"median of {args.repeat} runs; load average {info['load_average_before']}"
    )
    print()
    header = f"{'scenario':<11} {'what':<48} {'wall s':>7} {'cpu s':>7} {'RSS MiB':>8}"
    print(header)
    print("-" * len(header))
    for scenario in plan:
        if scenario.error and not scenario.samples:
            print(f"{scenario.name:<11} {scenario.title:<48} FAILED")
            continue
        md = scenario.median()
        print(
            f"{scenario.name:<11} {scenario.title:<48} {md['wall_s']:>7.2f} "
            f"{md['cpu_s']:>7.2f} {md['peak_rss_mib']:>8.1f}"
        )
    print()

    def fmt(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    r = targets["ratio"]
    print(
        f"ratio telnorm / bare lxml (wall): {fmt(r['measured'], '.2f')}  "
        f"(target <= {TARGET_RATIO})  {verdict(r['ok'])}"
    )
    print(
        f"  same in CPU time: {fmt(ratios['normalise_over_bare_cpu'], '.2f')}; "
        f"against lxml with telnorm's options: {fmt(ratios['normalise_over_safe_wall'], '.2f')}"
    )
    r = targets["peak_rss_mib"]
    print(
        f"peak RSS of telnorm normalise: {fmt(r['measured'], '.1f')} MiB  "
        f"(target <= {TARGET_RSS_MIB:.0f})  {verdict(r['ok'])}"
    )
    r = targets["validation_overhead"]
    print(
        f"validation overhead (validate vs normalise, wall): "
        f"{fmt(None if r['measured'] is None else r['measured'] * 100, '+.1f')} %  "
        f"(target <= +{TARGET_VALIDATION_OVERHEAD * 100:.0f} %)  {verdict(r['ok'])}"
    )
    r = targets["locations_ratio"]
    print(
        f"locations=true / without (wall): {fmt(r['measured'], '.2f')}  "
        f"(target <= {TARGET_LOCATIONS_RATIO})  {verdict(r['ok'])}"
    )
    for name in ("to-eml", "to-osv4-3"):
        r = targets[f"{name}_peak_rss_mib"]
        print(
            f"peak RSS of {name}: {fmt(r['measured'], '.1f')} MiB  "
            f"(target <= {TARGET_EXPORT_RSS_MIB:.0f})  {verdict(r['ok'])}"
        )
    if phases is not None and "error" not in phases:
        line = (
            f"in-process: import {phases['import_s']:.2f} s, normalise "
            f"{phases['normalise_s']:.2f} s, JSON dump {phases['dumps_s']:.2f} s "
            f"({phases['json_bytes'] / 1e6:.1f} MB)"
        )
        if "validate_s" in phases:
            share = phases["validate_s"] / (phases["normalise_s"] + phases["dumps_s"])
            line += (
                f", validate {phases['validate_s']:.2f} s (= {share * 100:.1f} % of normalise "
                f"+ dump; valid={phases['valid']}, codes={phases['codes']})"
            )
        print(line)
    elif phases is not None:
        print(f"in-process probe failed: {phases['error'][-500:]}")
    if check:
        print(
            f"output check: {check['units']} units, total_counted {check['total_counted']} "
            f"({'matches' if check['matches_generator'] else 'DOES NOT match'} the generator)"
        )
    failed = [s for s in plan if s.error]
    for scenario in failed:
        print(f"\n{scenario.name} failed: {scenario.error}")

    if args.json:
        output = {
            "date": started.isoformat(timespec="seconds"),
            "machine": info,
            "code": code,
            "input": summary,
            "repeat": args.repeat,
            "scenarios": {
                s.name: {
                    "title": s.title,
                    "command": ["<script>" if "\n" in part else part for part in s.command],
                    "median": s.median(),
                    "samples": [asdict(x) for x in s.samples],
                    "error": s.error,
                }
                for s in plan
            },
            "ratios": ratios,
            "targets": targets,
            "phases": phases,
            "output_check": check,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(output, indent=2) + "\n")
        print(f"\nJSON written to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
