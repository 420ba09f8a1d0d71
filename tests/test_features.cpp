#include "testing.h"

#include <filesystem>

#include "core/rng.h"
#include "core/runtime.h"
#include "data/image_dataset.h"
#include "features/feature_net.h"
#include "features/frechet.h"

using namespace gftlab;

namespace {

double fd(const FeatureExtractor& f, const at::Tensor& a, const at::Tensor& b) {
  return frechet_distance(gaussian_stats(f(a)), gaussian_stats(f(b)));
}

}  // namespace

TEST_CASE("feature network: at least 90% test accuracy, stored once and reused, and an FD that sees shifts",
          "[images][features][feature_store]") {
  // Trained on first use, on 2 threads, as the one test then running (PROCESSORS 2 in CMakeLists.txt); the
  // tests that use this store (fixture feature_store) start after it.
  set_threads(2);
  const auto f = get_or_train_feature_net(FeatureNetSettings{}, "test_features_store");
  SECTION("accuracy and the store") {
    INFO(f.name << ": " << f.test_accuracy);
    CHECK(f.test_accuracy >= 0.90);
    CHECK(test_accuracy(*f.net) == Approx(f.test_accuracy).margin(1e-12));
    const auto again = get_or_train_feature_net(FeatureNetSettings{}, "test_features_store");
    CHECK(again.reused);
    CHECK(again.id == f.id);
    CHECK(again.test_accuracy == Approx(f.test_accuracy).margin(1e-6));
    CHECK(FeatureNetSettings{}.id() != FeatureNetSettings{16}.id());
  }
  SECTION("FD: train vs test of the same classes is small next to classes 0-4 vs 5-9, and grows with noise") {
    const FashionMnist first({0, 1, 2, 3, 4}), second({5, 6, 7, 8, 9});
    auto gen = make_generator(5);
    const auto train = second.sample(2000, gen), test = second.held_out(2000, gen), other = first.sample(2000, gen);
    const double same = fd(f, train, test), shifted = fd(f, other, test);
    INFO("same classes " << same << ", shifted classes " << shifted);
    CHECK(same * 20 < shifted);
    double previous = same;
    for (double noise : {0.05, 0.1, 0.2, 0.4, 0.8}) {
      const auto noisy = (test + noise * at::randn(test.sizes(), gen, at::kFloat)).clamp(-1, 1);
      const double value = fd(f, train, noisy);
      INFO("noise " << noise << ": FD " << value);
      CHECK(value > previous);
      previous = value;
    }
  }
}

TEST_CASE("feature network: the same settings train the same weights", "[images][features][slow]") {
  FeatureNetSettings small;
  small.width = 4;
  small.epochs = 1;
  small.batch_size = 1000;
  const auto a = get_or_train_feature_net(small, gftlab::testing::scratch_path("features_a")),
             b = get_or_train_feature_net(small, gftlab::testing::scratch_path("features_b"));
  CHECK(!a.reused);
  CHECK(a.test_accuracy == b.test_accuracy);
  const auto pa = a.net->parameters(), pb = b.net->parameters();
  for (size_t k = 0; k < pa.size(); ++k) CHECK(at::equal(pa[k], pb[k]));
}
