// Data distributions: seeded samplers, with an analytic Gaussian-mixture form where one exists.
#pragma once

#include <ATen/ATen.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;
class GaussianMixture;

class Distribution {
 public:
  virtual ~Distribution() = default;
  // Flattened size of one sample, and its shape ([dim] for vectors, [C, H, W] for images).
  virtual int64_t dim() const = 0;
  virtual std::vector<int64_t> sample_shape() const { return {dim()}; }
  // n samples, float32 [n, sample_shape...]: what training sees.
  virtual at::Tensor sample(int64_t n, at::Generator& gen) const = 0;
  // n samples for evaluation only: a data set's test split; the same law as sample() for the rest.
  virtual at::Tensor held_out(int64_t n, at::Generator& gen) const { return sample(n, gen); }
  // How many distinct samples sample() and held_out() can give (finite data sets).
  virtual int64_t available() const { return std::numeric_limits<int64_t>::max(); }
  virtual int64_t available_held_out() const { return std::numeric_limits<int64_t>::max(); }
  // The exact mixture when the distribution is one (exact velocities and log-densities); else null.
  virtual const GaussianMixture* mixture() const { return nullptr; }
};

// A file a configured distribution reads, by its role ("data", "labels", "eval_data", "train_images", ...).
struct DataFile {
  std::string role, path;
  std::string key;  // the configuration key that names it (source.kind for a built-in data set)
};

// The files of the distribution configured under `prefix`, from the configuration alone (none for the
// synthetic kinds): their SHA-256 go into the run file and, for the source, into the pretrained model's id.
std::vector<DataFile> data_files(const Config& cfg, const std::string& prefix);

// " role=sha256" for each of those files, for content-addressed identities (the pretrained model's, the reward
// classifier's); ConfigError naming the key when one cannot be read.
std::string data_files_identity(const Config& cfg, const std::string& prefix);

// `<prefix>.kind`, and the size of the fine-tuning set (target.n_train): what other layers' checks look at.
std::string distribution_kind(const Config& cfg, const std::string& prefix);
int64_t target_train_size(const Config& cfg);

// Builds the distribution configured under `prefix` ("source" or "target"); ConfigError on bad values.
std::unique_ptr<Distribution> make_distribution(const Config& cfg, const std::string& prefix);

}  // namespace gftlab
