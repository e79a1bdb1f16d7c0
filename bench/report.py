#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw results of `make bench` into a markdown report with plots.

Usage: bench/report.py RESULTS_DIR OUT_DIR

Reads RESULTS_DIR/machine.json (how and where the run was made) and
RESULTS_DIR/results.jsonl (one measurement per line, for our kernel and for
the upstream baseline, booted alternately in pairs).  Writes
OUT_DIR/report.md and one PNG per plotted scenario, and copies both inputs
into OUT_DIR so that the report can be regenerated from OUT_DIR alone.

The report gives the benchmark goals with a verdict computed from the data,
then one table per scenario: each kernel's median (min-max) over the pairs
and the per-pair ratio ours/upstream.  Plots need matplotlib (Agg backend);
when it is missing, or BENCH_NO_PLOTS=1 is set, the report is written
without plots and says so.

Exit status: 0 when a report was written (even if some cases failed; the
report lists the errors), 1 when there were no usable results at all, 2 on
bad usage.
"""

import json
import math
import os
import shutil
import statistics
import sys
import textwrap
from collections import namedtuple

KERNELS = ("ours", "upstream")
COLORS = {"ours": "#1f77b4", "upstream": "#ff7f0e"}

# unit: printed next to the name; better: "lower", "higher" or None
# (neutral); tol: how far apart two medians may be and still count as equal
# when a goal compares the kernels.
Metric = namedtuple("Metric", "unit better label tol")
METRICS = {
    "cpu_pct": Metric("%", "lower", "kdamond CPU, % of one CPU", 0.0),
    "ns_per_sample": Metric("ns", "lower",
                            "kdamond runtime per sampling interval", 0.0),
    "ns_per_region_sample": Metric("ns", "lower",
                                   "runtime per region per sample", 0.0),
    "nr_regions": Metric("", None, "median region count", 0.0),
    "samples": Metric("", None, "sampling intervals in window", 0.0),
    "rate_off": Metric("passes/s", "higher", "workload rate, DAMON off", 0.0),
    "rate_on": Metric("passes/s", "higher", "workload rate, DAMON on", 0.0),
    "slowdown_pct": Metric("%", "lower", "workload slowdown", 1.0),
    "precision": Metric("", "higher", "hot-range precision", 0.01),
    "recall": Metric("", "higher", "hot-range recall", 0.01),
    "wss_err_pct": Metric("%", "lower", "working-set-size error", 1.0),
    "edge_err_pct": Metric("%", "lower", "hot range edge error", 1.0),
    # one aggregation interval (0.1 s): the resolution of the measurement
    "converge_s": Metric("s", "lower", "time to converge", 0.1),
    "saved_mib": Metric("MiB", "higher", "memory saved", 0.0),
    "kdamond_cpu_pct": Metric("%", "lower", "kdamond CPU, % of one CPU", 0.0),
}
UNKNOWN_METRIC = Metric("", None, "", 0.0)
ARROWS = {"lower": " ↓", "higher": " ↑", None: ""}

# Section order and a one-line description of each known scenario.
SCENARIOS = {
    "overhead": "Cost of the kdamond while it monitors a steady workload.",
    "scale": "Cost of the kdamond as the guest's memory grows.",
    "slowdown": "Workload throughput with DAMON on versus off.",
    "accuracy": "How closely DAMON's hot set and working set size match "
                "the workload's known truth.",
    "reclaim": "Proactive reclaim: memory saved, and what it costs.",
}

CPU_RATIO_GOAL = 0.8
SCALE_GROWTH_GOAL = 1.2
WSS_ERR_GOAL = 10.0
# Accuracy cases must measure the first three; the others are compared
# only when present.
ACCURACY_REQUIRED = ("precision", "recall", "wss_err_pct")
ACCURACY_OPTIONAL = ("edge_err_pct", "converge_s")
PLOT_NAMES = ("overhead", "scale", "accuracy", "slowdown")

Check = namedtuple("Check", "ok text")   # ok: True, False or None (no data)
Goal = namedtuple("Goal", "title how verdict summary checks")


# ---------------------------------------------------------------- loading

class Results:
    """All measurements: values[key][kernel][metric][pair] -> number.

    key is (scenario, case, mem_gib).  A metric that was reported only as
    null still gets an (empty) entry so that its table row shows up.
    """

    def __init__(self):
        self.values = {}
        self.case_order = {}
        self.errors = []
        self.problems = []
        self.pairs = set()
        self.nr_records = 0
        self._seen = set()

    def add(self, rec, lineno):
        """Store one parsed result line."""
        key = (rec["scenario"], rec["case"], rec["mem_gib"])
        kernel, pair = rec["kernel"], rec["pair"]
        self.case_order.setdefault(key[:2], len(self.case_order))
        per_kernel = self.values.setdefault(key, {k: {} for k in KERNELS})
        series = per_kernel[kernel]
        if (key, kernel, pair) in self._seen:
            self.problems.append(f"line {lineno}: second result for "
                                 f"{kernel} pair {pair}, {key_label(key)}; "
                                 "the later line replaces the earlier one")
            for by_pair in series.values():
                by_pair.pop(pair, None)
        self._seen.add((key, kernel, pair))
        self.pairs.add(pair)
        self.nr_records += 1
        for name, value in (rec.get("metrics") or {}).items():
            by_pair = series.setdefault(name, {})
            if is_number(value):
                by_pair[pair] = value
        if rec.get("error"):
            self.errors.append({"key": key, "kernel": kernel, "pair": pair,
                                "error": str(rec["error"])})

    def keys(self, scenario):
        """Keys of one scenario, cases in first-seen order, then by size."""
        keys = [k for k in self.values if k[0] == scenario]
        return sorted(keys, key=lambda k: (self.case_order[k[:2]], k[2]))

    def scenarios(self):
        """Scenarios present: known ones in report order, then the rest."""
        present = {k[0] for k in self.values}
        known = [s for s in SCENARIOS if s in present]
        return known + sorted(present - set(SCENARIOS))

    def metrics(self, key):
        """Metric names seen for a key: known ones first, in table order."""
        names = set()
        for kernel in KERNELS:
            names.update(self.values[key][kernel])
        known = [m for m in METRICS if m in names]
        return known + sorted(names - set(METRICS))

    def series(self, key, kernel, metric):
        """{pair: value} of one metric for one kernel (may be empty)."""
        return self.values.get(key, {}).get(kernel, {}).get(metric, {})

    def has_data(self, key, metric):
        """True when either kernel has at least one value for the metric."""
        return any(self.series(key, k, metric) for k in KERNELS)


def is_number(value):
    """True for finite ints and floats (but not bools)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def parse_record(text):
    """Parse and validate one results.jsonl line; raise ValueError if bad."""
    rec = json.loads(text)
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    if rec.get("kernel") not in KERNELS:
        raise ValueError(f"unknown kernel {rec.get('kernel')!r}")
    for field, kind in (("scenario", str), ("case", str), ("pair", int),
                        ("mem_gib", (int, float))):
        value = rec.get(field)
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ValueError(f"missing or bad {field!r}")
    if not isinstance(rec.get("metrics") or {}, dict):
        raise ValueError("'metrics' is not an object")
    return rec


