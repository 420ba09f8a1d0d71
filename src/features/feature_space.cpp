#include "features/feature_space.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config.h"
#include "core/sha256.h"
#include "features/script_features.h"
#include "io/archive_file.h"
#include "io/content_store.h"

namespace gftlab {
namespace {

constexpr const char* kReferenceSamples = "the held-out reference samples";

}  // namespace

const FeatureExtractor& FeatureSpace::extractor() {
  if (!extractor_) extractor_ = make_();
  return *extractor_;
}

const at::Tensor& FeatureSpace::reference_features(const at::Tensor& reference) {
  if (!reference_features_.defined())
    reference_features_ =
        cache_dir_.empty() ? features(reference, kReferenceSamples) : cached_reference_features(reference);
  return reference_features_;
}

const GaussianStats& FeatureSpace::reference_stats(const at::Tensor& reference) {
  if (!reference_stats_.mean.defined()) reference_stats_ = gaussian_stats(reference_features(reference));
  return reference_stats_;
}

at::Tensor FeatureSpace::cached_reference_features(const at::Tensor& reference) {
  const auto samples = reference.to(at::kFloat).contiguous();
  const std::string bytes(static_cast<const char*>(samples.data_ptr()), samples.numel() * sizeof(float));
  const auto& f = extractor();
  const auto name = sha256_hex(fmt::format("{} {} {}", f.id, samples.sizes(), sha256_hex(bytes))).substr(0, 32);
  at::Tensor out;
  ContentStore(cache_dir_)
      .get_or_make(
          name,
          [&](const std::string& pt, const YAML::Node&) {
            torch::serialize::InputArchive archive;
            archive.load_from(pt);
            archive.read("features", out);
          },
          [&](const std::string& pt) {
            out = features(samples, kReferenceSamples);
            torch::serialize::OutputArchive archive;
            archive.write("features", out);
            write_archive_atomically(archive, pt);
            YAML::Node record;
            record["extractor"] = f.name;
            record["extractor_id"] = f.id;
            record["extractor_file"] = f.file;
            record["samples"] = samples.size(0);
            record["dim"] = out.size(1);
            return record;
          });
  return out;
}

namespace {

std::unique_ptr<FeatureSpace> space_of(const FeatureExtractor& f, const Config& cfg) {
  const auto cache = (std::filesystem::path(cfg.get_string("output.features_dir")) / "reference").string();
  auto space = std::make_unique<FeatureSpace>([f] { return f; }, cache);
  space->extractor();
  return space;
}

}  // namespace

std::unique_ptr<FeatureSpace> make_feature_space(const Config& cfg, const std::vector<int64_t>& sample_shape) {
  if (FeatureSettings::from_config(cfg).torchscript) return space_of(load_torchscript_features(cfg, sample_shape), cfg);
  if (!own_feature_net_takes(sample_shape)) return nullptr;
  return std::make_unique<FeatureSpace>(
      [settings = FeatureNetSettings::from_config(cfg), store = cfg.get_string("output.features_dir")] {
        return get_or_train_feature_net(settings, store);
      });
}

std::unique_ptr<FeatureSpace> make_inception_space(const Config& cfg, const std::vector<int64_t>& sample_shape) {
  if (!FeatureSettings::from_config(cfg).inception) return nullptr;
  return space_of(load_inception(cfg, sample_shape), cfg);
}

FeatureSettings FeatureSettings::from_config(const Config& cfg) {
  FeatureSettings s;
  s.torchscript = !cfg.get_string("eval.features.torchscript").empty();
  s.inception = !cfg.get_string("eval.fid.inception").empty();
  s.kid_subsets = cfg.get_int("eval.fid.kid_subsets");
  s.kid_subset_size = cfg.get_int("eval.fid.kid_subset_size");
  return s;
}

}  // namespace gftlab
