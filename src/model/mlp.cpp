// MLP velocity field: [x, sinusoidal(t)] -> width x depth -> d.
#include <torch/nn/modules/linear.h>
#include <torch/nn/functional/activation.h>

#include <cmath>

#include "core/names.h"
#include "model/config_keys.h"
#include "model/mlp.h"
#include "model/time_embedding.h"

namespace gftlab {
namespace {

using Activation = at::Tensor (*)(const at::Tensor& h);

struct ActivationKind {
  std::string name;
  Activation apply;
};

// model.activation, one row each.
const std::vector<ActivationKind>& activation_kinds() {
  static const std::vector<ActivationKind> kinds = {
      {"silu", [](const at::Tensor& h) { return at::silu(h); }},
      {"relu", [](const at::Tensor& h) { return at::relu(h); }},
      {"gelu", [](const at::Tensor& h) { return at::gelu(h); }},
      {"tanh", [](const at::Tensor& h) { return at::tanh(h); }},
      {"softplus", [](const at::Tensor& h) { return at::softplus(h); }},
  };
  return kinds;
}

class Mlp : public VelocityField {
 public:
  Mlp(int64_t dim, int64_t width, int64_t depth, int64_t embed_dim, const std::string& activation)
      : dim_(dim), embed_dim_(embed_dim), activation_(kind_named(activation_kinds(), activation).apply) {
    int64_t in = dim + embed_dim;
    for (int64_t k = 0; k <= depth; ++k) {
      const int64_t out = k == depth ? dim : width;
      layers_.push_back(register_module("fc" + std::to_string(k), torch::nn::Linear(in, out)));
      in = out;
    }
    freqs_ = register_buffer("freqs", time_frequencies(embed_dim));
  }

  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override {
    return after_first_layer(layers_[0]->forward(at::cat({x, time_embedding(t, freqs_, x.scalar_type())}, 1)));
  }

  // One time for the batch: the embedding's share of the first layer is a bias, computed once, so neither
  // the sines nor that part of the product are repeated per sample.
  at::Tensor forward_at(double t, const at::Tensor& x) override {
    const auto& first = layers_[0];
    const auto embedding = time_embedding(at::full({1}, t, x.options()), freqs_, x.scalar_type());
    const auto bias = at::addmm(first->bias, embedding, first->weight.narrow(1, dim_, embed_dim_).t());
    return after_first_layer(at::addmm(bias, x, first->weight.narrow(1, 0, dim_).t()));
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
  at::Tensor after_first_layer(at::Tensor h) {
    for (size_t k = 1; k < layers_.size(); ++k) h = layers_[k]->forward(activation_(h));
    return h;
  }

  int64_t dim_, embed_dim_;
  Activation activation_;
  std::vector<torch::nn::Linear> layers_;
  at::Tensor freqs_;
};

}  // namespace

std::vector<std::string> activation_names() { return kind_names(activation_kinds()); }

FieldPtr make_mlp(int64_t dim, int64_t width, int64_t depth, int64_t time_embed_dim, const std::string& activation) {
  return std::make_shared<Mlp>(dim, width, depth, time_embed_dim, activation);
}

}  // namespace gftlab