def load_results(path):
    """Read results.jsonl; unusable lines become problems in the report."""
    res = Results()
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as exc:
        res.problems.append(f"cannot read {path}: {exc.strerror}")
        return res
    for lineno, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            rec = parse_record(text)
        except ValueError as exc:
            res.problems.append(f"results.jsonl line {lineno} ignored: {exc}")
            continue
        res.add(rec, lineno)
    return res


def load_machine(path, problems):
    """Read machine.json; a missing or broken file gives an empty dict."""
    try:
        with open(path, encoding="utf-8") as f:
            machine = json.load(f)
    except (OSError, ValueError) as exc:
        problems.append(f"machine.json unusable: {exc}")
        return {}
    if not isinstance(machine, dict):
        problems.append("machine.json is not a JSON object")
        return {}
    return machine


def copy_inputs(results_dir, out_dir):
    """Copy the inputs next to the report so it can be regenerated."""
    for name in ("results.jsonl", "machine.json"):
        src = os.path.join(results_dir, name)
        dst = os.path.join(out_dir, name)
        if not os.path.exists(src):
            continue
        if os.path.exists(dst) and os.path.samefile(src, dst):
            continue
        shutil.copyfile(src, dst)


# ------------------------------------------------------------ statistics

def summary(by_pair):
    """(median, min, max) of a {pair: value} dict, or None when empty."""
    values = list(by_pair.values())
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def median_of(by_pair):
    """Median of a {pair: value} dict, or None when empty."""
    stats = summary(by_pair)
    return stats[0] if stats else None


