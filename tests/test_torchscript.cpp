#include "testing.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "core/config.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "features/frechet.h"
#include "features/script_features.h"
#include "io/torchscript.h"
#include "model/scripted_field.h"
#include "sampler/sampler.h"

using namespace gftlab;
using Catch::Matchers::Contains;

namespace {

// The stand-ins of tests/py/torchscript_standins.py, written once per test process.
const std::string& standins() {
  static const std::string dir = gftlab::testing::written_by_python("torchscript_standins.py", "torchscript");
  return dir;
}

std::string file(const std::string& name) { return standins() + "/" + name; }

Config with(const std::string& key, const std::string& name) { return Config::load("", {key + "=" + file(name)}); }

}  // namespace

// One test case, so that the stand-ins are written once: the sections run in one process.
TEST_CASE("supplied TorchScript files: Inception, feature extractor, velocity field, and every refusal",
          "[torchscript]") {
  SECTION("Inception: clean-fid's quantisation, Python's features to 1e-5, the refusals") {
    const auto f = load_inception(with("eval.fid.inception", "inception.pt"), {1, 28, 28});
    CHECK(f.id == file_sha256(file("inception.pt")));
    CHECK(f.id.size() == 64);
    const auto images = gftlab::testing::read_raw(file("images.f64"), {5, 1, 28, 28}).to(at::kFloat);
    const auto expected = gftlab::testing::read_raw(file("inception_features.f64"), {5, kInceptionFeatures});
    const auto features = f(images);
    REQUIRE(features.sizes() == expected.sizes());
    CHECK((features - expected).abs().max().item<double>() < 1e-5);
    // Quantisation: 127.5 (x + 1) rounded half to even and clipped; one channel becomes three.
    const auto q = inception_input(at::tensor({-1.5f, -1.0f, -0.996f, 0.0f, 1.0f, 2.0f}).reshape({1, 1, 2, 3}));
    CHECK(q.sizes() == at::IntArrayRef({1, 3, 2, 3}));
    CHECK(at::equal(q[0][0].flatten(), at::tensor({0.0f, 0.0f, 1.0f, 128.0f, 255.0f, 255.0f})));
    CHECK(at::equal(q[0][2], q[0][0]));

    const auto refused = [](const std::string& name, const std::vector<int64_t>& shape) {
      return load_inception(with("eval.fid.inception", name), shape);
    };
    CHECK_THROWS_WITH(refused("absent.pt", {1, 28, 28}), Contains("eval.fid.inception") && Contains("no such file"));
    CHECK_THROWS_WITH(refused("not_torchscript.pt", {1, 28, 28}), Contains("not a TorchScript archive"));
    CHECK_THROWS_WITH(refused("inception_kwargless.pt", {1, 28, 28}), Contains("forward failed"));
    CHECK_THROWS_WITH(refused("inception_wrong_dim.pt", {1, 28, 28}), Contains("not [2, 2048]"));
    CHECK_THROWS_WITH(refused("inception.pt", {2}), Contains("FID needs images of 1 or 3 channels"));
    CHECK_THROWS_AS(refused("inception.pt", {2}), ConfigError);
  }

  SECTION("feature extractor: any [n, D] output, named, probed before any work") {
    const auto cfg =
        Config::load("", {"eval.features.torchscript=" + file("features.pt"), "eval.features.name=standin"});
    for (const std::vector<int64_t>& shape : {std::vector<int64_t>{1, 28, 28}, std::vector<int64_t>{2}}) {
      const auto f = load_torchscript_features(cfg, shape);
      CHECK(f.name == "standin");
      auto batch = shape;
      batch.insert(batch.begin(), 7);
      CHECK(f(at::randn(batch)).sizes() == at::IntArrayRef({7, 16}));
    }
    CHECK_THROWS_WITH(
        load_torchscript_features(Config::load("", {"eval.features.torchscript=" + file("features.pt")}), {2}),
        Contains("eval.features.name"));
    CHECK_THROWS_WITH(
        load_torchscript_features(cfg.with_overrides({"eval.features.torchscript=" + file("features_1d.pt")}), {2}),
        Contains("gave output of shape [2], not [2, D]"));
  }

  SECTION("imported velocity field: Euler samples equal Python's, weights train and copy by name") {
    ScriptedField field(file("velocity.pt"), {2});
    const auto noise = gftlab::testing::read_raw(file("noise.f64"), {64, 2}).to(at::kFloat);
    const auto expected = gftlab::testing::read_raw(file("euler.f64"), {64, 2});
    at::Tensor x;
    {
      at::NoGradGuard no_grad;
      x = FixedStepSampler(FixedMethod::kEuler, 20).solve(field_of(field), noise, 0.0, 1.0).x;
    }
    CHECK((x.to(at::kDouble) - expected).abs().max().item<double>() < 1e-5);
    const auto names = field.named_parameters().keys();
    CHECK(names == std::vector<std::string>{"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"});
    // A gradient step on the registered parameters moves the module's own output.
    const auto t = at::full({64}, 0.3);
    const auto before = field.forward(t, noise).detach().clone();
    field.forward(t, noise).pow(2).sum().backward();
    {
      at::NoGradGuard no_grad;
      for (auto& p : field.parameters()) p.sub_(0.1 * p.grad());
    }
    CHECK((field.forward(t, noise) - before).abs().max().item<double>() > 1e-3);
    ScriptedField copy(file("velocity.pt"), {2});
    copy_weights(field, copy);
    CHECK(at::equal(copy.forward(t, noise), field.forward(t, noise)));

    const auto cfg = Config::load("", {"pretrain.import=" + file("velocity.pt"), "finetune.trainable=[net.2.*]"});
    CHECK(restrict_trainable(cfg, copy) == std::vector<std::string>{"net.2.weight", "net.2.bias"});
    CHECK_FALSE(copy.named_parameters()["net.0.weight"].requires_grad());
    CHECK_THROWS_WITH(restrict_trainable(cfg.with_overrides({"finetune.trainable=[head.*]"}), copy),
                      Contains("'head.*' matches none of the model's parameters: net.0.weight"));
    CHECK_THROWS_WITH(ScriptedField(file("velocity_xonly.pt"), {2}), Contains("forward failed"));
    // A file from a newer PyTorch: the operator it needs, and what to do, in one line.
    CHECK_NOTHROW(ScriptedField(file("velocity_relu.pt"), {2}));
    try {
      make_velocity_field(cfg.with_overrides({"pretrain.import=" + file("velocity_newer_op.pt")}), {2}, 0);
      FAIL("a file calling an operator this LibTorch lacks was loaded");
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Contains("pretrain.import") && Contains("velocity_newer_op.pt") &&
                           Contains("uses the operator aten::scaled_dot_product_attention") && Contains("docs/gpu.md"));
      CHECK(what.find('\n') == std::string::npos);
    }
    CHECK_THROWS_WITH(make_velocity_field(cfg, {3}, 0), Contains("pretrain.import"));
  }
}

