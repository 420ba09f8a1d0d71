// The 2-D toy distributions (shapes as in the FFJORD / torchcfm benchmarks, drawn i.i.d.) and the
// factory that builds any configured distribution.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <tuple>

#include "core/config.h"
#include "core/names.h"
#include "core/sha256.h"
#include "core/rng.h"
#include "data/array_file.h"
#include "data/files_data.h"
#include "data/distribution_names.h"
#include "data/gaussian_mixture.h"
#include "data/idx_reader.h"
#include "data/image_dataset.h"

namespace gftlab {
namespace {

at::Tensor uniform(int64_t n, at::Generator& gen) { return at::rand({n}, gen, at::kDouble); }
at::Tensor normal(std::vector<int64_t> shape, at::Generator& gen) { return at::randn(shape, gen, at::kDouble); }

at::Tensor moons(int64_t n, at::Generator& gen) {
  const auto theta = uniform(n, gen) * M_PI;
  const auto upper = at::rand({n}, gen, at::kDouble) < 0.5;
  const auto px = at::where(upper, theta.cos(), 1 - theta.cos());
  const auto py = at::where(upper, theta.sin(), 0.5 - theta.sin());
  const auto x = at::stack({px, py}, 1) + 0.1 * normal({n, 2}, gen);
  return x * 2 + at::tensor({-1.0, -0.2}, at::kDouble);
}

at::Tensor checkerboard(int64_t n, at::Generator& gen) {
  const auto x1 = uniform(n, gen) * 4 - 2;
  const auto x2 = uniform(n, gen) - at::randint(0, 2, {n}, gen, at::kDouble) * 2;
  return at::stack({x1, x2 + at::remainder(x1.floor(), 2)}, 1) * 2;
}

at::Tensor circles(int64_t n, at::Generator& gen) {
  const auto theta = uniform(n, gen) * (2 * M_PI);
  const auto radius = at::where(at::rand({n}, gen, at::kDouble) < 0.5, 1.0, 0.5);
  const auto x = at::stack({radius * theta.cos(), radius * theta.sin()}, 1) + 0.08 * normal({n, 2}, gen);
  return x * 3;
}

at::Tensor spirals(int64_t n, at::Generator& gen) {
  const auto turn = uniform(n, gen).sqrt() * (540.0 * 2 * M_PI / 360.0);
  const auto px = -turn.cos() * turn + uniform(n, gen) * 0.5;
  const auto py = turn.sin() * turn + uniform(n, gen) * 0.5;
  const auto sign = at::where(at::rand({n}, gen, at::kDouble) < 0.5, 1.0, -1.0).unsqueeze(1);
  return sign * at::stack({px, py}, 1) / 3 + 0.1 * normal({n, 2}, gen);
}

at::Tensor swissroll(int64_t n, at::Generator& gen) {
  const auto turn = 1.5 * M_PI * (1 + 2 * uniform(n, gen));
  const auto x = at::stack({turn * turn.cos(), turn * turn.sin()}, 1) + normal({n, 2}, gen);
  return x / 5;
}

using ToyShape = at::Tensor (*)(int64_t n, at::Generator& gen);

class Toy : public Distribution {
 public:
  Toy(ToyShape shape, double scale) : shape_(shape), scale_(scale) {}
  int64_t dim() const override { return 2; }
  at::Tensor sample(int64_t n, at::Generator& gen) const override { return (shape_(n, gen) * scale_).to(at::kFloat); }

