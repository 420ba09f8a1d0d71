#include "testing.h"

#include <filesystem>

#include "core/config.h"
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

// Accuracy on the 10 000 test images, the store, and an FD that sees class shifts and grows with noise.
void check_feature_net(const FeatureNetSettings& settings, const std::string& store, double min_accuracy) {
  const auto f = get_or_train_feature_net(settings, store);
  SECTION("accuracy and the store") {
    INFO(f.name << ": " << f.test_accuracy);
    CHECK(f.test_accuracy >= min_accuracy);
    CHECK(test_accuracy(*f.net) == Approx(f.test_accuracy).margin(1e-12));
    const auto again = get_or_train_feature_net(settings, store);
    CHECK(again.reused);
    CHECK(again.id == f.id);
    CHECK(again.test_accuracy == Approx(f.test_accuracy).margin(1e-6));
    auto wider = settings;
    wider.width += 1;
    CHECK(settings.id() != wider.id());
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

}  // namespace

// The small network of the tests' runs (the fixture feature_store: the tests that compute FD start after it).
TEST_CASE("feature network (the tests' small one): its accuracy, stored once and reused, an FD that sees shifts",
          "[images][features][feature_store]") {
  const auto settings = FeatureNetSettings::from_config(Config::load("", gftlab::testing::test_feature_net_keys()));
  check_feature_net(settings, "test_features_store", gftlab::testing::kTestFeatureNetAccuracy);
}

// The full-size network that `make reproduce` trains (100 s on 2 cores): `make test-full`, not the default suite.
TEST_CASE("feature network (full size): at least 90% test accuracy, stored once and reused, an FD that sees shifts",
          "[images][features][full]") {
  set_threads(2);
  check_feature_net(FeatureNetSettings{}, gftlab::testing::scratch_path("features_full"), 0.90);
}

TEST_CASE("feature network: the same settings train the same weights", "[images][features]") {
  FeatureNetSettings small;
  small.width = 4;
  small.epochs = 1;
  small.batch_size = 100;
  small.train_images = 2000;
  const auto a = get_or_train_feature_net(small, gftlab::testing::scratch_path("features_a")),
             b = get_or_train_feature_net(small, gftlab::testing::scratch_path("features_b"));
  CHECK(!a.reused);
  CHECK(a.test_accuracy == b.test_accuracy);
  const auto pa = a.net->parameters(), pb = b.net->parameters();
  for (size_t k = 0; k < pa.size(); ++k) CHECK(at::equal(pa[k], pb[k]));
}

TEST_CASE("feature network: features.train_images is part of the id, and a batch larger than it is refused",
          "[features][config]") {
  const auto settings = FeatureNetSettings::from_config(Config::load("", {"features.train_images=5000"}));
  CHECK(settings.train_images == 5000);
  CHECK(settings.id() != FeatureNetSettings{}.id());
  CHECK_THROWS_WITH(FeatureNetSettings::from_config(Config::load("", {"features.train_images=100"})),
                    Catch::Contains("features.batch_size") && Catch::Contains("features.train_images (100)"));
}
