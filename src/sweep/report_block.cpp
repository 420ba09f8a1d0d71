#include "sweep/report_block.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>
#include <set>

#include "sweep/experiment_source.h"
#include "sweep/sweep_plan.h"

namespace gftlab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<std::string> kReportKeys = {"baseline", "baseline_point", "treatments",
                                              "primary",  "margins",        "confirmatory"};

bool at_point(const PlannedRun& run, const std::vector<std::pair<std::string, std::string>>& fixed) {
  return std::all_of(fixed.begin(), fixed.end(), [&](const auto& kv) {
    return std::find(run.point.begin(), run.point.end(), kv) != run.point.end();
  });
}

const ClaimSpec& claim_spec(const YAML::Node& key, const std::string& where, const ExperimentSource& src) {
  std::vector<std::string> names;
  for (const auto& c : report_claims()) names.push_back(c.name);
  check_key(key, where, names, src);
  return *std::find_if(report_claims().begin(), report_claims().end(),
                       [&](const auto& c) { return c.name == key.Scalar(); });
}

void read_baseline_point(const YAML::Node& point, const SweepPlan& plan, const ExperimentSource& src,
                         ReportSettings& out) {
  std::map<std::string, std::set<std::string>> axis_values;
  for (const auto& run : plan.runs)
    for (const auto& [key, value] : run.point) axis_values[key].insert(value);
  if (!point.IsMap() || point.size() == 0)
    throw src.error(point, "report.baseline_point", "needs a mapping of grid/zip keys to one of their values");
  for (const auto& item : point) {
    const auto key = item.first.Scalar(), where = "report.baseline_point." + key;
    if (!axis_values.count(key))
      throw src.error(
          item.first, where,
          fmt::format("is not a grid or zip key of this sweep{}", axis_values.empty() ? " (it has none)" : ""));
    if (!item.second.IsScalar() || !axis_values[key].count(yaml_text(item.second)))
      throw src.error(item.second, where,
                      fmt::format("'{}' is not among the values run at profile {}: {}", yaml_text(item.second),
                                  plan.profile, fmt::join(axis_values[key], ", ")));
    out.baseline_point.emplace_back(key, yaml_text(item.second));
  }
}

std::vector<std::string> default_treatments(const SweepPlan& plan, const ReportSettings& r) {
  std::vector<std::string> out;
  for (const auto& run : plan.runs) {
    const bool annealed =
        run.config.get_string("method.name") == "gft" && run.config.get_string("method.schedule.kind") != "constant";
    const bool other = run.arm != r.baseline || !r.baseline_point.empty();
    if (annealed && other && std::find(out.begin(), out.end(), run.arm) == out.end()) out.push_back(run.arm);
  }
  return out;
}

void read_treatments(const YAML::Node& node, const std::vector<std::string>& arms, const ExperimentSource& src,
                     ReportSettings& out) {
  if (!node.IsSequence()) throw src.error(node, "report.treatments", "needs a list of arm names");
  for (const auto& item : node) {
    check_arm(item, "report.treatments", arms, src);
    if (item.Scalar() == out.baseline && out.baseline_point.empty())
      throw src.error(item, "report.treatments", fmt::format("'{}' is the baseline", item.Scalar()));
    out.treatments.push_back(item.Scalar());
  }
}

void set_defaults(ReportSettings& out) {
  for (const auto& c : report_claims()) {
    out.primary[c.name] = c.measures.front();
    if (std::isfinite(c.default_margin)) out.margins[c.name] = c.default_margin;
  }
}

void read_primary_and_margins(const YAML::Node& node, const ExperimentSource& src, ReportSettings& out) {
  if (const auto primary = node["primary"]) {
    if (!primary.IsMap()) throw src.error(primary, "report.primary", "needs a mapping of claims to measures");
    for (const auto& item : primary) {
      const auto& spec = claim_spec(item.first, "report.primary", src);
      const auto where = "report.primary." + spec.name;
      if (!item.second.IsScalar()) throw src.error(item.second, where, "needs a measure name");
      check_key(item.second, where, spec.measures, src);
      out.primary[spec.name] = item.second.Scalar();
    }
  }
  if (const auto margins = node["margins"]) {
    if (!margins.IsMap()) throw src.error(margins, "report.margins", "needs a mapping of claims to margins");
    for (const auto& item : margins) {
      const auto& spec = claim_spec(item.first, "report.margins", src);
      const auto where = "report.margins." + spec.name;
      if (!std::isfinite(spec.default_margin))
        throw src.error(item.first, where, "is a superiority claim: it has no margin");
      const bool ratio = spec.default_margin > 0;
      double m = kNaN;
      try {
        m = item.second.as<double>();
      } catch (const YAML::Exception&) {
      }
      if (ratio ? !(m > 1) : !(m < 0 && m > -1))
        throw src.error(item.second, where,
                        ratio ? "needs a ratio above 1 (the worst ratio still called comparable)"
                              : "needs a difference in (-1, 0) (the largest loss still called comparable)");
      out.margins[spec.name] = m;
    }
  }
}