def pair_ratios(ours, upstream):
    """[(pair, ours/upstream)] for pairs where both kernels have a value.

    The ratio is None when upstream's value is zero.
    """
    ratios = []
    for pair in sorted(set(ours) & set(upstream)):
        den = upstream[pair]
        ratios.append((pair, ours[pair] / den if den else None))
    return ratios


def ratio_median(res, key, metric):
    """Median over pairs of the per-pair ratio ours/upstream, or None."""
    ratios = pair_ratios(res.series(key, "ours", metric),
                         res.series(key, "upstream", metric))
    defined = [r for _, r in ratios if r is not None]
    return statistics.median(defined) if defined else None


# ------------------------------------------------------------ formatting

def fmt(x):
    """Three significant digits; thousands separators for large values."""
    if x is None:
        return "–"
    if x == 0:
        return "0"
    rounded = round(x, 2 - math.floor(math.log10(abs(x))))
    if abs(rounded) >= 1000:
        return f"{rounded:,.0f}"
    return f"{rounded:.3g}"


def fmt_mem(mem):
    """Memory size in GiB without a useless '.0'."""
    return fmt(mem) if mem != int(mem) else str(int(mem))


def fmt_stats(stats):
    """'median (min–max)', or just the median when all values agree."""
    if stats is None:
        return "–"
    med, lo, hi = stats
    if lo == hi:
        return fmt(med)
    return f"{fmt(med)} ({fmt(lo)}–{fmt(hi)})"


def key_label(key):
    """Human label of a (scenario, case, mem_gib) key."""
    return f"{key[0]} '{key[1]}' at {fmt_mem(key[2])} GiB"


def metric_label(name):
    """Metric name with its unit and a better-direction arrow."""
    meta = METRICS.get(name, UNKNOWN_METRIC)
    unit = f" [{meta.unit}]" if meta.unit else ""
    return f"{name}{unit}{ARROWS[meta.better]}"


