#include "testing.h"

#include <cmath>
#include <random>

#include "core/config.h"
#include "metrics/stability.h"
#include "schedule/schedule.h"

using namespace gftlab;

TEST_CASE("stability measurements against hand-computed answers", "[stability]") {
  SECTION("trailing variance: population variance of each full window") {
    const auto v = trailing_variance({1, 3, 5, 5, 5}, 3);
    REQUIRE(v.size() == 3);
    CHECK(v[0] == Approx(8.0 / 3.0));  // {1, 3, 5}: mean 3, squared deviations 4 + 0 + 4
    CHECK(v[1] == Approx(8.0 / 9.0));  // {3, 5, 5}
    CHECK(v[2] == 0.0);
    CHECK(trailing_variance({1, 2}, 3).empty());
  }
  SECTION("Spearman: +-1 for monotone relations whatever their shape, average ranks for ties") {
    CHECK(spearman({1, 2, 3, 4}, {1, 10, 100, 1000}) == Approx(1.0));
    CHECK(spearman({1, 2, 3, 4}, {5, 4, 1, 0.5}) == Approx(-1.0));
    // ranks {0, 1, 2, 3} and {0.5, 0.5, 2, 3}: Pearson of the ranks.
    CHECK(spearman({1, 2, 3, 4}, {7, 7, 8, 9}) == Approx(0.9486833).epsilon(1e-6));
    CHECK(std::isnan(spearman({1, 2, 3}, {4, 4, 4})));
  }
  SECTION("gradient-norm spikes: transient excursions above median + k MAD of the preceding window") {
    const SpikeRule rule{4, 5.0, 3, 2.0};
    // Window {1, 2, 1, 2}: median 1.5, MAD 0.5, so the threshold for k = 5 is 4; the three values after 4.1 have
    // median 1.5 again. 3.9 stays below the threshold.
    CHECK(spike_indices({1, 2, 1, 2, 3.9, 1, 2, 1, 2, 4.1, 1, 2, 1}, rule) == std::vector<int64_t>{9});
    // An excursion of two steps counts once.
    CHECK(spike_indices({1, 2, 1, 2, 9, 9, 1, 2, 1, 2}, rule) == std::vector<int64_t>{4});
    // Before `first` (warm-up) nothing counts.
    CHECK(spike_indices({1, 2, 1, 2, 1, 2, 9, 1, 2, 1}, rule, 7).empty());
    CHECK(spike_indices({1, 2, 1, 2, 1, 2, 9, 1, 2, 1}, rule, 6) == std::vector<int64_t>{6});
  }
  SECTION("a level shift of 4 SD is no spike; isolated 10 SD excursions are, per 1000 steps") {
    std::mt19937_64 gen(7);
    // Unit-SD noise with bounded tails (uniform), so that no excursion comes from the noise itself: the level shifts
    // are the only thing that could be counted.
    std::uniform_real_distribution<double> noise(-std::sqrt(3.0), std::sqrt(3.0));
    std::vector<double> shifted(3000), spiky(3000);
    for (size_t k = 0; k < shifted.size(); ++k) {
      shifted[k] = 10.0 + noise(gen) + (k >= 1000 ? 4.0 : 0.0) + (k >= 2000 ? 4.0 : 0.0);
      spiky[k] = 10.0 + noise(gen) + (k % 500 == 250 ? 10.0 : 0.0);
    }
    const SpikeRule rule;  // the defaults of stability.*
    CHECK(spike_indices(shifted, rule, 100).empty());
    const auto found = spike_indices(spiky, rule, 100);
    CHECK(found.size() == 6);
    CHECK(spikes_per_1000(static_cast<int64_t>(found.size()), 3000, rule, 100) == Approx(6000.0 / 2890.0));
  }
  SECTION("the report: counts, fractions and correlations of a run's series") {
    StabilitySettings s;
    s.window = 2;
    s.eval_window = 2;
    s.grad_clip = 1.5;
    // The loss variance is of fm_loss, not of the method's own loss (here 9x larger, as GFT's at beta = 2).
    const auto r = measure_stability({10, 11, 12, 13}, {9.0, 18.0, NAN, 36.0}, {1.0, 2.0, 1.0, 4.0},
                                     {1.0, 2.0, 1.0, 50.0}, {0, 100, 200}, {3.0, 2.0, 1.0}, s);
    CHECK(r.loss_variance == std::vector<double>{0.25, 0.25, 2.25});
    CHECK(r.finals.at("loss_variance_last") == 2.25);
    CHECK(r.finals.at("nonfinite_events") == 1);
    CHECK(r.finals.at("clipped_fraction") == 0.5);
    CHECK(r.finals.at("quality_spearman") == Approx(-1.0));
    CHECK(r.spike_steps.empty());  // 50 at the last step: no steps after it to show that it was transient
    CHECK(r.quality_variance == std::vector<double>{0.25, 0.25});
    CHECK(r.finals.at("quality_variance_last") == 0.25);
    const auto without = measure_stability({10, 11}, {1.0, 2.0}, {}, {1.0, 1.0}, {0}, {1.0}, s);
    CHECK(without.loss_variance.empty());
    CHECK(std::isnan(without.finals.at("loss_variance_last")));
  }
}