void count_family(const SweepPlan& plan, ReportSettings& out) {
  std::map<std::pair<std::string, std::string>, int64_t> seeds;  // (arm, point) -> runs
  for (const auto& run : plan.runs)
    if (std::find(out.treatments.begin(), out.treatments.end(), run.arm) != out.treatments.end() &&
        (out.baseline_point.empty() || !at_point(run, out.baseline_point))) {
      std::string point;
      for (const auto& [key, value] : run.point) point += key + "=" + value + ";";
      ++seeds[{run.arm, point}];
    }
  out.family_size = static_cast<int64_t>(seeds.size() * report_claims().size());
  out.seeds = 0;
  for (const auto& [cell, n] : seeds) out.seeds = out.seeds == 0 ? n : std::min(out.seeds, n);
}

}  // namespace

const std::vector<ClaimSpec>& report_claims() {
  static const std::vector<ClaimSpec> claims = {
      {"stability", {"function_noise", "grad_spikes_per_1000"}, kNaN},
      {"paths", {"path_length", "straightness", "adaptive_nfe", "few_step_quality"}, kNaN},
      {"quality", {"quality"}, 1.05},
      {"diversity", {"coverage", "recall"}, -0.05},
      {"speed", {"steps_to_quality"}, 1.25},
  };
  return claims;
}

bool ReportSettings::can_decide() const {
  return seeds > 0 &&
         std::pow(2.0, 1.0 - static_cast<double>(seeds)) * static_cast<double>(family_size) <= kReportAlpha;
}

std::string ReportSettings::family_line() const {
  if (baseline.empty()) return "report: no baseline declared, so no claim is tested";
  if (treatments.empty())
    return fmt::format("report: no treatment arm against the baseline {}, so no claim is tested", baseline);
  const double smallest = std::pow(2.0, 1.0 - static_cast<double>(seeds));
  const char* label = !confirmatory  ? "exploratory (declared: report.confirmatory: false)"
                      : can_decide() ? "confirmatory"
                                     : "exploratory (it cannot reach a verdict at this seed count)";
  return fmt::format(
      "report: family of {} tests ({} x {} claims x grid points) at {} seeds against {}: smallest exact "
      "p {:.3g} x {} = {:.3g} {} alpha = {}: {}",
      family_size, fmt::join(treatments, ", "), report_claims().size(), seeds, baseline, smallest, family_size,
      smallest * family_size, can_decide() ? "<=" : ">", kReportAlpha, label);
}

ReportSettings read_report_block(const YAML::Node& node, const SweepPlan& plan, const std::vector<std::string>& arms,
                                 const ExperimentSource& src) {
  ReportSettings out;
  set_defaults(out);
  if (!node) return out;
  if (!node.IsMap())
    throw src.error(node, "report", "needs a mapping (" + fmt::format("{}", fmt::join(kReportKeys, ", ")) + ")");
  for (const auto& item : node) check_key(item.first, "report", kReportKeys, src);
  read_primary_and_margins(node, src, out);
  if (const auto c = node["confirmatory"]) {
    if (!c.IsScalar() || (c.Scalar() != "true" && c.Scalar() != "false"))
      throw src.error(c, "report.confirmatory", "needs true or false");
    out.confirmatory = c.Scalar() == "true";
  }
  const auto baseline = node["baseline"];
  if (!baseline) {
    for (const char* key : {"baseline_point", "treatments"})
      if (node[key]) throw src.error(node[key], std::string("report.") + key, "needs report.baseline (an arm)");
    return out;
  }
  if (!baseline.IsScalar()) throw src.error(baseline, "report.baseline", "needs an arm name");
  check_arm(baseline, "report.baseline", arms, src);
  out.baseline = baseline.Scalar();
  if (const auto point = node["baseline_point"]) read_baseline_point(point, plan, src, out);
  const bool run = std::any_of(plan.runs.begin(), plan.runs.end(), [&](const PlannedRun& r) {
    return r.arm == out.baseline && at_point(r, out.baseline_point);
  });
  if (!run)
    throw src.error(baseline, "report.baseline",
                    fmt::format("arm '{}' is not run at profile {}{}: the report needs "
                                "its baseline (see profiles.{}.skip_arms)",
                                out.baseline, plan.profile,
                                out.baseline_point.empty() ? "" : " at report.baseline_point", plan.profile));
  if (const auto t = node["treatments"])
    read_treatments(t, arms, src, out);
  else
    out.treatments = default_treatments(plan, out);
  count_family(plan, out);
  return out;
}

std::string ReportSettings::role_of(const std::string& arm) const {
  const bool is_baseline = arm == baseline;
  const bool is_treatment = std::find(treatments.begin(), treatments.end(), arm) != treatments.end();
  if (is_baseline && is_treatment) return "baseline, treatment";
  if (is_baseline) return "baseline";
  return is_treatment ? "treatment" : "reference";
}

}  // namespace gftlab
