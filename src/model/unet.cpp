#include "model/unet.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>

#include "model/time_embedding.h"

namespace gftlab {
namespace {

using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;
using torch::nn::GroupNorm;
using torch::nn::GroupNormOptions;
using torch::nn::Linear;

class ResBlockImpl : public torch::nn::Module {
 public:
  ResBlockImpl(int64_t in, int64_t out, int64_t temb, int64_t groups)
      : norm1(register_module("norm1", GroupNorm(GroupNormOptions(groups, in)))),
        conv1(register_module("conv1", Conv2d(Conv2dOptions(in, out, 3).padding(1)))),
        time(register_module("time", Linear(temb, out))),
        norm2(register_module("norm2", GroupNorm(GroupNormOptions(groups, out)))),
        conv2(register_module("conv2", Conv2d(Conv2dOptions(out, out, 3).padding(1)))) {
    if (in != out) skip = register_module("skip", Conv2d(Conv2dOptions(in, out, 1)));
  }

  at::Tensor forward(const at::Tensor& x, const at::Tensor& temb) {
    auto h = conv1->forward(at::silu(norm1->forward(x)));
    h = h + time->forward(temb).unsqueeze(-1).unsqueeze(-1);
    h = conv2->forward(at::silu(norm2->forward(h)));
    return h + (skip ? skip->forward(x) : x);
  }

  GroupNorm norm1;
  Conv2d conv1;
  Linear time;
  GroupNorm norm2;
  Conv2d conv2;
  Conv2d skip{nullptr};
};
TORCH_MODULE(ResBlock);

class UNet : public VelocityField {
 public:
  explicit UNet(const UNetSettings& s) : settings_(s) {
    const int64_t temb = 4 * s.channels;
    freqs_ = register_buffer("freqs", time_frequencies(s.time_embed_dim));
    time1_ = register_module("time1", Linear(s.time_embed_dim, temb));
    time2_ = register_module("time2", Linear(temb, temb));
    conv_in_ = register_module("conv_in", Conv2d(Conv2dOptions(s.image_channels, s.channels, 3).padding(1)));
    std::vector<int64_t> skips = {s.channels};
    int64_t width = s.channels;
    for (size_t level = 0; level < s.mults.size(); ++level) {
      for (int64_t b = 0; b < s.blocks; ++b) {
        down_->push_back(ResBlock(width, s.channels * s.mults[level], temb, s.groups));
        width = s.channels * s.mults[level];
        skips.push_back(width);
      }
      if (level + 1 < s.mults.size()) {
        downsample_->push_back(Conv2d(Conv2dOptions(width, width, 3).stride(2).padding(1)));
        skips.push_back(width);
      }
    }
    mid_->push_back(ResBlock(width, width, temb, s.groups));
    mid_->push_back(ResBlock(width, width, temb, s.groups));
    for (size_t level = s.mults.size(); level-- > 0;) {
      for (int64_t b = 0; b <= s.blocks; ++b) {
        up_->push_back(ResBlock(width + skips.back(), s.channels * s.mults[level], temb, s.groups));
        skips.pop_back();
        width = s.channels * s.mults[level];
      }
      if (level > 0) upsample_->push_back(Conv2d(Conv2dOptions(width, width, 3).padding(1)));
    }
    register_module("down", down_);
    register_module("downsample", downsample_);
    register_module("mid", mid_);
    register_module("up", up_);
    register_module("upsample", upsample_);
    norm_out_ = register_module("norm_out", GroupNorm(GroupNormOptions(s.groups, width)));
    conv_out_ = register_module("conv_out", Conv2d(Conv2dOptions(width, s.image_channels, 3).padding(1)));
  }

  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override { return with_time(embed(t, x), x); }

  // One time for the batch: the time MLPs run on one row, which every block broadcasts over the batch.
  at::Tensor forward_at(double t, const at::Tensor& x) override {
    return with_time(embed(at::full({1}, t, x.options()), x), x);
  }

  // PyTorch's default bounds U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for convolutions and linear layers, unit
  // group norms, and a zero output layer so that training starts from v = 0.
  void initialise(at::Generator& gen) override {
    at::NoGradGuard no_grad;
    for (auto& item : named_parameters()) {
      auto& p = item.value();
      const auto& name = item.key();
      if (name.find("norm") != std::string::npos) {
        p.fill_(name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0 : 0.0);
      } else if (name.rfind("conv_out.", 0) == 0) {
        p.zero_();
      } else {
        const auto& weight = name.compare(name.size() - 4, 4, "bias") == 0
                                 ? named_parameters()[name.substr(0, name.size() - 4) + "weight"]
                                 : p;
        const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));
        p.copy_(at::rand(p.sizes(), gen, at::kFloat) * (2 * bound) - bound);
      }
    }
  }

 private:
  at::Tensor embed(const at::Tensor& t, const at::Tensor& x) {
    return time2_->forward(at::silu(time1_->forward(time_embedding(t, freqs_, x.scalar_type()))));
  }

  at::Tensor with_time(const at::Tensor& temb, const at::Tensor& x) {
    std::vector<at::Tensor> skips = {conv_in_->forward(x)};
    at::Tensor h = skips.back();
    size_t block = 0, down = 0;
    for (size_t level = 0; level < settings_.mults.size(); ++level) {
      for (int64_t b = 0; b < settings_.blocks; ++b)
        skips.push_back(h = down_[block++]->as<ResBlockImpl>()->forward(h, temb));
      if (level + 1 < settings_.mults.size())
        skips.push_back(h = downsample_[down++]->as<torch::nn::Conv2dImpl>()->forward(h));
    }
    for (const auto& m : *mid_) h = m->as<ResBlockImpl>()->forward(h, temb);
    block = 0;
    size_t up = 0;
    for (size_t level = settings_.mults.size(); level-- > 0;) {
      for (int64_t b = 0; b <= settings_.blocks; ++b) {
        h = up_[block++]->as<ResBlockImpl>()->forward(at::cat({h, skips.back()}, 1), temb);
        skips.pop_back();
      }
      if (level > 0) {
        h = at::upsample_nearest2d(h, {h.size(2) * 2, h.size(3) * 2});
        h = upsample_[up++]->as<torch::nn::Conv2dImpl>()->forward(h);
      }
    }
    return conv_out_->forward(at::silu(norm_out_->forward(h)));
  }

  UNetSettings settings_;
  at::Tensor freqs_;
  Linear time1_{nullptr}, time2_{nullptr};
  Conv2d conv_in_{nullptr}, conv_out_{nullptr};
  GroupNorm norm_out_{nullptr};
  torch::nn::ModuleList down_, downsample_, mid_, up_, upsample_;
};

}  // namespace

FieldPtr make_unet(const UNetSettings& settings) { return std::make_shared<UNet>(settings); }

}  // namespace gftlab
