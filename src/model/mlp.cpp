// MLP velocity field: [x, sinusoidal(t)] -> width x depth -> d.
#include <torch/nn/modules/linear.h>
#include <torch/nn/functional/activation.h>

#include <cmath>
#include <numeric>

#include "core/config.h"
#include "core/rng.h"
#include "model/velocity_field.h"

namespace gftlab {
namespace {

at::Tensor activate(const std::string& kind, const at::Tensor& h) {
  if (kind == "silu") return at::silu(h);
  if (kind == "relu") return at::relu(h);
  if (kind == "gelu") return at::gelu(h);
  if (kind == "tanh") return at::tanh(h);
  return at::softplus(h);
}

class Mlp : public VelocityField {
 public:
  Mlp(int64_t dim, int64_t width, int64_t depth, int64_t embed_dim, std::string activation)
      : dim_(dim), embed_dim_(embed_dim), activation_(std::move(activation)) {
    int64_t in = dim + embed_dim;
    for (int64_t k = 0; k <= depth; ++k) {
      const int64_t out = k == depth ? dim : width;
      layers_.push_back(register_module("fc" + std::to_string(k), torch::nn::Linear(in, out)));
      in = out;
    }
    // Log-spaced frequencies from 1 to 1000, as in transformer position encodings.
    const int64_t half = embed_dim / 2;
    freqs_ = register_buffer("freqs", at::exp(at::arange(half, at::kFloat) * (-std::log(1000.0) / std::max<int64_t>(half - 1, 1))) * 1000.0);
  }

  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override {
    const auto args = t.reshape({-1, 1}).to(x.scalar_type()) * freqs_.unsqueeze(0);
    at::Tensor h = at::cat({x, args.sin(), args.cos()}, 1);
    for (size_t k = 0; k < layers_.size(); ++k) {
      h = layers_[k]->forward(h);
      if (k + 1 < layers_.size()) h = activate(activation_, h);
    }
    return h;
  }

  void initialise(at::Generator& gen) override {
    at::NoGradGuard no_grad;
    // PyTorch's default Linear initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    for (auto& layer : layers_) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(layer->weight.size(1)));
      layer->weight.copy_(at::rand(layer->weight.sizes(), gen, at::kFloat) * (2 * bound) - bound);
      layer->bias.copy_(at::rand(layer->bias.sizes(), gen, at::kFloat) * (2 * bound) - bound);
    }
  }

 private:
  int64_t dim_, embed_dim_;
  std::string activation_;
  std::vector<torch::nn::Linear> layers_;
  at::Tensor freqs_;
};

}  // namespace

FieldPtr make_velocity_field(const Config& cfg, const std::vector<int64_t>& sample_shape, uint64_t seed) {
  if (sample_shape.size() != 1)
    throw cfg.error("model.kind", "the mlp takes flat vectors; this data is not one-dimensional per sample");
  const int64_t embed = cfg.get_int("model.time_embed_dim");
  if (embed % 2 != 0) throw cfg.error("model.time_embed_dim", "must be even (sin and cos halves)");
  auto field = std::make_shared<Mlp>(sample_shape[0], cfg.get_int("model.width"), cfg.get_int("model.depth"),
                                     embed, cfg.get_string("model.activation"));
  auto gen = make_generator(seed, "model-init");
  field->initialise(gen);
  return field;
}

}  // namespace gftlab
