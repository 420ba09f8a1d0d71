// The experiment's `report:` block: the pre-declared analysis (docs/reports.md, "Claims"). Which arms carry the
// paper's claims, what they are compared with, each claim's primary measure and, for the claims the paper phrases
// as "maintained", a fixed non-inferiority margin. Everything here is decided before anything runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace gftlab {

struct ExperimentSource;
struct SweepPlan;

// A claim of the GFT paper: the primary measures it may declare (the first is the default) and, for a
// non-inferiority claim, the default margin on the measure's scale (a ratio for ratios, a difference otherwise).
struct ClaimSpec {
  std::string name;
  std::vector<std::string> measures;
  double default_margin;  // NaN: a superiority claim
};
const std::vector<ClaimSpec>& report_claims();

struct ReportSettings {
  std::string baseline;  // an arm, "" when none is declared (the report then makes no comparison)
  // Grid/zip keys whose value is fixed for the baseline (e.g. method.schedule.beta0: 0, where beta0 = 0 is
  // standard fine-tuning); the other keys of the baseline's point are those of the arm compared.
  std::vector<std::pair<std::string, std::string>> baseline_point;
  std::vector<std::string> treatments;         // the arms the claims are tested for
  std::map<std::string, std::string> primary;  // claim -> primary measure
  std::map<std::string, double> margins;       // non-inferiority claim -> margin
  bool confirmatory = true;                    // declared (report.confirmatory); ablations say false
  int64_t family_size = 0;                     // treatments x claims x grid points
  int64_t seeds = 0;                           // the fewest seeds a treatment arm runs at one point
  // Whether the family can reach a verdict at all: the smallest exact two-sided p, 2^(1 - seeds), times the
  // family size within alpha. A family that cannot is exploratory, whatever was declared.
  bool can_decide() const;
  std::string family_line() const;  // one line for `sweep plan` and the report
  // An arm's role in the claims: "baseline", "treatment", "baseline, treatment" (a baseline fixed at a grid
  // point, tested at the others) or "reference" (shown, never claimed).
  std::string role_of(const std::string& arm) const;
};

constexpr double kReportAlpha = 0.05;

// Reads `report:` against the planned runs: the baseline must be run at this profile, at the fixed point. Without
// `treatments`, the treatments are the `gft` arms with an annealing schedule (`constant` is KL-regularised
// fine-tuning, `gft_marginal` an oracle: references, shown and never claimed).
ReportSettings read_report_block(const YAML::Node& node, const SweepPlan& plan, const std::vector<std::string>& arms,
                                 const ExperimentSource& src);

}  // namespace gftlab
