// MLP velocity field: [x, sinusoidal(t)] -> width x depth -> d.
#include <torch/nn/modules/linear.h>
#include <torch/nn/functional/activation.h>

#include <cmath>

#include "model/mlp.h"
#include "model/time_embedding.h"

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
    freqs_ = register_buffer("freqs", time_frequencies(embed_dim));
  }

  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override {
    at::Tensor h = at::cat({x, time_embedding(t, freqs_, x.scalar_type())}, 1);
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

FieldPtr make_mlp(int64_t dim, int64_t width, int64_t depth, int64_t time_embed_dim, const std::string& activation) {
  return std::make_shared<Mlp>(dim, width, depth, time_embed_dim, activation);
}

}  // namespace gftlab
