// Prints JSON: U-Net training images/s at batch 64 (standard and GFT with beta > 0, which adds a forward of
// the frozen model), Euler sampling images/s, the Fréchet distance of 10 000 samples (features included),
// and exact OT on real Fashion-MNIST batches of 256. Trains the feature network into results/features
// if it is not there yet. `make bench` runs it; docs/benchmarks.md quotes the figures.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

#include "core/config.h"
#include "core/rng.h"
#include "core/runtime.h"
#include "coupling/coupling.h"
#include "data/image_dataset.h"
#include "features/feature_net.h"
#include "method/method.h"
#include "features/frechet.h"
#include "model/velocity_field.h"
#include "path/path.h"
#include "sampler/sampler.h"
#include "timing.h"
#include "train/trainer.h"
#include "run/config_schema.h"

using namespace gftlab;
using bench::seconds_of;

namespace {

double train_images_per_second(const Config& cfg, const FashionMnist& data, const FieldPtr& pretrained) {
  auto model = make_velocity_field(cfg, {1, 28, 28}, 0);
  const auto method = make_method(cfg, cfg.get_int("finetune.steps"), pretrained, data);
  LinearPath path(0.0);
  IndependentCoupling coupling;
  Trainer trainer(model, make_velocity_field(cfg, {1, 28, 28}, 0), *method, path, coupling,
                  {[&](int64_t n, at::Generator& g) { return data.sample(n, g); }, data.sample_shape()},
                  TrainSettings::from_config(cfg, "finetune"), make_generator(0));
  const int steps = 10;
  const double s = seconds_of(
      [&] {
        for (int k = 0; k < steps; ++k) trainer.step();
        trainer.flush();
      },
      1);
  return steps * 64 / s;
}

}  // namespace

int main(int argc, char** argv) {
  start_program();
  const int threads = set_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  const FashionMnist data({5, 6, 7, 8, 9});
  std::vector<std::string> fields;
  const std::vector<std::string> unet = {"model.kind=unet", "finetune.batch_size=64", "finetune.steps=1000000",
                                         "method.schedule.kind=constant", "method.schedule.beta0=1"};
  const auto cfg = Config::load("", unet);
  const auto pretrained = make_velocity_field(cfg, {1, 28, 28}, 1);
  fields.push_back(fmt::format("\"unet_parameters\": {}", parameter_count(*pretrained)));
  for (const char* method : {"standard", "gft"}) {
    auto o = unet;
    o.push_back(std::string("method.name=") + method);
    fields.push_back(fmt::format("\"unet_train_images_per_second_{}\": {:.0f}", method,
                                 train_images_per_second(Config::load("", o), data, pretrained)));
  }
  {
    auto gen = make_generator(2);
    const auto noise = at::randn({256, 1, 28, 28}, gen);
    const FixedStepSampler euler(FixedMethod::kEuler, 20);
    const double s = seconds_of([&] { euler.solve(field_of(*pretrained), noise, 0.0, 1.0); }, 1);
    fields.push_back(fmt::format("\"unet_euler20_images_per_second\": {:.1f}", 256 / s));
  }
  {
    const auto features = get_or_train_feature_net(FeatureNetSettings{}, "results/features");
    auto gen = make_generator(3);
    const auto a = data.sample(10000, gen), b = data.held_out(5000, gen);
    const auto ref = gaussian_stats(features(b));
    const double s = seconds_of([&] { frechet_distance(gaussian_stats(features(a)), ref); }, 2);
    fields.push_back(fmt::format("\"fd_10000_samples_seconds\": {:.3f}", s));
  }
  {
    auto gen = make_generator(4);
    const auto x1 = data.sample(256, gen);
    const auto x0 = at::randn(x1.sizes(), gen);
    OtCoupling ot(false);
    const double s = seconds_of([&] { ot.pair(x0, x1, gen); }, 20);
    fields.push_back(fmt::format("\"exact_ot_b256_images_ms\": {:.2f}", 1e3 * s));
  }
  fmt::print("{{\"benchmark\": \"images\", \"threads\": {}, {}}}\n", threads, fmt::join(fields, ", "));
}