 private:
  ToyShape shape_;
  double scale_;
};

template <ToyShape kShape>
std::unique_ptr<Distribution> toy(const Config& cfg, const std::string& p) {
  return std::make_unique<Toy>(kShape, cfg.get_float(p + ".scale"));
}

at::Tensor config_array(const Config& cfg, const std::string& key) {
  const auto& v = cfg.get(key);
  return at::tensor(v.numbers, at::kDouble).reshape(v.shape);
}

std::unique_ptr<Distribution> eight_gaussians(const Config& cfg, const std::string& p) {
  const double scale = cfg.get_float(p + ".scale");
  const auto angle = at::arange(8, at::kDouble) * (M_PI / 4);
  const auto means = at::stack({angle.cos(), angle.sin()}, 1) * (4.0 * scale);
  const auto covs = at::eye(2, at::kDouble).expand({8, 2, 2}) * std::pow(0.5 * scale, 2);
  return std::make_unique<GaussianMixture>(at::ones({8}, at::kDouble), means, covs.contiguous());
}

std::unique_ptr<Distribution> explicit_mixture(const Config& cfg, const std::string& p) {
  const auto means = config_array(cfg, p + ".gmm.means");
  if (means.dim() != 2 || means.size(0) < 1 || means.size(1) < 1)
    throw cfg.error(p + ".gmm.means", "`gmm` needs means as a non-empty K x d nested list");
  const int64_t k = means.size(0), d = means.size(1);
  auto weights = config_array(cfg, p + ".gmm.weights");
  if (weights.numel() == 0) weights = at::ones({k}, at::kDouble);
  if (weights.numel() != k || weights.sum().item<double>() <= 0)
    throw cfg.error(p + ".gmm.weights", fmt::format("needs {} non-negative weights with a positive sum", k));
  auto covs = config_array(cfg, p + ".gmm.covs");
  if (covs.numel() == 0) {
    covs = at::eye(d, at::kDouble).expand({k, d, d}).contiguous() * std::pow(cfg.get_float(p + ".gmm.std"), 2);
  } else if (covs.dim() != 3 || covs.size(0) != k || covs.size(1) != d || covs.size(2) != d) {
    throw cfg.error(p + ".gmm.covs", fmt::format("needs shape {} x {} x {} (K x d x d)", k, d, d));
  } else if (!at::allclose(covs, covs.transpose(1, 2))) {
    throw cfg.error(p + ".gmm.covs", "covariances must be symmetric");
  }
  try {
    return std::make_unique<GaussianMixture>(weights, means, covs);
  } catch (const std::invalid_argument& e) {
    throw cfg.error(p + ".gmm.covs", e.what());
  }
}

std::unique_ptr<Distribution> random_mixture(const Config& cfg, const std::string& p) {
  const int64_t d = cfg.get_int(p + ".gmm.dim"), k = cfg.get_int(p + ".gmm.components");
  auto gen = make_generator(static_cast<uint64_t>(cfg.get_int(p + ".gmm.layout_seed")), "gmm_random");
  const auto means = at::randn({k, d}, gen, at::kDouble) * (cfg.get_float(p + ".gmm.spread") / std::sqrt(d));
  const auto covs = at::eye(d, at::kDouble).expand({k, d, d}).contiguous() * std::pow(cfg.get_float(p + ".gmm.std"), 2);
  return std::make_unique<GaussianMixture>(at::ones({k}, at::kDouble), means, covs);
}

std::vector<DataFile> no_files(const Config&, const std::string&) { return {}; }

std::vector<DataFile> fashion_mnist_data_files(const Config&, const std::string& p) {
  std::vector<DataFile> files;
  for (const std::string split : {"train", "test"}) {
    const auto [images, labels] = fashion_mnist_files(split);
    files.push_back({split + "_images", images, p + ".kind"});
    files.push_back({split + "_labels", labels, p + ".kind"});
  }
  return files;
}

// An HDF5 file holds its labels; a .npy file's are read, from files of their own, only to filter classes.
std::vector<DataFile> own_data_files(const Config& cfg, const std::string& p) {
  std::vector<DataFile> files;
  const bool classes = !cfg.get_int_list(p + ".classes").empty();
  for (const auto& [role, key, labels_of] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"data", "path", ""},
                                                                      {"eval_data", "eval_path", ""},
                                                                      {"labels", "labels", "path"},
                                                                      {"eval_labels", "eval_labels", "eval_path"}}) {
    const auto& path = cfg.get_string(p + "." + key);
    const auto& of = labels_of.empty() ? path : cfg.get_string(p + "." + labels_of);
    const bool used = labels_of.empty() || (classes && !of.empty() && !is_hdf5_file(of));
    if (used && !path.empty()) files.push_back({role, path, p + "." + key});
  }
  return files;
}

std::unique_ptr<Distribution> fashion_mnist(const Config& cfg, const std::string& p) {
  const auto classes = cfg.get_int_list(p + ".classes");
  if (!classes.empty() && *std::max_element(classes.begin(), classes.end()) > 9)
    throw cfg.error(p + ".classes", "Fashion-MNIST has the classes 0-9");
  return std::make_unique<FashionMnist>(classes);
}

const DistributionKind& kind_of(const Config& cfg, const std::string& prefix) {
  return kind_named(distribution_table(), cfg.get_string(prefix + ".kind"));
}

}  // namespace

const std::vector<DistributionKind>& distribution_table() {
  static const std::vector<DistributionKind> kinds = {
      {"8gaussians", eight_gaussians, no_files, ""},
      {"moons", toy<moons>, no_files, ""},
      {"checkerboard", toy<checkerboard>, no_files, ""},
      {"circles", toy<circles>, no_files, ""},
      {"spirals", toy<spirals>, no_files, ""},
      {"swissroll", toy<swissroll>, no_files, ""},
      {"gmm", explicit_mixture, no_files, ""},
      {"gmm_random", random_mixture, no_files, ""},
      {"fashion_mnist", fashion_mnist, fashion_mnist_data_files,
       ": install the Debian package dataset-fashion-mnist (make deps)"},
      {"files", make_files_distribution, own_data_files, ""},
  };
  return kinds;
}

std::vector<std::string> distribution_kinds() { return kind_names(distribution_table()); }

std::vector<DataFile> data_files(const Config& cfg, const std::string& p) { return kind_of(cfg, p).files(cfg, p); }

std::string data_files_identity(const Config& cfg, const std::string& p) {
  std::string out;
  for (const auto& file : data_files(cfg, p)) {
    try {
      out += fmt::format(" {}={}", file.role, file_sha256(file.path));
    } catch (const std::runtime_error& e) {
      throw cfg.error(file.key, fmt::format("{}{}", e.what(), kind_of(cfg, p).missing_file_remedy));
    }
  }
  return out;
}

std::unique_ptr<Distribution> make_distribution(const Config& cfg, const std::string& prefix) {
  const auto classes = cfg.get_int_list(prefix + ".classes");
  if (std::set<int64_t>(classes.begin(), classes.end()).size() != classes.size())
    throw cfg.error(prefix + ".classes", "lists a class twice");
  return kind_of(cfg, prefix).make(cfg, prefix);
}

std::string distribution_kind(const Config& cfg, const std::string& prefix) {
  return cfg.get_string(prefix + ".kind");
}

int64_t target_train_size(const Config& cfg) { return cfg.get_int("target.n_train"); }

}  // namespace gftlab
