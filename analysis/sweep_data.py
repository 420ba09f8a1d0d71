"""Reading a collected sweep (summary.h5, schema in docs/sweeps.md) and the statistics over seeds."""
import fnmatch
import math
import pathlib
import warnings
from dataclasses import dataclass, field

import h5py
import numpy as np
from scipy import stats

from seed_stats import t_interval
import run_layout as layout


@dataclass
class Run:
    run_id: str
    arm: str
    seed: int
    status: str  # complete, diverged, failed or pending
    point: str   # "key=value, ..." of the grid/zip point ("" without a grid)
    role: str    # the arm's role in the claims: baseline, treatment or reference (/arms/role)
    quality_metric: str
    error: str
    params: dict = field(default_factory=dict)  # grid/zip key -> value text
    finals: dict = field(default_factory=dict)  # /final/* of the run file, finite or not
    group: object = None                        # the run file's root group (through summary.h5's link)

    def series(self, path):
        if self.group is None or path not in self.group:
            return None
        return self.group[path][:]


class Sweep:
    """Every planned run of one sweep, in plan order, with the groupings the figures use."""

    def __init__(self, directory, file=None):
        """`file`: an open summary.h5 (an in-memory one in the tests) instead of <directory>/summary.h5."""
        self.directory = pathlib.Path(directory)
        path = self.directory / "summary.h5"
        if file is None and not path.exists():
            raise SystemExit(f"{path} does not exist: run `gftlab sweep collect` first")
        self.file = file if file is not None else h5py.File(path, "r")
        self.attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in self.file.attrs.items()}
        t = self.file["table"]
        text = {k: t[k].asstr()[:] for k in t if isinstance(t[k], h5py.Dataset) and t[k].dtype.kind == "O"}
        params = {k: t["param"][k].asstr()[:] for k in t.get("param", {})}
        finals = {k: t["final"][k][:] for k in t.get("final", {})}
        seeds = t["seed"][:]
        self.runs = []
        for i in range(len(seeds)):
            run = Run(run_id=text["run_id"][i], arm=text["arm"][i], seed=int(seeds[i]), status=text["status"][i],
                      point=text["point"][i], role=text["role"][i], quality_metric=text["quality_metric"][i],
                      error=text["error"][i], params={k: v[i] for k, v in params.items()},
                      finals={k: float(v[i]) for k, v in finals.items() if not math.isnan(v[i])})
            if run.status in ("complete", "diverged"):
                run.group = self.file["runs"][run.run_id]
            self.runs.append(run)
        self.baseline = self.attrs.get("report_baseline", "")
        declared = self.file.get("report")
        text = lambda name: list(declared[name].asstr()[:]) if declared is not None and name in declared else []  # noqa: E731
        self.baseline_point = dict(zip(text("baseline_point_keys"), text("baseline_point_values")))
        # The pre-declared analysis (sweep/report_block.h): treatments, each claim's primary measure and margin.
        self.treatments = text("treatments")
        margins = declared["margins"][:] if declared is not None and "margins" in declared else []
        self.primary = dict(zip(text("claims"), text("primary")))
        if self.baseline and not self.primary:
            raise SystemExit(f"{path} has no declared analysis (/report/claims; collected by an older gftlab): run "
                             "`gftlab sweep collect`")
        self.margins = {claim: float(m) for claim, m in zip(text("claims"), margins) if math.isfinite(m)}
        self.confirmatory = bool(self.attrs.get("report_confirmatory", 0))
        self.family_line = self.attrs.get("report_family", "")
        self.arms = list(dict.fromkeys(r.arm for r in self.runs))
        if "arms" not in self.file:
            raise SystemExit(f"{path} has no /arms table (collected by an older gftlab): run `gftlab sweep collect`")
        a = self.file["arms"]
        self.arm_settings = dict(zip(a["name"].asstr()[:], a["settings"].asstr()[:]))
        self.points = list(dict.fromkeys(r.point for r in self.runs))
        self.final_names = sorted(finals)
        if "metrics" not in self.file:
            raise SystemExit(f"{path} has no /metrics table (collected by an older gftlab): run `gftlab sweep collect`")
        m = self.file["metrics"]
        self.metric_table = list(zip(m["name"].asstr()[:], (int(b) for b in m["better"][:]), m["family"].asstr()[:]))
        self.metric_labels = dict(zip(m["name"].asstr()[:], m["label"].asstr()[:]))

    def direction(self, metric):
        """-1 when lower is better, +1 when higher, 0 when neither (gftlab's metric table, via /metrics)."""
        return next((better for name, better, _ in self.metric_table if fnmatch.fnmatchcase(metric, name)), 0)

    def label(self, metric):
        """The metric's axis label with units (gftlab's metric table, via /metrics/label); a ladder row's '*'
        becomes the step count."""
        for name, text in self.metric_labels.items():
            if fnmatch.fnmatchcase(metric, name):
                return text.replace("*", metric[len(name) - 1:]) if name.endswith("*") else text
        return metric

    def family(self, name):
        """The metrics of one family (quality, diversity, paths, stability), in the table's order."""
        return [metric for metric, _, fam in self.metric_table if fam == name]

    @property
    def name(self):
        return f"{self.attrs['experiment']} ({self.attrs['profile']})"

    def select(self, arm=None, point=None, status=None):
        return [r for r in self.runs if (arm is None or r.arm == arm) and (point is None or r.point == point)
                and (status is None or r.status in status)]

    def complete(self, arm, point):
        return self.select(arm, point, ("complete",))

    def has_final(self, metric):
        return any(metric in r.finals for r in self.runs)

    def params_of(self, point):
        runs = self.select(point=point)
        return runs[0].params if runs else {}

    def describe_arm(self, arm):
        """The run-config keys the arm's block sets, as the experiment file declares them (/arms/settings)."""
        return self.arm_settings.get(arm, "") or "the base configuration"

    def numeric_param(self):
        """The grid/zip key that orders the points numerically (>= 3 values, one point per value), if any."""
        for key in (self.runs[0].params if self.runs else {}):
            try:
                values = {p: float(self.select(point=p)[0].params[key]) for p in self.points}
            except ValueError:
                continue
            if len(set(values.values())) == len(self.points) >= 3:
                return key, values
        return None


def mean_ci(values):
    """Mean, Student-t 95% interval of the mean, and n, over the finite values (stats.t_interval)."""
    return t_interval(values)


def seed_band(curves):
    """Mean and 95% t-interval over seeds of curves padded with NaN (a diverged seed stops early)."""
    m = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for i, c in enumerate(curves):
        m[i, :len(c)] = c
    m[~np.isfinite(m)] = np.nan
    n = np.sum(np.isfinite(m), axis=0)
    with warnings.catch_warnings():  # steps that no seed reached are NaN, as they should be
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(m, axis=0)
        sd = np.nanstd(m, axis=0, ddof=1)
    half = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1)), 0.0)
    return mean, mean - half, mean + half


def training_cost(run, series=layout.TRAIN + "nfe"):
    """(steps, cumulative count) of a run's per-step cost series: the count spent before each step, then the
    total after the last. Logged steps may be sparse: each value counts until the next logged step."""
    steps, per_step = run.series(layout.TRAIN_STEP), run.series(series)
    if steps is None or per_step is None or len(steps) == 0:
        return None
    steps = np.asarray(steps[:len(per_step)], float)
    gaps = np.diff(np.append(steps, steps[-1] + 1))
    return np.append(steps, steps[-1] + 1), np.concatenate([[0.0], np.cumsum(np.asarray(per_step, float) * gaps)])