def md_table(header, rows):
    """Markdown table lines; pipes inside cells are escaped."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|")
                                 for c in cells) + " |"
    return [line(header), "|" + "---|" * len(header)] + \
        [line(row) for row in rows] + [""]


# ----------------------------------------------------------------- goals

def make_goal(title, how, checks, summary_text=None):
    """Goal with a verdict: NOT met if any check fails, met if all pass."""
    known = [c.ok for c in checks if c.ok is not None]
    if not known:
        verdict = "no data"
    elif not all(known):
        verdict = "**NOT met**"
    elif len(known) < len(checks):
        verdict = "incomplete"
    else:
        verdict = "met"
    if summary_text is None and not checks:
        summary_text = "no matching results"
    if summary_text is None:
        summary_text = (f"{known.count(True)} of {len(checks)} checks pass, "
                        f"{known.count(False)} fail, "
                        f"{len(checks) - len(known)} without data")
        failed = [c.text for c in checks if c.ok is False]
        if failed:
            more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
            summary_text += ". Not met: " + "; ".join(failed[:3]) + more
    return Goal(title, how, verdict, summary_text, checks)


def goal_cpu(res):
    """kdamond CPU at most 0.8x upstream in every overhead and scale case."""
    checks = []
    for scenario in ("overhead", "scale"):
        for key in res.keys(scenario):
            # An overhead case exists to measure cpu_pct, a scale case may
            # not report it at all.
            if scenario == "scale" and "cpu_pct" not in res.metrics(key):
                continue
            ratio = ratio_median(res, key, "cpu_pct")
            if ratio is None:
                checks.append(Check(None, f"{key_label(key)}: no pair where "
                                    "both kernels have cpu_pct"))
                continue
            checks.append(Check(ratio <= CPU_RATIO_GOAL,
                                f"{key_label(key)}: median ratio "
                                f"{fmt(ratio)}"))
    return make_goal(f"kdamond CPU at most {CPU_RATIO_GOAL}x upstream",
                     "Every overhead and scale case: median over pairs of "
                     "the per-pair ratio ours/upstream of cpu_pct.", checks)


def scale_medians(res, case, kernel, metric):
    """{mem_gib: median of metric} for one scale case and kernel."""
    medians = {}
    for key in res.keys("scale"):
        med = median_of(res.series(key, kernel, metric))
        if key[1] == case and med is not None:
            medians[key[2]] = med
    return medians


def scale_growth(res, case, kernel):
    """(growth, small, large, regions_small, regions_large): median
    ns_per_sample at the largest size over that at the smallest, with the
    median region counts there; None with fewer than two sizes."""
    medians = scale_medians(res, case, kernel, "ns_per_sample")
    if len(medians) < 2 or not medians[min(medians)]:
        return None
    small, large = min(medians), max(medians)
    regions = scale_medians(res, case, kernel, "nr_regions")
    return (medians[large] / medians[small], small, large,
            regions.get(small), regions.get(large))


def same_count(a, b):
    """Region counts within 10% of each other (a fixed-count comparison)."""
    return a is not None and b is not None and \
        abs(a - b) <= 0.1 * max(a, b)


def goal_scaling(res):
    """Flat scaling of ns_per_sample at a fixed region count (ours)."""
    title = f"Flat scaling, at most {SCALE_GROWTH_GOAL}x from 1 to 16 GiB"
    how = ("Every paddr scale case whose region count stayed the same: "
           "median ns_per_sample at the largest memory size over that at "
           "the smallest; judged on ours, upstream shown for reference. A "
           "case whose region count changed with memory size is not a "
           "fixed-count comparison and is shown without a verdict.")
    if len({k[2] for k in res.keys("scale")}) < 2:
        return make_goal(title, how, [],
                         "fewer than two memory sizes measured")
    checks = []
    cases = dict.fromkeys(k[1] for k in res.keys("scale")
                          if k[1].startswith("paddr"))
    for case in cases:
        ok, parts = None, []
        for kernel in KERNELS:
            growth = scale_growth(res, case, kernel)
            if growth is None:
                parts.append(f"{kernel} no data")
                continue
            parts.append(f"{kernel} {fmt(growth[0])}x "
                         f"({fmt_mem(growth[1])}→{fmt_mem(growth[2])} GiB, "
                         f"{fmt(growth[3])}→{fmt(growth[4])} regions)")
            if kernel == "ours" and same_count(growth[3], growth[4]):
                ok = growth[0] <= SCALE_GROWTH_GOAL
        checks.append(Check(ok, f"'{case}': " + ", ".join(parts)))
    return make_goal(title, how, checks)


def compare_medians(res, key, metric):
    """Check that ours' median is no worse than upstream's, within the
    metric's tolerance; None when neither kernel measured the metric."""
    meta = METRICS[metric]
    ours = median_of(res.series(key, "ours", metric))
    upstream = median_of(res.series(key, "upstream", metric))
    if ours is None and upstream is None:
        return None
    text = (f"{key_label(key)} {metric}: ours {fmt(ours)}, "
            f"upstream {fmt(upstream)}")
    if ours is None or upstream is None:
        return Check(None, text)
    if meta.better == "higher":
        return Check(ours >= upstream - meta.tol, text)
    return Check(ours <= upstream + meta.tol, text)


