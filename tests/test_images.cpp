#include "testing.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/rng.h"
#include "data/distribution.h"
#include "data/idx_reader.h"
#include "data/image_dataset.h"
#include "io/run_file_reader.h"
#include "features/frechet.h"
#include "model/velocity_field.h"
#include "run/runner.h"

using namespace gftlab;

namespace {

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::string failure_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("Fashion-MNIST IDX files: the real ones read whole, corrupt ones refused with the reason", "[images][data]") {
  SECTION("the Debian package's files: 60000/10000 images of 28 x 28, 6000/1000 per class") {
    const auto train = load_fashion_mnist("train"), test = load_fashion_mnist("test");
    CHECK(train.images.sizes() == at::IntArrayRef({60000, 28, 28}));
    CHECK(test.images.sizes() == at::IntArrayRef({10000, 28, 28}));
    CHECK(at::equal(at::bincount(train.labels), at::full({10}, 6000, at::kLong)));
    CHECK(at::equal(at::bincount(test.labels), at::full({10}, 1000, at::kLong)));
    CHECK(train.images.max().item<int>() == 255);
    CHECK(train.images.min().item<int>() == 0);
  }
  SECTION("corrupt, truncated and missing files") {
    const std::string dir = gftlab::testing::scratch_path("images_idx");
    std::filesystem::create_directories(dir);
    write_gz(dir + "/magic.gz", {0, 0, 8, 9, 0, 0, 0, 1});
    CHECK_THAT(failure_of([&] { read_idx_gz(dir + "/magic.gz"); }), Catch::Contains("bad IDX magic"));
    write_gz(dir + "/type.gz", {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0});
    CHECK_THAT(failure_of([&] { read_idx_gz(dir + "/type.gz"); }), Catch::Contains("element type 0x0d"));
    write_gz(dir + "/short.gz", {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3});
    CHECK_THAT(failure_of([&] { read_idx_gz(dir + "/short.gz"); }), Catch::Contains("truncated data (3 of 5 bytes)"));
    write_gz(dir + "/long.gz", {0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3});
    CHECK_THAT(failure_of([&] { read_idx_gz(dir + "/long.gz"); }), Catch::Contains("beyond"));
    write_gz(dir + "/ok.gz", {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6});
    const auto ok = read_idx_gz(dir + "/ok.gz");
    CHECK(ok.sizes() == at::IntArrayRef({2, 3}));
    CHECK(ok[1][2].item<int>() == 6);
    std::ofstream(dir + "/plain.gz") << "not gzip at all";  // zlib reads plain files transparently
    CHECK_THAT(failure_of([&] { read_idx_gz(dir + "/plain.gz"); }), Catch::Contains("bad IDX magic"));
    setenv("GFTLAB_FASHION_MNIST_DIR", (dir + "/nowhere").c_str(), 1);
    const auto missing = failure_of([] { load_fashion_mnist("train"); });
    unsetenv("GFTLAB_FASHION_MNIST_DIR");
    CHECK_THAT(missing, Catch::Contains("dataset-fashion-mnist"));
    CHECK_THROWS_AS(([&] {
                      setenv("GFTLAB_FASHION_MNIST_DIR", "/nowhere", 1);
                      load_fashion_mnist("test");
                    })(),
                    ConfigError);
    unsetenv("GFTLAB_FASHION_MNIST_DIR");
  }
}

TEST_CASE("Fréchet distance: closed form for Gaussians, SciPy's sqrtm on random features, 0 for one set",
          "[images][metrics][frechet]") {
  auto gen = make_generator(21);
  SECTION("Gaussians with commuting covariances: |dmu|^2 + sum (sqrt(a) - sqrt(b))^2") {
    const auto q = std::get<0>(at::linalg_qr(at::randn({5, 5}, gen, at::kDouble)));  // a shared eigenbasis
    const auto ea = at::tensor({1.0, 2.0, 0.5, 3.0, 0.1}, at::kDouble),
               eb = at::tensor({4.0, 0.5, 0.5, 1.0, 0.2}, at::kDouble);
    GaussianStats a{at::zeros({5}, at::kDouble), at::matmul(q * ea, q.t())};
    GaussianStats b{at::full({5}, 0.5, at::kDouble), at::matmul(q * eb, q.t())};
    const double expected = 5 * 0.25 + (ea.sqrt() - eb.sqrt()).pow(2).sum().item<double>();
    CHECK(frechet_distance(a, b) == Approx(expected).epsilon(1e-10));
    CHECK(frechet_distance(b, a) == Approx(expected).epsilon(1e-10));
  }
  SECTION("equal to a SciPy sqrtm computation to 1e-6 relative, on correlated features") {
    const auto mix = at::randn({16, 16}, gen, at::kDouble);
    const auto a = at::matmul(at::randn({500, 16}, gen, at::kDouble), mix);
    const auto b = at::matmul(at::randn({400, 16}, gen, at::kDouble), mix * 0.8) + 0.3;
    const auto path_a = testing::scratch_path("frechet_a.bin"), path_b = testing::scratch_path("frechet_b.bin");
    testing::write_raw(path_a, a);
    testing::write_raw(path_b, b);
    const double scipy = testing::run_python(std::string(GFTLAB_PYTHON) + " " + GFTLAB_TEST_DIR +
                                             "/py/scipy_frechet.py " + path_a + " " + path_b + " 16");
    const double ours = frechet_distance(gaussian_stats(a), gaussian_stats(b));
    CHECK(ours == Approx(scipy).epsilon(1e-6));
    CHECK(ours > 1.0);
  }
  SECTION("zero for identical sets, and positive-semidefinite round-off does not make it negative") {
    const auto x = at::randn({300, 8}, gen, at::kDouble);
    CHECK(frechet_distance(gaussian_stats(x), gaussian_stats(x)) == Approx(0.0).margin(1e-9));
    const auto low_rank = at::matmul(at::randn({300, 2}, gen, at::kDouble), at::randn({2, 8}, gen, at::kDouble));
    CHECK(frechet_distance(gaussian_stats(low_rank), gaussian_stats(low_rank)) == Approx(0.0).margin(1e-6));
  }
}

TEST_CASE("images: Fashion-MNIST classes as a distribution, the U-Net, and a whole tiny image run",
          "[images][run][uses_feature_store]") {
  SECTION("class subsets: sizes, pixel range, distinct seeded draws, the test split for held-out samples") {
    const FashionMnist shirts_to_boots({5, 6, 7, 8, 9});
    CHECK(shirts_to_boots.sample_shape() == std::vector<int64_t>{1, 28, 28});
    CHECK(shirts_to_boots.available() == 30000);
    CHECK(shirts_to_boots.available_held_out() == 5000);
    auto gen = make_generator(3);
    const auto x = shirts_to_boots.sample(500, gen);
    CHECK(x.sizes() == at::IntArrayRef({500, 1, 28, 28}));
    CHECK(x.min().item<float>() >= -1.0f);
    CHECK(x.max().item<float>() <= 1.0f);
    CHECK(std::get<0>(at::unique_dim(x.flatten(1), 0)).size(0) == 500);  // a subset: no image twice
    auto again = make_generator(3);
    CHECK(at::equal(shirts_to_boots.sample(500, again), x));
    const auto test = shirts_to_boots.held_out(5000, gen);
    const auto train = shirts_to_boots.sample(30000, gen);
    // The two splits share no image.
    const auto both = at::cat({test.flatten(1), train.flatten(1)});
    CHECK(std::get<0>(at::unique_dim(both, 0)).size(0) >=
          35000 - 10);  // a handful of exact duplicates exist in the data
    CHECK_THROWS_WITH(shirts_to_boots.held_out(5001, gen), Catch::Contains("held-out split has 5000"));
  }
  SECTION("the U-Net: image-shaped velocities, 1-3 M parameters by default, seeded, v = 0 at initialisation") {
    const auto cfg = Config::load("", {"model.kind=unet"});
    const auto a = make_velocity_field(cfg, {1, 28, 28}, 7), b = make_velocity_field(cfg, {1, 28, 28}, 7);
    const auto c = make_velocity_field(cfg, {1, 28, 28}, 8);
    const int64_t params = parameter_count(*a);
    INFO(params << " parameters");
    CHECK(params > 1'000'000);
    CHECK(params < 3'000'000);
    for (size_t k = 0; k < a->parameters().size(); ++k) REQUIRE(at::equal(a->parameters()[k], b->parameters()[k]));
    CHECK(!at::equal(a->parameters()[3], c->parameters()[3]));
    auto gen = make_generator(1);
    const auto x = at::randn({4, 1, 28, 28}, gen, at::kFloat);
    const auto t = at::rand({4}, gen, at::kFloat);
    const auto v = a->forward(t, x);
    CHECK(v.sizes() == x.sizes());
    CHECK(v.abs().max().item<float>() == 0.0f);  // the output layer starts at zero
    // With a non-zero output layer the field depends on t and x and gradients reach every parameter.
    {
      at::NoGradGuard no_grad;
      for (auto& p : a->named_parameters())
        if (p.key().rfind("conv_out.", 0) == 0) p.value().normal_(0, 0.1, gen);
    }
    const auto v1 = a->forward(t, x), v2 = a->forward(1 - t, x);
    CHECK(!at::allclose(v1, v2));
    v1.pow(2).sum().backward();
    for (auto& p : a->named_parameters()) {
      INFO(p.key());
      CHECK(p.value().grad().defined());
    }
  }
  SECTION("model and data mismatches are configuration errors") {
    CHECK_THROWS_WITH(make_velocity_field(Config::load("", {"model.kind=unet"}), {2}, 0), Catch::Contains("images"));
    CHECK_THROWS_WITH(make_velocity_field(Config::load("", {}), {1, 28, 28}, 0), Catch::Contains("model.kind: unet"));
    CHECK_THROWS_WITH(
        make_velocity_field(Config::load("", {"model.kind=unet", "model.unet.mults=[1,1,1,1]"}), {1, 28, 28}, 0),
        Catch::Contains("not divisible by 8"));
    CHECK_THROWS_WITH(make_velocity_field(Config::load("", {"model.kind=unet", "model.unet.groups=5"}), {1, 28, 28}, 0),
                      Catch::Contains("groups do not divide"));
    CHECK_THROWS_WITH(
        make_distribution(Config::load("", {"target.kind=fashion_mnist", "target.classes=[1, 1]"}), "target"),
        Catch::Contains("twice"));
  }
  SECTION("a tiny image run: classes 0-4 pretrained, fine-tuned with GFT to classes 5-9, every image metric") {
    const std::string dir = gftlab::testing::scratch_path("images_run");
    std::vector<std::string> keys{"source.kind=fashion_mnist",
                                  "source.classes=[0, 1, 2, 3, 4]",
                                  "target.kind=fashion_mnist",
                                  "target.classes=[5, 6, 7, 8, 9]",
                                  "target.n_train=64",
                                  "target.n_eval=64",
                                  "model.kind=unet",
                                  "model.unet.channels=8",
                                  "model.unet.mults=[1, 2]",
                                  "model.unet.blocks=1",
                                  "model.unet.groups=4",
                                  "pretrain.steps=3",
                                  "pretrain.batch_size=16",
                                  "finetune.steps=4",
                                  "finetune.batch_size=16",
                                  "eval.every=2",
                                  "eval.n_samples=64",
                                  "eval.sampler.steps=4",
                                  "eval.path_steps=4",
                                  "eval.euler_steps=[1, 2]",
                                  "eval.nll_samples=4",
                                  "eval.nll_steps=2",
                                  "eval.metrics=[w2, sliced_w2, mmd, energy, nll, diversity, fd, path, euler_ladder]",
                                  "method.name=gft",
                                  "coupling.kind=ot",
                                  "progress=none",
                                  "output.dir=" + dir + "/runs",
                                  "output.pretrained_dir=" + dir + "/pretrained",
                                  "output.features_dir=test_features_store"};
    for (const auto& key : gftlab::testing::test_feature_net_keys()) keys.push_back(key);
    const auto result = Runner(Config::load("", keys)).run();
    REQUIRE(result.status == RunStatus::kComplete);
    const auto f = read_run_file(result.path);
    CHECK(f.series.at("eval/step") == std::vector<double>{0, 2, 4});
    for (const char* m : {"w2", "sliced_w2", "mmd2", "energy", "nll", "recall", "vendi", "reference_vendi", "fd",
                          "path_length", "w2_euler_1", "fd_euler_1", "fd_euler_2"}) {
      INFO(m);
      CHECK(std::isfinite(f.finals.at(m)));
    }
    CHECK(f.shapes.at("eval/samples") == std::vector<int64_t>{3, 16, 28, 28});  // a grid per evaluation
    for (const char* step : {"0", "2", "4"}) {                                  // and a PNG file of it
      const auto& png = f.series.at(std::string("eval/sample_grids/") + step);
      CHECK(std::vector<double>(png.begin(), png.begin() + 8) ==
            std::vector<double>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    }
    // The feature network is named in the file, with its accuracy; FD's name carries the net and N.
    CHECK_THAT(f.attributes.at("fd_name"), Catch::StartsWith("FD-fmnist-cnn") && Catch::EndsWith("-64"));
    CHECK(std::stod(f.attributes.at("feature_net_accuracy")) >= gftlab::testing::kTestFeatureNetAccuracy);
    // Diversity is measured on features for images: the cosine Vendi of 64 samples is at most 64.
    CHECK(f.finals.at("reference_vendi") <= 64.0);
  }
}
