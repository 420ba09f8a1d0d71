#include "testing.h"

#include <cstdio>
#include <fstream>

#include "core/config.h"
#include "core/device.h"

using gftlab::Config;
using gftlab::ConfigError;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = gftlab::testing::scratch_path("config_" + name + ".yaml");
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("config: defaults, overrides, canonical form and run_id", "[config]") {
  const Config defaults = Config::defaults();
  CHECK(defaults.get_int("seed") == 0);
  CHECK(defaults.get_string("method.name") == "standard");

  const Config cfg = Config::load("", {"seed=7", "finetune.lr=3e-4", "eval.euler_steps=[1, 3]"});
  CHECK(cfg.get_int("seed") == 7);
  CHECK(cfg.get_float("finetune.lr") == Approx(3e-4));
  CHECK(cfg.get_int_list("eval.euler_steps") == std::vector<int64_t>{1, 3});

  SECTION("canonical YAML reloads to the same config and the same run_id") {
    const std::string path = write_temp("canonical", cfg.canonical_yaml());
    const Config again = Config::load(path);
    CHECK(again.canonical_yaml() == cfg.canonical_yaml());
    CHECK(again.run_id() == cfg.run_id());
  }
  SECTION("run_id changes with results-affecting keys only") {
    CHECK(cfg.run_id() != Config::load("", {"seed=8", "finetune.lr=3e-4", "eval.euler_steps=[1, 3]"}).run_id());
    CHECK(cfg.run_id() == cfg.with_overrides({"threads=2", "output.dir=elsewhere", "progress=none"}).run_id());
    CHECK(cfg.run_id().size() == 16);
  }
  SECTION("nested arrays keep their shape") {
    const std::string path = write_temp("gmm", "target:\n  kind: gmm\n  gmm:\n    means: [[1, 2], [3, 4], [5, 6]]\n");
    const Config loaded = Config::load(path);
    const auto& means = loaded.get("target.gmm.means");
    CHECK(means.shape == std::vector<int64_t>{3, 2});
    CHECK(means.numbers == std::vector<double>{1, 2, 3, 4, 5, 6});
  }
}

TEST_CASE("config: every kind of bad input is refused with file, key path and what is allowed", "[config]") {
  SECTION("unknown key in a file: file, line and did-you-mean") {
    const std::string path = write_temp("typo", "seed: 1\nmethod:\n  nmae: standard\n");
    const auto msg = error_of([&] { Config::load(path); });
    CHECK_THAT(msg, Catch::Contains(path + ":3"));
    CHECK_THAT(msg, Catch::Contains("unknown key 'method.nmae'"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'method.name'"));
  }
  SECTION("device: cpu, auto, and cuda refused where there is none, before any work; not part of the run_id") {
    CHECK(resolve_device(Config::load("", {"device=cpu"})).is_cpu());
    CHECK(Config::load("", {"device=cuda:1", "cudnn_benchmark=true"}).run_id() == Config::load("", {}).run_id());
    CHECK_THAT(error_of([] { resolve_device(Config::load("", {"device=gpu"})); }),
               Catch::Contains("device") && Catch::Contains("not one of cpu, cuda, cuda:K, auto"));
    CHECK_THAT(error_of([] { resolve_device(Config::load("", {"device=cuda:x"})); }), Catch::Contains("device number"));
    if (!at::hasCUDA()) {  // Debian's LibTorch
      CHECK(resolve_device(Config::load("", {"device=auto"})).is_cpu());
      for (const char* name : {"device=cuda", "device=cuda:0"})
        CHECK_THAT(error_of([&] { resolve_device(Config::load("", {name})); }),
                   Catch::Contains("built against a LibTorch without CUDA") && Catch::Contains("docs/gpu.md"));
    }
  }
  SECTION("unknown override key suggests the near miss") {
    const auto msg = error_of([] { Config::load("", {"seeed=1"}); });
    CHECK_THAT(msg, Catch::Contains("override 'seeed=1'"));
    CHECK_THAT(msg, Catch::Contains("did you mean 'seed'"));
  }
  SECTION("a bad choice lists the allowed names") {
    const auto msg = error_of([] { Config::load("", {"method.name=gftt"}); });
    CHECK_THAT(msg, Catch::Contains("method.name"));
    CHECK_THAT(msg, Catch::Contains("'gftt' is not one of: standard, scratch"));
  }
  SECTION("wrong types") {
    CHECK_THAT(error_of([] { Config::load("", {"seed=abc"}); }), Catch::Contains("seed: expected an integer"));
    CHECK_THAT(error_of([] { Config::load("", {"seed=1.5"}); }), Catch::Contains("expected an integer"));
    CHECK_THAT(error_of([] { Config::load("", {"finetune.lr=[1]"}); }), Catch::Contains("expected a number"));
    CHECK_THAT(error_of([] { Config::load("", {"eval.euler_steps=4"}); }),
               Catch::Contains("expected a list of integers"));
    const std::string path = write_temp("type", "model:\n  width: wide\n");
    CHECK_THAT(error_of([&] { Config::load(path); }), Catch::Contains(path + ":2: model.width: expected an integer"));
  }
  SECTION("out-of-range values name the range") {
    CHECK_THAT(error_of([] { Config::load("", {"finetune.lr=0"}); }), Catch::Contains("allowed: > 0"));
    CHECK_THAT(error_of([] { Config::load("", {"finetune.ema_decay=1.5"}); }), Catch::Contains("allowed: [0, 1]"));
    CHECK_THAT(error_of([] { Config::load("", {"eval.euler_steps=[1, 0]"}); }), Catch::Contains("out of range"));
  }
  SECTION("malformed overrides, groups and YAML") {
    CHECK_THAT(error_of([] { Config::load("", {"seed"}); }), Catch::Contains("key=value"));
    CHECK_THAT(error_of([] { Config::load("", {"method=gft"}); }), Catch::Contains("is a group"));
    const std::string path = write_temp("yaml", "seed: [1\n");
    CHECK_THAT(error_of([&] { Config::load(path); }), Catch::Contains("invalid YAML"));
    CHECK_THAT(error_of([] { Config::load("no/such/file.yaml"); }), Catch::Contains("cannot open"));
  }
  SECTION("a key given twice names both lines, at any depth") {
    const std::string top = write_temp("dup_top", "seed: 1\nmodel:\n  width: 8\nseed: 2\n");
    CHECK_THAT(error_of([&] { Config::load(top); }),
               Catch::Contains(top + ":4: seed: the key is given twice in one mapping, on lines 1 and 4"));
    const std::string nested = write_temp("dup_nested", "eval:\n  sampler: {kind: euler, steps: 4, steps: 8}\n");
    CHECK_THAT(error_of([&] { Config::load(nested); }),
               Catch::Contains(nested + ":2: eval.sampler.steps: the key is given twice"));
    const std::string listed =
        write_temp("dup_list", "method:\n  schedule:\n    stages:\n      - {beta: 1, beta: 2}\n");
    CHECK_THAT(error_of([&] { Config::load(listed); }),
               Catch::Contains("method.schedule.stages[0].beta: the key is given twice"));
  }
  SECTION("semantic errors raised later still name their origin") {
    const Config cfg = Config::load("", {"model.time_embed_dim=7"});
    CHECK_THAT(std::string(cfg.error("model.time_embed_dim", "must be even").what()),
               Catch::Contains("override 'model.time_embed_dim=7': model.time_embed_dim: must be even"));
  }
}