def comparison_checks(res, scenario, required, optional=()):
    """compare_medians() for each key of a scenario.  A required metric
    that neither kernel measured is a no-data check; an optional one is
    left out."""
    checks = []
    for key in res.keys(scenario):
        for metric in required + optional:
            check = compare_medians(res, key, metric)
            if check is None and metric in required:
                check = Check(None, f"{key_label(key)}: {metric} "
                              "not measured")
            if check is not None:
                checks.append(check)
    return checks


def goal_accuracy(res):
    """Ours at least as accurate as upstream in every accuracy case."""
    checks = comparison_checks(res, "accuracy", ACCURACY_REQUIRED,
                               ACCURACY_OPTIONAL)
    return make_goal("Accuracy at least upstream's",
                     "Every accuracy case: ours' median at least "
                     "upstream's for precision and recall (within 0.01), "
                     "at most upstream's for wss_err_pct and edge_err_pct "
                     "(within 1 point) and converge_s.", checks)


def goal_wss(res):
    """Ours' working-set-size error under 10% in every accuracy case."""
    checks = []
    for key in res.keys("accuracy"):
        err = median_of(res.series(key, "ours", "wss_err_pct"))
        checks.append(Check(None if err is None else err < WSS_ERR_GOAL,
                            f"{key_label(key)}: ours {fmt(err)} %"))
    return make_goal(f"WSS error under {fmt(WSS_ERR_GOAL)} percent",
                     "Every accuracy case: ours' median wss_err_pct.",
                     checks)


def goal_reclaim(res):
    """Ours saves at least as much as upstream with no more slowdown."""
    checks = comparison_checks(res, "reclaim",
                               ("saved_mib", "slowdown_pct"))
    return make_goal("Reclaim: at least upstream's saving at no more "
                     "slowdown",
                     "Every reclaim case: ours' median saved_mib at least "
                     "upstream's, median slowdown_pct at most upstream's "
                     "(within 1 point).", checks)


# ------------------------------------------------------------- rendering

def render_header(machine, res, plot_note):
    """Title and how the results were produced."""
    def get(name):
        value = machine.get(name)
        return "unknown" if value is None or value == "" else value
    mode = {True: "quick", False: "full"}.get(machine.get("quick"),
                                              "unknown")
    qemu = str(get("qemu"))
    if not qemu.startswith("QEMU"):
        qemu = "QEMU " + qemu
    lines = [
        "# DAMON benchmark: ours vs upstream", "",
        f"- Produced by `make bench` on {get('date')} ({mode} run). "
        "Its inputs are copied next to this file; regenerate with "
        "`bench/report.py THIS_DIR OUT_DIR`.",
        f"- Host: {get('host_cpu')}, {get('host_cores')} cores, "
        f"{get('host_mem_gib')} GiB RAM. {qemu}, "
        f"accel {get('accel')}, {get('guest_cpus')} guest CPUs.",
        f"- Kernels: ours at commit `{get('ours_commit')}`, upstream "
        f"{get('base_version')}; booted alternately, {get('pairs')} pairs "
        "(pairs in the results: "
        f"{', '.join(map(str, sorted(res.pairs))) or 'none'}).",
        f"- {res.nr_records} result lines, {len(res.errors)} with errors.",
        f"- {plot_note}",
    ]
    if machine.get("accel") == "tcg":
        lines.append("- Accel is TCG (emulated CPU): absolute times are "
                     "inflated; the ours/upstream ratios are the figures "
                     "to compare.")
    notes = machine.get("notes") or []
    if isinstance(notes, str):
        notes = [notes]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return lines + [""]


