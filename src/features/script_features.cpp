#include "features/script_features.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "core/config.h"
#include "io/torchscript.h"

namespace gftlab {
namespace {

constexpr int64_t kScriptBatch = 50;  // an Inception batch at 299 x 299 holds about 1 GB of activations

std::shared_ptr<ScriptModule> load_module(const Config& cfg, const std::string& key) {
  try {
    return std::make_shared<ScriptModule>(cfg.get_string(key));
  } catch (const std::runtime_error& e) {
    throw cfg.error(key, e.what());
  }
}

// Calls `embed` on a probe batch of two and checks that it gives [2, D] finite features (D = `dim` when > 0).
void probe(const Config& cfg, const std::string& key, const FeatureExtractor& f, const std::vector<int64_t>& shape,
           int64_t dim) {
  auto probe_shape = shape;
  probe_shape.insert(probe_shape.begin(), 2);
  at::Tensor out;
  try {
    at::NoGradGuard no_grad;
    out = f.embed(at::linspace(-1, 1, c10::multiply_integers(probe_shape), at::kFloat).reshape(probe_shape));
  } catch (const std::runtime_error& e) {
    throw cfg.error(key, e.what());
  }
  const bool shaped = out.dim() == 2 && out.size(0) == 2 && (dim <= 0 || out.size(1) == dim);
  if (!shaped)
    throw cfg.error(key, fmt::format("{}: a batch of 2 samples of shape {} gave output of shape {}, not [2, {}]",
                                     f.file, shape, out.sizes(), dim > 0 ? std::to_string(dim) : "D"));
  if (!at::isfinite(out).all().item<bool>())
    throw cfg.error(key, fmt::format("{}: non-finite features on a probe batch", f.file));
}

FeatureExtractor script_extractor(const std::shared_ptr<ScriptModule>& module, std::string name) {
  FeatureExtractor f;
  f.id = module->sha256();
  f.name = std::move(name);
  f.file = module->path();
  f.batch_size = kScriptBatch;
  return f;
}

}  // namespace

at::Tensor inception_input(const at::Tensor& images) {
  auto x = ((images.to(at::kFloat) + 1.0) * 127.5).round().clamp(0.0, 255.0);
  return x.size(1) == 1 ? x.expand({x.size(0), 3, x.size(2), x.size(3)}).contiguous() : x;
}

FeatureExtractor load_torchscript_features(const Config& cfg, const std::vector<int64_t>& sample_shape) {
  const std::string key = "eval.features.torchscript";
  if (cfg.get_string("eval.features.name").empty())
    throw cfg.error("eval.features.name", "needs a name for the features of eval.features.torchscript (FD-<name>-<N>)");
  const auto module = load_module(cfg, key);
  auto f = script_extractor(module, cfg.get_string("eval.features.name"));
  f.embed = [module](const at::Tensor& x) { return module->forward({x.contiguous()}).to(at::kFloat); };
  probe(cfg, key, f, sample_shape, 0);
  return f;
}

FeatureExtractor load_inception(const Config& cfg, const std::vector<int64_t>& sample_shape) {
  const std::string key = "eval.fid.inception";
  if (sample_shape.size() != 3 || (sample_shape[0] != 1 && sample_shape[0] != 3))
    throw cfg.error(key, fmt::format("FID needs images of 1 or 3 channels; these samples have shape {}", sample_shape));
  const auto module = load_module(cfg, key);
  auto f = script_extractor(module, "inception");
  f.embed = [module](const at::Tensor& images) {
    return module->forward({inception_input(images)}, {{"return_features", true}}).to(at::kFloat);
  };
  probe(cfg, key, f, sample_shape, kInceptionFeatures);
  return f;
}

}  // namespace gftlab
