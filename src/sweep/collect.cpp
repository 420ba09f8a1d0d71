#include "sweep/collect.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <vector>

#include "core/runtime.h"
#include "io/run_file_reader.h"
#include "io/run_layout.h"
#include "io/run_log.h"
#include "metrics/metric_names.h"
#include "sweep/local_runner.h"

namespace gftlab {
namespace {

namespace fs = std::filesystem;

const char* state_name(RunState s) {
  switch (s) {
    case RunState::kComplete: return "complete";
    case RunState::kDiverged: return "diverged";
    case RunState::kFailed: return "failed";
    case RunState::kPending: return "pending";
  }
  return "";
}

// Columns of the flat table, in row order of the plan.
struct Table {
  std::map<std::string, std::vector<std::string>> text;
  std::map<std::string, std::vector<double>> numbers;  // finals: NaN where a run has no such value
  std::vector<int64_t> seed;
};

template <class T>
void set_cell(std::vector<T>& column, size_t row, T value, T fill) {
  column.resize(row + 1, fill);
  column[row] = std::move(value);
}

std::string point_label(const PlannedRun& run) {
  std::string out;
  for (const auto& [key, value] : run.point) out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out;
}

void add_row(Table& t, size_t row, const RunStatusEntry& e, const std::string& role, const RunFileSummary* file) {
  const auto& run = *e.run;
  t.text["run_id"].push_back(run.run_id);
  t.text["arm"].push_back(run.arm);
  t.text["status"].push_back(state_name(e.state));
  t.text["error"].push_back(e.error);
  t.text["point"].push_back(point_label(run));
  t.text["run_file"].push_back(file ? "runs/" + run.run_id + ".h5" : "");
  t.text["role"].push_back(role);
  // The measure the analysis follows over training; what a run's method is, its arm's settings say (/arms).
  t.text["quality_metric"].push_back(run.config.get_string("stability.quality_metric"));
  t.seed.push_back(run.seed);
  for (const auto& [key, value] : run.point) set_cell(t.text["param/" + key], row, value, std::string());
  if (!file) return;
  for (const auto& [name, value] : file->finals)
    set_cell(t.numbers[run_layout::kFinal + name], row, value, std::nan(""));
}

// /arms: each arm's role in the claims and the settings its block declares ("key=value, ..."), for the labels.
void write_arms(RunLog& out, const SweepPlan& plan) {
  std::vector<std::string> names, roles, settings;
  for (const auto& arm : plan.arms) {
    names.push_back(arm.name);
    roles.push_back(plan.report.role_of(arm.name));
    std::string text;
    for (const auto& [key, value] : arm.settings) text += (text.empty() ? "" : ", ") + key + "=" + value;
    settings.push_back(text);
  }
  out.strings("arms/name", names);
  out.strings("arms/role", roles);
  out.strings("arms/settings", settings);
}

// The pre-declared analysis (sweep/report_block.h), for analysis/claims.py.
void write_report_declaration(RunLog& out, const ReportSettings& r) {
  out.attr("report_confirmatory", static_cast<int64_t>(r.confirmatory && r.can_decide()));
  out.attr("report_family", r.family_line());
  out.strings("report/treatments", r.treatments);
  std::vector<std::string> claims, primary;
  std::vector<double> margins;
  for (const auto& c : report_claims()) {
    claims.push_back(c.name);
    primary.push_back(r.primary.at(c.name));
    margins.push_back(r.margins.count(c.name) ? r.margins.at(c.name) : std::nan(""));
  }
  out.strings("report/claims", claims);
  out.strings("report/primary", primary);
  out.append("report/margins", margins);
}

}  // namespace

CollectCounts collect_sweep(const SweepPlan& plan) {
  CollectCounts counts;
  counts.path = (fs::path(plan.directory) / "summary.h5").string();
  const auto entries = sweep_status(plan);
  Table table;
  std::vector<std::string> linked;
  for (size_t row = 0; row < entries.size(); ++row) {
    const auto& e = entries[row];
    counts.complete += e.state == RunState::kComplete;
    counts.diverged += e.state == RunState::kDiverged;
    counts.failed += e.state == RunState::kFailed;
    counts.pending += e.state == RunState::kPending;
    const bool has_file = e.state == RunState::kComplete || e.state == RunState::kDiverged;
    const auto summary = has_file ? read_run_file(run_file_of(plan, *e.run)) : RunFileSummary{};
    add_row(table, row, e, plan.report.role_of(e.run->arm), has_file ? &summary : nullptr);
    if (has_file) linked.push_back(e.run->run_id);
  }
  const size_t rows = entries.size();
  RunLog out(counts.path);
  out.attr("experiment", plan.experiment);
  out.attr("description", plan.description);
  out.attr("profile", plan.profile);
  out.attr("collected_at", utc_now_iso8601());
  out.attr("report_baseline", plan.report.baseline);
  write_report_declaration(out, plan.report);
  write_arms(out, plan);
  if (!plan.report.baseline_point.empty()) {
    std::vector<std::string> keys, values;
    for (const auto& [key, value] : plan.report.baseline_point) keys.push_back(key), values.push_back(value);
    out.strings("report/baseline_point_keys", keys);
    out.strings("report/baseline_point_values", values);
  }
  out.attr("n_runs", static_cast<int64_t>(rows));
  for (const auto& [name, n] : {std::pair<const char*, int>{"n_complete", counts.complete},
                                {"n_diverged", counts.diverged},
                                {"n_failed", counts.failed},
                                {"n_pending", counts.pending}})
    out.attr(name, static_cast<int64_t>(n));
  for (auto& [name, column] : table.text) {
    column.resize(rows);
    out.strings("table/" + name, column);
  }
  for (auto& [name, column] : table.numbers) {
    column.resize(rows, std::nan(""));
    out.append("table/" + name, column);
  }
  out.append("table/seed", table.seed);
  std::vector<std::string> names, families, labels;
  std::vector<int64_t> better;
  for (const auto& m : metric_table()) {
    names.push_back(m.name);
    better.push_back(static_cast<int64_t>(m.better));
    families.push_back(m.family);
    labels.push_back(m.label);
  }
  out.strings("metrics/name", names);
  out.append("metrics/better", better);
  out.strings("metrics/family", families);
  out.strings("metrics/label", labels);
  for (const auto& id : linked) out.external_link("runs/" + id, "runs/" + id + ".h5");
  out.commit();
  return counts;
}

}  // namespace gftlab
