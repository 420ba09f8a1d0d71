#include "schedule/config_keys.h"

#include "core/schema_builders.h"
#include "schedule/schedule.h"

namespace gftlab {

void add_schedule_keys(std::vector<KeySpec>& keys) {
  using namespace schema;
  keys.push_back(choice("method.schedule.kind", "cosine", schedule_kind_names(), "`gft*`: cooling schedule of beta"));
  keys.push_back(number("method.schedule.beta0", 1.0, "`gft*`: initial temperature beta", kNonNegative));
  keys.push_back(number("method.schedule.beta_end", -1.0,
                        "`gft*`: beta reached at anneal_steps (-1: 0, or beta0/1000 for `exponential`)", {-1.0, kInf}));
  keys.push_back(integer("method.schedule.anneal_steps", -1,
                         "`gft*`: beta = 0 from this step on (-1: 70% of finetune.steps; never for `constant`)",
                         {-1.0, kInf}));
  keys.push_back(number("method.schedule.steepness", 10.0,
                        "`sigmoid`: k of the logistic curve 1 / (1 + exp(-k (p - 1/2))) over the annealing's progress "
                        "p, rescaled to run from beta0 to beta_end (small: nearly linear; large: a step at p = 1/2)",
                        kPositive));
  keys.push_back(array("method.schedule.stages",
                       "`step`: [[beta, fraction], ...], fractions of anneal_steps summing to 1 (beta0 unused)"));
}

}  // namespace gftlab
