#include "features/feature_net.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>

#include "core/config.h"
#include "io/content_store.h"
#include "core/rng.h"
#include "core/stop_signal.h"
#include "core/sha256.h"
#include "data/idx_reader.h"
#include "io/archive_file.h"

namespace gftlab {
namespace {

// Part of every stored network's id: bump it when the architecture or training changes.
constexpr const char* kFeatureNumerics = "fmnist-cnn-v2";
constexpr int64_t kEvalBatch = 1000;

void train(FeatureNet& net, const FeatureNetSettings& s) {
  const auto data = load_fashion_mnist("train");
  const int64_t kept = std::min(s.train_images, data.images.size(0));
  const auto images = to_unit_range(data.images.narrow(0, 0, kept)), labels = data.labels.narrow(0, 0, kept);
  auto gen = make_generator(static_cast<uint64_t>(s.seed), "feature-net");
  net.initialise(gen);
  net.train();
  torch::optim::Adam optimiser(net.parameters(), torch::optim::AdamOptions(s.lr));
  const int64_t n = images.size(0), per_epoch = n / s.batch_size, total = s.epochs * per_epoch;
  auto& options = static_cast<torch::optim::AdamOptions&>(optimiser.param_groups()[0].options());
  const StopPoint polled;  // a stop request ends the training at the next step; nothing is stored before the end
  for (int64_t epoch = 0, step = 0; epoch < s.epochs; ++epoch) {
    const auto order = at::randperm(n, gen, at::kLong);
    for (int64_t start = 0; start + s.batch_size <= n; start += s.batch_size, ++step) {
      stop_if_asked("training the feature network");
      const auto idx = order.narrow(0, start, s.batch_size);
      options.lr(s.lr * 0.5 * (1.0 + std::cos(M_PI * double(step) / double(total))));  // cosine decay to 0
      optimiser.zero_grad();
      torch::nn::functional::cross_entropy(net.logits(images.index_select(0, idx)), labels.index_select(0, idx))
          .backward();
      optimiser.step();
    }
  }
  net.eval();
}

}  // namespace

FeatureNetSettings FeatureNetSettings::from_config(const Config& cfg) {
  FeatureNetSettings s;
  s.width = cfg.get_int("features.width");
  s.epochs = cfg.get_int("features.epochs");
  s.batch_size = cfg.get_int("features.batch_size");
  s.train_images = cfg.get_int("features.train_images");
  s.lr = cfg.get_float("features.lr");
  s.seed = cfg.get_int("features.seed");
  if (s.batch_size > s.train_images)
    throw cfg.error("features.batch_size", fmt::format("{} is more than features.train_images ({}): no step would "
                                                       "train the network",
                                                       s.batch_size, s.train_images));
  return s;
}

std::string FeatureNetSettings::id() const {
  return sha256_hex(fmt::format("{} width={} epochs={} batch_size={} train_images={} lr={} seed={}", kFeatureNumerics,
                                width, epochs, batch_size, train_images, lr, seed))
      .substr(0, 16);
}

FeatureNet::FeatureNet(int64_t width) {
  using torch::nn::Conv2dOptions;
  conv1_ = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(1, width, 3).padding(1)));
  conv2_ = register_module("conv2", torch::nn::Conv2d(Conv2dOptions(width, 2 * width, 3).padding(1)));
  fc_ = register_module("fc", torch::nn::Linear(2 * width * 7 * 7, 4 * width));
  out_ = register_module("out", torch::nn::Linear(4 * width, 10));
}

at::Tensor FeatureNet::features(const at::Tensor& images) {
  // relu(max_pool(x)) is max_pool(relu(x)) exactly, values and gradients, with the ReLU on a quarter of the
  // elements: a training step of this network on one thread is about a quarter faster.
  auto h = at::relu(at::max_pool2d(conv1_->forward(images), {2, 2}));
  h = at::relu(at::max_pool2d(conv2_->forward(h), {2, 2}));
  return at::relu(fc_->forward(h.flatten(1)));
}

at::Tensor FeatureNet::logits(const at::Tensor& images) { return out_->forward(features(images)); }

void FeatureNet::initialise(at::Generator& gen) {
  at::NoGradGuard no_grad;
  // PyTorch's default bounds, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from `gen`.
  for (auto* layer : std::initializer_list<torch::nn::Module*>{conv1_.get(), conv2_.get(), fc_.get(), out_.get()}) {
    auto weight = layer->named_parameters()["weight"];
    const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));
    for (auto& p : layer->parameters()) p.copy_(at::rand(p.sizes(), gen, at::kFloat) * (2 * bound) - bound);
  }
}

at::Tensor FeatureExtractor::operator()(const at::Tensor& samples, const char* whose) const {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> out;
  for (int64_t start = 0; start < samples.size(0); start += batch_size) {
    if (stop_requested()) throw_stopped(fmt::format("computing the features of {} in {}", whose, name), kContinuesRun);
    out.push_back(embed(samples.narrow(0, start, std::min(batch_size, samples.size(0) - start))));
  }
  return at::cat(out).to(at::kDouble);
}

double test_accuracy(FeatureNet& net) {
  at::NoGradGuard no_grad;
  const auto data = load_fashion_mnist("test");
  const auto images = to_unit_range(data.images);
  int64_t correct = 0;
  for (int64_t start = 0; start < images.size(0); start += kEvalBatch) {
    const int64_t n = std::min(kEvalBatch, images.size(0) - start);
    correct +=
        net.logits(images.narrow(0, start, n)).argmax(1).eq(data.labels.narrow(0, start, n)).sum().item<int64_t>();
  }
  return double(correct) / double(images.size(0));
}

FeatureExtractor get_or_train_feature_net(const FeatureNetSettings& s, const std::string& dir) {
  FeatureExtractor f;
  f.id = s.id();
  f.name = fmt::format("fmnist-cnn{}-{}", s.width, f.id.substr(0, 8));
  f.net = std::make_shared<FeatureNet>(s.width);
  f.embed = [net = f.net](const at::Tensor& images) { return net->features(images); };
  f.reused = ContentStore(dir).get_or_make(
      f.id,
      [&](const std::string& pt, const YAML::Node& record) {
        torch::load(f.net, pt);
        f.net->eval();
        f.test_accuracy = record["test_accuracy"].as<double>();
      },
      [&](const std::string& pt) {
        const auto started = std::chrono::steady_clock::now();
        train(*f.net, s);
        f.test_accuracy = test_accuracy(*f.net);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fmt::print("feature network {}: test accuracy {:.2f}% ({:.0f} s)\n", f.name, 100 * f.test_accuracy, seconds);
        torch::serialize::OutputArchive archive;
        f.net->save(archive);
        write_archive_atomically(archive, pt);
        YAML::Node record;
        record["name"] = f.name;
        record["test_accuracy"] = f.test_accuracy;
        record["seconds"] = seconds;
        record["width"] = s.width;
        record["epochs"] = s.epochs;
        record["batch_size"] = s.batch_size;
        record["train_images"] = s.train_images;
        record["lr"] = s.lr;
        record["seed"] = s.seed;
        record["numerics"] = kFeatureNumerics;
        return record;
      });
  return f;
}

}  // namespace gftlab