TEST_CASE("cooling schedules: start at beta0, never increase, exactly 0 from anneal_steps", "[schedule]") {
  const int64_t steps = 1000;
  for (const auto& kind : schedule_kind_names()) {  // every kind of the table
    INFO(kind);
    std::vector<std::string> o = {"method.schedule.kind=" + kind, "method.schedule.beta0=4",
                                  "method.schedule.anneal_steps=700",
                                  "method.schedule.stages=[[4, 0.5], [1, 0.25], [0.25, 0.25]]"};
    const Schedule schedule = make_schedule(Config::load("", o), steps);
    CHECK(schedule.beta(0) == 4.0);
    for (int64_t s = 1; s < steps; ++s) REQUIRE(schedule.beta(s) <= schedule.beta(s - 1));
    for (int64_t s = 700; s < steps; ++s) REQUIRE(schedule.beta(s) == 0.0);
    CHECK(schedule.beta(699) > 0.0);
  }
  const auto at = [](std::vector<std::string> o, int64_t step) {
    return make_schedule(Config::load("", o), 1000).beta(step);
  };
  SECTION("shapes: midpoints and ends") {
    CHECK(at({"method.schedule.kind=linear", "method.schedule.beta0=2", "method.schedule.anneal_steps=100"}, 50) ==
          Approx(1.0));
    CHECK(at({"method.schedule.kind=cosine", "method.schedule.beta0=2", "method.schedule.anneal_steps=100"}, 50) ==
          Approx(1.0));
    CHECK(at({"method.schedule.kind=cosine", "method.schedule.beta0=2", "method.schedule.anneal_steps=100"}, 25) ==
          Approx(1.0 + std::cos(M_PI / 4)));
    // Geometric: beta0 * (beta_end / beta0)^(s / anneal) = 8 * (1/8)^(1/3) = 4 at a third of the way.
    CHECK(at({"method.schedule.kind=exponential", "method.schedule.beta0=8", "method.schedule.beta_end=1",
              "method.schedule.anneal_steps=300"},
             100) == Approx(4.0));
    CHECK(at({"method.schedule.kind=step", "method.schedule.stages=[[3, 0.5], [1, 0.5]]",
              "method.schedule.anneal_steps=100"},
             50) == 1.0);
    // Sigmoid: beta_end + (beta0 - beta_end) (L(1) - L(p)) / (L(1) - L(0)), L(x) = 1 / (1 + exp(-k (x - 1/2)));
    // the values from an independent double-precision evaluation of that formula (Python's math module).
    const auto sigmoid = [&](std::vector<std::string> o, int64_t step) {
      o.insert(o.end(), {"method.schedule.kind=sigmoid", "method.schedule.anneal_steps=100"});
      return at(o, step);
    };
    CHECK(sigmoid({"method.schedule.beta0=2"}, 25) == Approx(1.8597925669097837).epsilon(1e-12));
    CHECK(sigmoid({"method.schedule.beta0=4", "method.schedule.beta_end=1", "method.schedule.steepness=3"}, 25) ==
          Approx(3.346315018714558).epsilon(1e-12));
    CHECK(sigmoid({"method.schedule.beta0=4", "method.schedule.beta_end=1"}, 50) == Approx(2.5));  // symmetric
    // A flat logistic is the straight line; a steep one, a step at half the annealing.
    for (int64_t s : {10, 30, 60, 90})
      CHECK(
          sigmoid({"method.schedule.beta0=2", "method.schedule.steepness=1e-4"}, s) ==
          Approx(at({"method.schedule.kind=linear", "method.schedule.beta0=2", "method.schedule.anneal_steps=100"}, s))
              .epsilon(1e-6));
    CHECK(sigmoid({"method.schedule.beta0=2", "method.schedule.steepness=200"}, 40) == Approx(2.0).epsilon(1e-6));
    CHECK(sigmoid({"method.schedule.beta0=2", "method.schedule.steepness=200"}, 60) == Approx(0.0).margin(1e-6));
  }
  SECTION("defaults: annealing ends at 70% of the budget; `constant` never anneals") {
    CHECK(at({"method.schedule.kind=linear"}, 699) > 0.0);
    CHECK(at({"method.schedule.kind=linear"}, 700) == 0.0);
    CHECK(at({"method.schedule.kind=constant"}, 999) == 1.0);
    CHECK(at({"method.schedule.kind=exponential"}, 699) == Approx(1e-3).epsilon(0.02));
  }
  SECTION("inconsistent values are configuration errors naming the key") {
    CHECK_THROWS_WITH(at({"method.schedule.kind=exponential", "method.schedule.beta_end=0"}, 0),
                      Catch::Contains("method.schedule.beta_end") && Catch::Contains("geometric"));
    CHECK_THROWS_WITH(at({"method.schedule.kind=linear", "method.schedule.beta_end=5"}, 0),
                      Catch::Contains("must not exceed beta0"));
    CHECK_THROWS_WITH(at({"method.schedule.kind=sigmoid", "method.schedule.beta_end=5"}, 0),
                      Catch::Contains("must not exceed beta0"));
    CHECK_THROWS_WITH(at({"method.schedule.kind=step", "method.schedule.stages=[[3, 0.5], [1, 0.2]]"}, 0),
                      Catch::Contains("sum to 1"));
    CHECK_THROWS_WITH(at({"method.schedule.kind=step"}, 0), Catch::Contains("[beta, fraction]"));
  }
}