def render_goals(goals):
    """Goals table, then every check behind each verdict."""
    lines = ["## Goals", ""]
    lines += md_table(("Goal", "Verdict", "Summary"),
                      [(g.title, g.verdict, g.summary) for g in goals])
    marks = {True: "met", False: "**NOT met**", None: "no data"}
    for goal in goals:
        if not goal.checks:
            continue
        lines += [f"**{goal.title}.** {goal.how}", ""]
        ordered = sorted(goal.checks, key=lambda c: {False: 0, None: 1,
                                                     True: 2}[c.ok])
        lines += [f"- {marks[c.ok]}: {c.text}" for c in ordered] + [""]
    return lines


def metric_row(res, key, metric):
    """One table row: both kernels' stats and the per-pair ratios."""
    ours = res.series(key, "ours", metric)
    upstream = res.series(key, "upstream", metric)
    ratios = pair_ratios(ours, upstream)
    labelled = len(ratios) < len(res.pairs)
    ratio_list = ", ".join((f"p{p}: " if labelled else "")
                           + ("n/a" if r is None else fmt(r))
                           for p, r in ratios)
    return [metric_label(metric), fmt_stats(summary(ours)),
            fmt_stats(summary(upstream)), ratio_list or "–",
            fmt(ratio_median(res, key, metric))]


def render_errors(res, scenario):
    """Bullet list of failed runs in one scenario."""
    errors = [e for e in res.errors if e["key"][0] == scenario]
    if not errors:
        return []
    errors.sort(key=lambda e: (res.case_order[e["key"][:2]], e["key"][2],
                               e["kernel"], e["pair"]))
    lines = ["Errors (kernel, pair, case):", ""]
    for err in errors:
        text = " ".join(err["error"].split())
        if len(text) > 300:
            text = text[:297] + "..."
        lines.append(f"- {err['kernel']}, pair {err['pair']}, "
                     f"'{err['key'][1]}' at {fmt_mem(err['key'][2])} GiB: "
                     f"`{text.replace('`', chr(39))}`")
    return lines + [""]


def render_scenario(res, scenario, plot):
    """Section of one scenario: description, plot, table, errors."""
    lines = [f"## {scenario}", "",
             SCENARIOS.get(scenario, "Scenario without a description.")
             + " Columns: median (min–max) over pairs; ratio ours/upstream "
             "per pair, in pair order.", ""]
    if plot:
        lines += [f"![{scenario}]({plot})", ""]
    rows = []
    for key in res.keys(scenario):
        for i, metric in enumerate(res.metrics(key)):
            first = [key[1], fmt_mem(key[2])] if i == 0 else ["", ""]
            rows.append(first + metric_row(res, key, metric))
        if not res.metrics(key):
            rows.append([key[1], fmt_mem(key[2]), "(no metrics)", "–", "–",
                         "–", "–"])
    lines += md_table(("case", "GiB", "metric", "ours", "upstream",
                       "ours/upstream per pair", "ratio median"), rows)
    return lines + render_errors(res, scenario)


def render_report(machine, res, plots, plot_note):
    """The whole markdown document."""
    goals = [goal_cpu(res), goal_scaling(res), goal_accuracy(res),
             goal_wss(res), goal_reclaim(res)]
    lines = render_header(machine, res, plot_note) + render_goals(goals)
    lines += ["↓ lower is better, ↑ higher is better, no arrow: neutral "
              "or unknown metric; – no value.", ""]
    for scenario in res.scenarios():
        lines += render_scenario(res, scenario, plots.get(scenario))
    if res.problems:
        lines += ["## Input problems", ""]
        lines += [f"- {p}" for p in res.problems] + [""]
    return "\n".join(lines)