TEST_CASE("KID: clean-fid's estimate, equal to numpy's on the same features, and its subsets", "[torchscript]") {
  auto gen = make_generator(5);
  const auto x = at::randn({200, 16}, gen, at::kDouble), y = at::randn({200, 16}, gen, at::kDouble) * 1.1 + 0.3;
  const auto dir = gftlab::testing::scratch_path("kid");
  std::filesystem::create_directories(dir);
  gftlab::testing::write_raw(dir + "/x.f64", x);
  gftlab::testing::write_raw(dir + "/y.f64", y);
  // clean-fid's kernel_distance with the whole sets as the one subset size (its loop is then the same sum).
  const auto script = fmt::format(
      "import numpy as np; x = np.fromfile('{0}/x.f64').reshape(200, 16); y = np.fromfile('{0}/y.f64').reshape(200, "
      "16); "
      "m = 200; a = (x @ x.T / 16 + 1) ** 3 + (y @ y.T / 16 + 1) ** 3; b = (x @ y.T / 16 + 1) ** 3; "
      "print(repr(((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m))",
      dir);
  const double numpy = gftlab::testing::run_python(fmt::format("{} -c \"{}\"", GFTLAB_PYTHON, script));
  const double kid = kernel_inception_distance(x, y, 100, 1000, gen);
  CHECK(kid == Approx(numpy).epsilon(1e-12));
  CHECK(kid > 0.01);
  // Subsets of 50 of the 200: their mean estimates the same quantity (the whole sets' value is unbiased too).
  const double subsets = kernel_inception_distance(x, y, 400, 50, gen);
  CHECK(subsets == Approx(kid).epsilon(0.1));
}
