#include "testing.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/config.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "data/array_file.h"
#include "data/distribution.h"
#include "data/image_dataset.h"
#include "metrics/metric.h"
#include "model/velocity_field.h"
#include "train/pretrained_store.h"

using namespace gftlab;
using Catch::Matchers::Contains;

namespace {

// The files of tests/py/data_files.py (numpy and h5py), written once per test process.
const std::string& written() {
  static const std::string dir = gftlab::testing::written_by_python("data_files.py", "data_files");
  return dir;
}

std::string file(const std::string& name) { return written() + "/" + name; }

// A target of the `files` kind: `keys` are (key under target., value), file names resolved in the test's folder.
Config files_config(const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<std::string> overrides = {"target.kind=files"};
  for (const auto& [key, value] : keys) {
    const bool is_file = key == "path" || key == "eval_path" ||
                         (key.find("labels") != std::string::npos && value.find('.') != std::string::npos);
    overrides.push_back(fmt::format("target.{}={}", key, is_file ? file(value) : value));
  }
  return Config::load("", overrides);
}

std::unique_ptr<Distribution> files(const std::vector<std::pair<std::string, std::string>>& keys) {
  return make_distribution(files_config(keys), "target");
}

// Every row of a pool, in the order of a seeded draw.
at::Tensor every_row(const Distribution& d, bool held_out) {
  auto gen = make_generator(1);
  return held_out ? d.held_out(d.available_held_out(), gen) : d.sample(d.available(), gen);
}

// The message of the ConfigError that building the distribution throws.
std::string refusal(const std::vector<std::pair<std::string, std::string>>& keys) {
  try {
    files(keys);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

// One test case, so that the files are written once: the sections run in one process.
TEST_CASE("data files: .npy and HDF5 as the built-in loader, splits, classes, hashes and every refusal",
          "[data_files]") {
  SECTION("Fashion-MNIST classes from .npy and from HDF5 draw exactly what the built-in loader draws") {
    const FashionMnist builtin({5, 7, 9});
    const auto npy = files({{"path", "fmnist_train.npy"},
                            {"labels", "fmnist_train_labels.npy"},
                            {"eval_path", "fmnist_test.npy"},
                            {"eval_labels", "fmnist_test_labels.npy"},
                            {"classes", "[5, 7, 9]"}});
    const auto hdf5 = files({{"path", "fashion_mnist_train.h5"},
                             {"dataset", "images"},
                             {"labels", "labels"},
                             {"eval_path", "fashion_mnist_test.h5"},
                             {"classes", "[5, 7, 9]"}});
    for (const Distribution* d : {npy.get(), hdf5.get()}) {
      CHECK(d->sample_shape() == builtin.sample_shape());
      CHECK(d->available() == 18000);
      CHECK(d->available_held_out() == 3000);
      auto a = make_generator(11), b = make_generator(11);
      CHECK(at::equal(d->sample(700, a), builtin.sample(700, b)));
      CHECK(at::equal(d->held_out(300, a), builtin.held_out(300, b)));
    }
    const auto all =
        files({{"path", "fashion_mnist_test.h5"}, {"dataset", "images"}, {"eval_path", "fmnist_test.npy"}});
    CHECK(all->available() == 10000);  // no classes: every row
  }
  SECTION("a seeded eval_fraction: disjoint splits that cover the file, the same for the same split_seed") {
    const auto split = [](const std::string& seed) {
      return files({{"path", "vectors.npy"}, {"eval_fraction", "0.25"}, {"split_seed", seed}});
    };
    const auto a = split("4"), b = split("4"), c = split("5");
    CHECK(a->available() == 150);
    CHECK(a->available_held_out() == 50);
    CHECK(a->sample_shape() == std::vector<int64_t>{3});
    CHECK(at::equal(every_row(*a, true), every_row(*b, true)));
    CHECK(!at::equal(every_row(*a, true), every_row(*c, true)));
    const auto both = at::cat({every_row(*a, false), every_row(*a, true)});
    CHECK(std::get<0>(at::unique_dim(both, 0)).size(0) == 200);
    // The split is over the file's rows before any class filter: a filtered target holds out only rows that
    // the unfiltered source holds out too, so no pretraining sees the target's held-out rows.
    const auto filtered = files({{"path", "vectors.h5"},
                                 {"dataset", "group/x"},
                                 {"labels", "y"},
                                 {"classes", "[1, 3]"},
                                 {"eval_fraction", "0.25"},
                                 {"split_seed", "4"}});
    const auto held_all = every_row(*a, true).to(at::kDouble),
               held_filtered = every_row(*filtered, true).to(at::kDouble);
    CHECK(held_filtered.size(0) > 0);
    CHECK(std::get<0>(at::unique_dim(at::cat({held_all, held_filtered}), 0)).size(0) == held_all.size(0));
    // A version-2 header reads as version 1.
    const auto v2 = files({{"path", "vectors_v2.npy"}, {"eval_fraction", "0.25"}, {"split_seed", "4"}});
    CHECK(at::equal(every_row(*v2, true), every_row(*a, true)));
    // float64 in HDF5 (a nested dataset name) gives the float32 values of the .npy file it was written from.
    const auto h5 =
        files({{"path", "vectors.h5"}, {"dataset", "group/x"}, {"eval_fraction", "0.25"}, {"split_seed", "4"}});
    CHECK(at::equal(every_row(*h5, true), every_row(*a, true)));
    // Class filtering by an HDF5 label dataset: y = row mod 4, so classes 1 and 3 keep the odd rows.
    const auto odd = files({{"path", "vectors.h5"},
                            {"dataset", "group/x"},
                            {"labels", "y"},
                            {"classes", "[1, 3]"},
                            {"eval_fraction", "0.5"}});
    CHECK(odd->available() + odd->available_held_out() == 100);
    const auto kept = at::cat({every_row(*odd, false), every_row(*odd, true)});
    const auto x = ArrayFile(file("vectors.npy"), "").read_all();
    const auto expected = x.index_select(0, at::arange(1, 200, 2, at::kLong));
    CHECK(std::get<0>(at::unique_dim(at::cat({kept, expected}), 0)).size(0) == 100);
  }
  SECTION("the U-Net takes colour images of 32, 64 and 96 pixels from files") {
    const auto cfg =
        Config::load("", {"model.kind=unet", "model.unet.channels=8", "model.unet.groups=4", "model.unet.blocks=1"});
    for (int size : {32, 64, 96}) {
      const auto d = files({{"path", fmt::format("colour{}.npy", size)}, {"eval_fraction", "0.5"}});
      CHECK(d->sample_shape() == std::vector<int64_t>{3, size, size});
      auto gen = make_generator(2);
      const auto x = d->sample(2, gen);
      CHECK(x.min().item<float>() >= -1.0f);
      CHECK(x.max().item<float>() <= 1.0f);
      const auto v = make_velocity_field(cfg, d->sample_shape(), 1)->forward(at::rand({2}, gen), x);
      CHECK(v.sizes() == x.sizes());
    }
    // gftlab's own feature network takes 1 x 28 x 28 only: FD and diversity on colour images need an extractor.
    const auto colour = files({{"path", "colour32.npy"}, {"eval_fraction", "0.5"}});
    for (const std::string group : {"fd", "diversity"})
      CHECK_THROWS_WITH(make_metrics(Config::load("", {"eval.metrics=[w2, " + group + "]"}), *colour, 0),
                        Contains("'" + group + "' needs a feature extractor"));
    std::set<std::string> groups;
    for (const auto& m : make_metrics(Config::load("", {"eval.metrics=[all]"}), *colour, 0)) groups.insert(m->group());
    CHECK(groups.count("w2") == 1);
    CHECK(groups.count("fd") + groups.count("diversity") == 0);
  }
  SECTION("the files' SHA-256 are their hashlib digests, and a source file's contents are in the pretrained id") {
    const auto cfg = files_config({{"path", "fmnist_test.npy"},
                                   {"labels", "fmnist_test_labels.npy"},
                                   {"classes", "[1]"},
                                   {"eval_fraction", "0.1"}});
    const auto listed = data_files(cfg, "target");
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].role == "data");
    CHECK(listed[1].role == "labels");
    for (const std::string name : {"fmnist_test_labels.npy", "fashion_mnist_test.h5"})  // 80 kB and 30 MB
      CHECK(testing::run_python(fmt::format(
                "{} -c \"import hashlib; print(int(hashlib.sha256(open('{}', 'rb').read()).hexdigest() == '{}'))\"",
                GFTLAB_PYTHON, file(name), file_sha256(file(name)))) == 1.0);
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");  // FIPS 180-2
    Sha256 pieces;  // fed in pieces across the 64-byte blocks, as file_sha256 feeds 1 MiB at a time
    const std::string text(1000, 'a');
    for (size_t at = 0; at < text.size(); at += 37)
      pieces.update(text.data() + at, std::min<size_t>(37, text.size() - at));
    CHECK(pieces.hex() == sha256_hex(text));
    CHECK_THROWS_AS(pieces.hex(), std::logic_error);
    CHECK(data_files(Config::load("", {"target.kind=fashion_mnist"}), "target").size() == 4);
    CHECK(data_files(Config::load("", {}), "target").empty());

    const auto source = file("source_copy.npy");
    std::filesystem::copy_file(file("vectors.npy"), source);
    const auto source_cfg =
        Config::load("", {"source.kind=files", "source.path=" + source, "source.eval_fraction=0.1"});
    const auto before = pretrained_id(source_cfg);
    CHECK(pretrained_id(source_cfg) == before);
    {  // one value changed in place: the same size, a later modification time
      std::fstream f(source, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(-1, std::ios::end);
      f.put('\x7f');
    }
    std::filesystem::last_write_time(source, std::filesystem::last_write_time(source) + std::chrono::seconds(5));
    CHECK(std::filesystem::file_size(source) == std::filesystem::file_size(file("vectors.npy")));
    CHECK(pretrained_id(source_cfg) != before);
  }
  SECTION("every problem with a file stops with its key, the file and what is wrong") {
    CHECK_THAT(refusal({{"eval_fraction", "0.5"}}), Contains("target.path") && Contains("needs the data file"));
    CHECK_THAT(refusal({{"path", "absent.npy"}, {"eval_fraction", "0.5"}}), Contains("absent.npy: no such file"));
    CHECK_THAT(refusal({{"path", "not_data.npy"}, {"eval_fraction", "0.5"}}),
               Contains("neither a .npy file nor an HDF5"));
    CHECK_THAT(refusal({{"path", "nan.npy"}, {"eval_fraction", "0.5"}}), Contains("nan.npy: row 7 holds NaN or Inf"));
    CHECK_THAT(refusal({{"path", "fortran.npy"}, {"eval_fraction", "0.5"}}), Contains("Fortran order"));
    CHECK_THAT(refusal({{"path", "int16.npy"}, {"eval_fraction", "0.5"}}),
               Contains("must be uint8") && Contains("Short"));
    CHECK_THAT(refusal({{"path", "no_channel.npy"}, {"eval_fraction", "0.5"}}), Contains("no channel axis"));
    CHECK_THAT(refusal({{"path", "big_endian.npy"}, {"eval_fraction", "0.5"}}), Contains("'>f4' is not supported"));
    CHECK_THAT(refusal({{"path", "truncated.npy"}, {"eval_fraction", "0.5"}}), Contains("truncated"));
    CHECK_THAT(
        refusal({{"path", "ten.npy"}, {"labels", "short_labels.npy"}, {"classes", "[0]"}, {"eval_fraction", "0.5"}}),
        Contains("target.labels") && Contains("needs one label per row"));
    CHECK_THAT(
        refusal({{"path", "ten.npy"}, {"labels", "float_labels.npy"}, {"classes", "[0]"}, {"eval_fraction", "0.5"}}),
        Contains("labels must be integers"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"classes", "[0]"}, {"eval_fraction", "0.5"}}),
               Contains("target.classes") && Contains("target.labels must name the labels"));
    CHECK_THAT(refusal({{"path", "fmnist_test.npy"},
                        {"labels", "fmnist_test_labels.npy"},
                        {"classes", "[12]"},
                        {"eval_fraction", "0.5"}}),
               Contains("no row has class 12") && Contains("0, 1, 2"));
    CHECK_THAT(refusal({{"path", "vectors.h5"}, {"eval_fraction", "0.5"}}), Contains("needs `dataset`"));
    CHECK_THAT(refusal({{"path", "vectors.h5"}, {"dataset", "x"}, {"eval_fraction", "0.5"}}),
               Contains("no dataset 'x'") && Contains("group, y"));
    CHECK_THAT(refusal({{"path", "ten.npy"}}), Contains("exactly one of target.eval_path"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"eval_path", "ten.npy"}, {"eval_fraction", "0.5"}}),
               Contains("exactly one of"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"eval_path", "ten3.npy"}}),
               Contains("target.eval_path") && Contains("rows of shape 3 differ"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"eval_fraction", "0.01"}}), Contains("leaves an empty split"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"eval_path", "ten_u8.npy"}}), Contains("scaled differently"));
    CHECK_THAT(refusal({{"path", "fmnist_test.npy"},
                        {"labels", "fmnist_test_labels.npy"},
                        {"classes", "[1]"},
                        {"eval_path", "fashion_mnist_test.h5"},
                        {"dataset", "images"}}),
               Contains("give both splits in one format"));
    CHECK_THAT(refusal({{"path", "ten.npy"}, {"eval_fraction", "1"}}), Contains("must be below 1"));
    CHECK_THROWS_WITH(
        make_distribution(Config::load("", {"target.kind=fashion_mnist", "target.classes=[3, 10]"}), "target"),
        Contains("classes 0-9"));
  }
}