# ----------------------------------------------------------------- plots

def load_pyplot():
    """(pyplot, None), or (None, reason) when no plots can be drawn."""
    if os.environ.get("BENCH_NO_PLOTS", "") not in ("", "0"):
        return None, "disabled by BENCH_NO_PLOTS"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        return None, f"matplotlib is not available ({exc})"
    return plt, None


def bar_label(key):
    """Tick label of a bar group: wrapped case name and memory size."""
    case = textwrap.fill(key[1], 16, break_long_words=False)
    return f"{case}\n{fmt_mem(key[2])} GiB"


def axis_label(metric):
    """Axis label: description and unit of a metric."""
    meta = METRICS.get(metric, UNKNOWN_METRIC)
    unit = f" [{meta.unit}]" if meta.unit else ""
    return f"{metric}{unit}" + (f"\n{meta.label}" if meta.label else "")


def draw_bars(ax, res, keys, metric):
    """Grouped bars of one metric, ours next to upstream, whiskers min-max.

    A missing value is marked 'n/a' where its bar would be.
    """
    width = 0.38
    for idx, kernel in enumerate(KERNELS):
        xs, meds, lows, highs = [], [], [], []
        for pos, key in enumerate(keys):
            stats = summary(res.series(key, kernel, metric))
            x = pos + (idx - 0.5) * width
            if stats is None:
                ax.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7,
                        rotation=90, color=COLORS[kernel])
                continue
            xs.append(x)
            meds.append(stats[0])
            lows.append(stats[0] - stats[1])
            highs.append(stats[2] - stats[0])
        ax.bar(xs, meds, width, yerr=[lows, highs], capsize=3,
               label=kernel, color=COLORS[kernel])
    ax.set_xlim(-0.6, len(keys) - 0.4)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([bar_label(k) for k in keys], fontsize=8)
    ax.set_ylabel(axis_label(metric))
    ax.grid(axis="y", alpha=0.3)


def bar_figure(plt, res, scenario, metrics, title):
    """Figure with one grouped-bar panel per metric that has data."""
    keys_of = {m: [k for k in res.keys(scenario) if res.has_data(k, m)]
               for m in metrics}
    present = [m for m in metrics if keys_of[m]]
    if not present:
        return None
    width = max(5.0, 1.2 * max(len(keys_of[m]) for m in present) + 1.5)
    fig, axes = plt.subplots(len(present), 1, squeeze=False,
                             figsize=(width, 1 + 3.5 * len(present)))
    for ax, metric in zip(axes[:, 0], present):
        draw_bars(ax, res, keys_of[metric], metric)
        if metric in ("precision", "recall"):
            ax.set_ylim(0, 1.05)
        if metric == "slowdown_pct":
            ax.axhline(0, color="black", linewidth=0.8)
    axes[0][0].legend(fontsize=8, ncol=2, frameon=False, loc="lower left",
                      bbox_to_anchor=(0, 1))
    fig.suptitle(title + " (median over pairs, whiskers min–max)")
    fig.tight_layout()
    return fig


def plot_overhead(plt, res):
    """overhead.png: kdamond CPU per overhead case."""
    return bar_figure(plt, res, "overhead", ("cpu_pct",),
                      "kdamond CPU per overhead case")


def plot_accuracy(plt, res):
    """accuracy.png: precision, recall and WSS error per accuracy case."""
    return bar_figure(plt, res, "accuracy",
                      ("precision", "recall", "wss_err_pct"),
                      "Accuracy per case")


def plot_slowdown(plt, res):
    """slowdown.png: workload slowdown per slowdown case."""
    return bar_figure(plt, res, "slowdown", ("slowdown_pct",),
                      "Workload slowdown with DAMON on")


