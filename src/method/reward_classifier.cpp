#include "method/reward_classifier.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <fmt/format.h>
#include <vector>

#include "core/config.h"
#include "io/content_store.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "io/archive_file.h"
#include "sampler/sampler.h"
#include "core/device.h"
#include "core/stop_signal.h"

namespace gftlab {
namespace {

// Part of every stored classifier's id: bump it when the architecture or training changes.
constexpr const char* kClassifierNumerics = "logit-mlp-v2";  // v2: classes of `samples`, negatives in batches
constexpr int64_t kSampleBatch = 256;                        // pretrained-model samples integrated at once

torch::nn::Sequential make_net(int64_t in, int64_t width) {
  return torch::nn::Sequential(torch::nn::Linear(in, width), torch::nn::SiLU(), torch::nn::Linear(width, width),
                               torch::nn::SiLU(), torch::nn::Linear(width, 1));
}

at::Tensor flat(const at::Tensor& x) { return x.reshape({x.size(0), -1}); }

// As many pretrained-model samples as `like` has rows, in batches, each batch a chance to stop.
at::Tensor pretrained_samples(VelocityField& pretrained, const at::Tensor& like, int64_t steps, at::Generator& gen) {
  const StopPoint polled;
  const FixedStepSampler sampler(FixedMethod::kEuler, steps);
  std::vector<at::Tensor> batches;
  for (int64_t start = 0; start < like.size(0); start += kSampleBatch) {
    stop_if_asked("sampling the pretrained model for the reward classifier");
    const auto rows = like.narrow(0, start, std::min(kSampleBatch, like.size(0) - start));
    batches.push_back(sampler.solve(field_of(pretrained), randn_on(rows.sizes(), gen, rows.options()), 0.0, 1.0).x);
  }
  return at::cat(batches);
}

struct HeldOut {
  double accuracy, calibration_error;
};

HeldOut evaluate(torch::nn::Sequential& net, const at::Tensor& x, const at::Tensor& y) {
  at::NoGradGuard no_grad;
  const auto p = at::sigmoid(net->forward(x).squeeze(1));
  const double accuracy = ((p > 0.5).to(at::kFloat) == y).to(at::kDouble).mean().item<double>();
  const auto bins = (p * 10).floor().clamp(0, 9).to(at::kLong);
  double ece = 0.0;
  for (int64_t b = 0; b < 10; ++b) {
    const auto in = bins == b;
    const auto count = in.sum().item<int64_t>();
    if (count == 0) continue;
    const double gap = (p.masked_select(in).mean() - y.masked_select(in).mean()).abs().item<double>();
    ece += gap * static_cast<double>(count) / static_cast<double>(p.size(0));
  }
  return {accuracy, ece};
}

HeldOut train(torch::nn::Sequential& net, const at::Tensor& positives, const at::Tensor& negatives,
              const ClassifierSettings& s, at::Generator& gen) {
  // Each class: a held-out fifth, the rest for training; classes stay balanced in every batch.
  const int64_t n = positives.size(0), held = std::max<int64_t>(1, n / 5), fit = n - held;
  const auto x_fit = at::cat({positives.narrow(0, 0, fit), negatives.narrow(0, 0, fit)});
  const auto x_held = at::cat({positives.narrow(0, fit, held), negatives.narrow(0, fit, held)});
  const auto labels = [](int64_t k) { return at::cat({at::ones({k}), at::zeros({k})}); };
  const auto y_fit = labels(fit);
  for (auto& p : net->parameters()) {
    at::NoGradGuard no_grad;
    p.copy_(at::randn(p.sizes(), gen) * (p.dim() > 1 ? 1.0 / std::sqrt(double(p.size(1))) : 0.0));
  }
  torch::optim::Adam optimiser(net->parameters(), torch::optim::AdamOptions(s.lr));
  const StopPoint polled;
  for (int64_t step = 0; step < s.steps; ++step) {
    if (step % 100 == 0) stop_if_asked("training the reward classifier");
    const auto idx = at::randint(0, 2 * fit, {s.batch_size}, gen, at::kLong);
    optimiser.zero_grad();
    torch::nn::functional::binary_cross_entropy_with_logits(net->forward(x_fit.index_select(0, idx)).squeeze(1),
                                                            y_fit.index_select(0, idx))
        .backward();
    optimiser.step();
  }
  return evaluate(net, x_held, labels(held));
}

}  // namespace

ClassifierSettings ClassifierSettings::from_config(const Config& cfg) {
  ClassifierSettings s;
  s.width = cfg.get_int("method.classifier.width");
  s.steps = cfg.get_int("method.classifier.steps");
  s.samples = cfg.get_int("method.classifier.samples");
  s.lr = cfg.get_float("method.classifier.lr");
  return s;
}

ClassifierReward get_or_train_reward_classifier(const ClassifierSettings& s, VelocityField& pretrained,
                                                const at::Tensor& target_samples, uint64_t seed, const std::string& key,
                                                const std::string& store_dir) {
  ClassifierReward out;
  const auto classes = target_samples.narrow(0, 0, std::min(s.samples, target_samples.size(0)));
  out.samples_per_class = classes.size(0);
  out.id = sha256_hex(fmt::format("{} {} n={} width={} steps={} batch={} lr={} sampler_steps={}", kClassifierNumerics,
                                  key, classes.size(0), s.width, s.steps, s.batch_size, s.lr, s.sampler_steps))
               .substr(0, 16);
  const auto positives = flat(classes).to(at::kFloat);
  auto net = make_net(positives.size(1), s.width);
  out.reused = ContentStore(store_dir).get_or_make(
      "classifier-" + out.id,
      [&](const std::string& pt, const YAML::Node&) {
        torch::serialize::InputArchive archive;
        archive.load_from(pt);
        net->load(archive);
        c10::IValue accuracy, ece;
        archive.read("accuracy", accuracy);
        archive.read("calibration_error", ece);
        out.accuracy = accuracy.toDouble();
        out.calibration_error = ece.toDouble();
      },
      [&](const std::string& pt) {
        auto gen = make_generator(seed, "reward-classifier-" + out.id);
        const auto negatives = flat(pretrained_samples(pretrained, classes.to(at::kFloat), s.sampler_steps, gen));
        const auto held = train(net, positives, negatives, s, gen);
        out.accuracy = held.accuracy;
        out.calibration_error = held.calibration_error;
        torch::serialize::OutputArchive archive;
        net->save(archive);
        archive.write("accuracy", c10::IValue(out.accuracy));
        archive.write("calibration_error", c10::IValue(out.calibration_error));
        write_archive_atomically(archive, pt);
        YAML::Node record;
        record["held_out_accuracy"] = out.accuracy;
        record["calibration_error"] = out.calibration_error;
        record["key"] = key;
        record["samples_per_class"] = classes.size(0);
        record["width"] = s.width;
        record["steps"] = s.steps;
        record["lr"] = s.lr;
        record["numerics"] = kClassifierNumerics;
        return record;
      });
  net->eval();
  for (auto& p : net->parameters()) p.set_requires_grad(false);
  out.reward = [net](const at::Tensor& x) mutable {
    return net->forward(flat(x).to(at::kFloat)).squeeze(1).to(x.scalar_type());
  };
  return out;
}

}  // namespace gftlab
