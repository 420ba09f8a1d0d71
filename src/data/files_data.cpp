#include "data/files_data.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <numeric>

#include "core/config.h"
#include "core/rng.h"
#include "data/array_file.h"
#include "data/data_pool.h"

namespace gftlab {
namespace {

// One array file and the configuration key that named it, so that every problem names both.
struct Source {
  const Config& cfg;
  std::string key;  // e.g. "target.eval_path"
  std::string path;
  [[noreturn]] void fail(const std::string& problem) const {
    throw cfg.error(key, fmt::format("{}: {}", path, problem));
  }
};

ArrayFile open_array(const Source& src, const std::string& dataset) {
  try {
    return ArrayFile(src.path, dataset);
  } catch (const std::exception& e) {
    throw src.cfg.error(src.key, e.what());
  }
}

// The rows of `a`, with any failure of the read as the key's error.
at::Tensor read_from(const Source& src, const ArrayFile& a, const std::vector<int64_t>& rows) {
  try {
    return a.read_rows(rows);
  } catch (const std::exception& e) {
    throw src.cfg.error(src.key, e.what());
  }
}

void check_data_shape(const Source& src, const ArrayFile& a) {
  const auto& s = a.shape();
  if (s.size() == 3)
    src.fail(fmt::format("shape {} has no channel axis: save images as N x C x H x W (x[:, None] for one channel)",
                         fmt::join(s, " x ")));
  if (s.size() != 2 && s.size() != 4)
    src.fail(fmt::format("shape {}: needs N x d vectors or N x C x H x W images", fmt::join(s, " x ")));
  if (std::any_of(s.begin(), s.end(), [](int64_t n) { return n == 0; }))
    src.fail(fmt::format("shape {} is empty", fmt::join(s, " x ")));
  const auto t = a.dtype();
  if (t != at::kByte && t != at::kFloat && t != at::kDouble)
    src.fail(fmt::format("holds {}: data must be uint8 (pixels, scaled to [-1, 1]) or float32/64 (taken as they are)",
                         c10::toString(t)));
}

std::vector<int64_t> all_rows(int64_t n) {
  std::vector<int64_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

// N integer labels of `data`: a dataset of the same HDF5 file, or a .npy file of their own.
// N integer labels of `data`: a dataset of the same HDF5 file, or a .npy file of their own.
at::Tensor read_labels(const Source& labels_src, const ArrayFile& data, const std::string& name) {
  const ArrayFile labels = open_array(labels_src, data.is_hdf5() ? name : "");
  if (!at::isIntegralType(labels.dtype(), false)) labels_src.fail("labels must be integers");
  if (labels.shape().size() != 1 || labels.shape()[0] != data.shape()[0])
    labels_src.fail(fmt::format("labels of shape {} for {} rows of {}: needs one label per row",
                                fmt::join(labels.shape(), " x "), data.shape()[0], data.path()));
  return read_from(labels_src, labels, all_rows(labels.shape()[0])).to(at::kLong);
}

// The rows whose label is one of `classes`, ascending; each class must occur.
std::vector<int64_t> rows_of_classes(const Source& src, const at::Tensor& labels, const std::vector<int64_t>& classes) {
  auto keep = at::zeros_like(labels, at::kBool);
  for (int64_t c : classes) {
    const auto match = labels.eq(c);
    if (!match.any().item<bool>()) {
      const auto present = std::get<0>(at::_unique(labels.narrow(0, 0, std::min<int64_t>(labels.numel(), 100000))));
      const auto shown = present.narrow(0, 0, std::min<int64_t>(present.numel(), 20)).contiguous();
      src.fail(fmt::format(
          "no row has class {} (labels there include {})", c,
          fmt::join(std::vector<int64_t>(shown.data_ptr<int64_t>(), shown.data_ptr<int64_t>() + shown.numel()), ", ")));
    }
    keep |= match;
  }
  const auto rows = keep.nonzero().flatten().contiguous();
  return {rows.data_ptr<int64_t>(), rows.data_ptr<int64_t>() + rows.numel()};
}

// The rows of one file (ascending) that this distribution uses: all, or those of the configured classes.
std::vector<int64_t> class_rows(const Config& cfg, const std::string& p, const Source& src, const ArrayFile& data,
                                const std::string& labels_key) {
  const auto classes = cfg.get_int_list(p + ".classes");
  if (classes.empty()) return all_rows(data.shape()[0]);
  const std::string& labels = cfg.get_string(p + ".labels");
  if (labels.empty())
    throw cfg.error(p + ".classes", fmt::format("filters by class, so {}.labels must name the labels", p));
  // In an HDF5 file the labels are a dataset beside the data; a .npy file has them in a .npy file of their own.
  const Source labels_src =
      data.is_hdf5() ? Source{cfg, p + ".labels", data.path()} : Source{cfg, labels_key, cfg.get_string(labels_key)};
  if (labels_src.path.empty())
    throw cfg.error(labels_key, fmt::format("{} is a .npy file: its labels need a .npy file here", data.path()));
  return rows_of_classes(src, read_labels(labels_src, data, labels), classes);
}

// The rows of a split (ascending) that are also among `used`.
std::vector<int64_t> within(const Source& src, const std::vector<int64_t>& split, const std::vector<int64_t>& used) {
  std::vector<int64_t> kept;
  std::set_intersection(split.begin(), split.end(), used.begin(), used.end(), std::back_inserter(kept));
  if (kept.empty()) src.fail("no row of these classes falls in this split (eval_fraction, split_seed)");
  return kept;
}

// Seeded over every row of the file, before any class filter: the same split_seed and eval_fraction hold
// out the same rows of a file for the source and the target, in every run and every pretraining.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split(const Config& cfg, const std::string& p, const Source& src,
                                                            int64_t n) {
  const double fraction = cfg.get_float(p + ".eval_fraction");
  if (fraction >= 1.0) throw cfg.error(p + ".eval_fraction", "must be below 1: the rest is the training split");
  const auto n_eval = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
  if (n_eval < 1 || n_eval >= n)
    src.fail(fmt::format("eval_fraction {} of its {} rows leaves an empty split", fraction, n));
  auto gen = make_generator(static_cast<uint64_t>(cfg.get_int(p + ".split_seed")), "files-split");
  const auto perm = at::randperm(n, gen, at::kLong).contiguous();
  const int64_t* order = perm.data_ptr<int64_t>();
  std::vector<int64_t> held(order, order + n_eval), train(order + n_eval, order + n);
  std::sort(held.begin(), held.end());
  std::sort(train.begin(), train.end());
  return {train, held};
}

// The rows as the pool keeps them (uint8, or float32: float64 halved at load, so that the check below sees
// what training will), refused when a float row holds NaN or Inf.
at::Tensor read_checked(const Source& src, const ArrayFile& a, const std::vector<int64_t>& rows) {
  at::Tensor x = read_from(src, a, rows);
  if (!at::isFloatingType(x.scalar_type())) return x;
  x = x.to(at::kFloat);
  const auto bad = at::isfinite(x).logical_not().flatten(1).any(1);
  if (bad.any().item<bool>())
    src.fail(fmt::format("row {} holds NaN or Inf{} ({} rows do)", rows[bad.nonzero()[0][0].item<int64_t>()],
                         a.dtype() == at::kDouble ? ", or a value beyond float32's range," : "",
                         bad.sum().item<int64_t>()));
  return x;
}

}  // namespace

std::unique_ptr<Distribution> make_files_distribution(const Config& cfg, const std::string& p) {
  const Source src{cfg, p + ".path", cfg.get_string(p + ".path")};
  if (src.path.empty()) throw cfg.error(src.key, "the `files` kind needs the data file (.npy or HDF5)");
  const Source eval_src{cfg, p + ".eval_path", cfg.get_string(p + ".eval_path")};
  const bool by_fraction = cfg.get_float(p + ".eval_fraction") > 0;
  if (eval_src.path.empty() == !by_fraction)
    throw cfg.error(p + ".eval_path", fmt::format("the held-out split needs exactly one of {0}.eval_path (a file) and "
                                                  "{0}.eval_fraction (a seeded share of {0}.path)",
                                                  p));
  const auto& dataset = cfg.get_string(p + ".dataset");
  const ArrayFile data = open_array(src, dataset);
  check_data_shape(src, data);
  if (by_fraction) {
    const auto [train, held] = split(cfg, p, src, data.shape()[0]);
    const auto used = class_rows(cfg, p, src, data, p + ".labels");
    return std::make_unique<DataPool>(read_checked(src, data, within(src, train, used)),
                                      read_checked(src, data, within(src, held, used)));
  }
  const ArrayFile eval = open_array(eval_src, dataset);
  check_data_shape(eval_src, eval);
  const auto row_shape = [](const ArrayFile& a) {
    return std::vector<int64_t>(a.shape().begin() + 1, a.shape().end());
  };
  if (row_shape(eval) != row_shape(data))
    eval_src.fail(fmt::format("rows of shape {} differ from {}'s {}", fmt::join(row_shape(eval), " x "), src.path,
                              fmt::join(row_shape(data), " x ")));
  if ((eval.dtype() == at::kByte) != (data.dtype() == at::kByte))
    eval_src.fail(
        fmt::format("holds {}, {} holds {}: pixels (uint8) and floats are scaled differently, so both "
                    "splits need the same kind",
                    c10::toString(eval.dtype()), src.path, c10::toString(data.dtype())));
  if (eval.is_hdf5() != data.is_hdf5() && !cfg.get_int_list(p + ".classes").empty())
    eval_src.fail(
        fmt::format("is {} and {} is not: with classes, give both splits in one format, so that "
                    "{}.labels means the same in both",
                    eval.is_hdf5() ? "HDF5" : ".npy", src.path, p));
  return std::make_unique<DataPool>(
      read_checked(src, data, class_rows(cfg, p, src, data, p + ".labels")),
      read_checked(eval_src, eval, class_rows(cfg, p, eval_src, eval, p + ".eval_labels")));
}

}  // namespace gftlab