def scale_points(res, case, kernel):
    """[(mem, median, min, max)] of ns_per_sample for one scale line."""
    points = []
    for key in res.keys("scale"):
        stats = summary(res.series(key, kernel, "ns_per_sample"))
        if key[1] == case and stats is not None:
            points.append((key[2],) + stats)
    return points


def plot_scale(plt, res):
    """scale.png: ns_per_sample against memory size, per kernel and case."""
    from matplotlib import ticker
    cases = dict.fromkeys(k[1] for k in res.keys("scale")
                          if res.has_data(k, "ns_per_sample"))
    if not cases:
        return None
    fig, ax = plt.subplots(figsize=(9, 5))
    colors = plt.get_cmap("tab10")
    mems, values = set(), []
    for ci, case in enumerate(cases):
        for kernel in KERNELS:
            pts = scale_points(res, case, kernel)
            if not pts:
                continue
            mem, med, lo, hi = zip(*pts)
            mems.update(mem)
            values += lo + hi
            ax.errorbar(mem, med, yerr=[[m - x for m, x in zip(med, lo)],
                                        [x - m for m, x in zip(med, hi)]],
                        color=colors(ci % 10), capsize=3,
                        linestyle="-" if kernel == "ours" else "--",
                        marker="o" if kernel == "ours" else "s",
                        label=f"{kernel}: {case}")
    ax.set_xscale("log", base=2)
    ax.minorticks_off()
    ax.set_xticks(sorted(mems))
    ax.set_xticklabels([fmt_mem(m) for m in sorted(mems)])
    ax.set_xlabel("guest memory [GiB]")
    ax.set_ylabel(axis_label("ns_per_sample"))
    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) > 30:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda value, _pos: fmt(value)))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    else:
        ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title("kdamond cost per sampling interval vs memory size "
                 "(median, whiskers min–max)")
    fig.tight_layout()
    return fig


PLOTTERS = {"overhead": plot_overhead, "scale": plot_scale,
            "accuracy": plot_accuracy, "slowdown": plot_slowdown}


def make_plots(plt, res, out_dir):
    """Draw every plot that has data; return ({scenario: file}, problems)."""
    made, problems = {}, []
    for scenario, plotter in PLOTTERS.items():
        try:
            fig = plotter(plt, res)
            if fig is None:
                continue
            name = f"{scenario}.png"
            fig.savefig(os.path.join(out_dir, name), dpi=110,
                        bbox_inches="tight")
            plt.close(fig)
        except Exception as exc:  # one broken plot must not cost the report
            problems.append(f"{scenario}.png not drawn: {exc!r}")
            continue
        made[scenario] = name
    return made, problems


# ------------------------------------------------------------------ main

def main(argv):
    """Entry point; returns the exit status."""
    if len(argv) != 3:
        print(f"usage: {argv[0]} RESULTS_DIR OUT_DIR", file=sys.stderr)
        return 2
    results_dir, out_dir = argv[1], argv[2]
    res = load_results(os.path.join(results_dir, "results.jsonl"))
    if res.nr_records == 0:
        for problem in res.problems:
            print(problem, file=sys.stderr)
        print("no results: no report written", file=sys.stderr)
        return 1
    machine = load_machine(os.path.join(results_dir, "machine.json"),
                           res.problems)
    os.makedirs(out_dir, exist_ok=True)
    copy_inputs(results_dir, out_dir)
    for name in PLOT_NAMES:     # never leave a previous run's plot behind
        stale = os.path.join(out_dir, f"{name}.png")
        if os.path.exists(stale):
            os.remove(stale)
    plt, reason = load_pyplot()
    plots = {}
    if plt is not None:
        plots, problems = make_plots(plt, res, out_dir)
        res.problems += problems
        plot_note = f"Plots: {len(plots)} PNG files, drawn with matplotlib."
    else:
        plot_note = f"No plots: {reason}."
    path = os.path.join(out_dir, "report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_report(machine, res, plots, plot_note))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
