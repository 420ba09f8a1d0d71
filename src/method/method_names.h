// The methods of method.name, one row each, and the names of their kinds of options (core/names.h). Adding a
// method is a row (method/method_kinds.cpp: its name, what it needs, its checks and its factory), its class and
// its test. This header is free of LibTorch: the schema and the sweeps read the rows too.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace gftlab {

class Config;
class Distribution;
class Method;
class VelocityField;

// What a method's factory is given: the frozen v_pre (null exactly when the method uses none), the target and
// (for the exact log ratio) the source, and a reward learned beforehand (for `log_ratio_classifier`).
struct MethodInputs {
  const Config& cfg;
  int64_t finetune_steps;  // the run's length (a cooling schedule's default anneal_steps)
  std::shared_ptr<VelocityField> pretrained;
  const Distribution& target;
  const Distribution* source;
  std::function<at::Tensor(const at::Tensor&)> reward;
};

struct MethodKind {
  std::string name;
  bool uses_pretrained;  // false: trains from a fresh initialisation (`scratch`)
  bool reward_based;     // fine-tunes towards a reward instead of regressing on target batches
  // ConfigError if the method cannot run with this configuration and target (the checks that need no data).
  void (*check)(const Config& cfg, int64_t finetune_steps, const Distribution& target, const Distribution* source);
  std::unique_ptr<Method> (*make)(MethodInputs in);
};

const std::vector<MethodKind>& method_kinds();
std::vector<std::string> method_names();  // method.name
const MethodKind& method_kind(const Config& cfg);

// ConfigError unless the coupling suits the method: one that draws no target batches takes `independent`.
void check_method_coupling(const Config& cfg);

enum class TimeWeight { kUniform, kT, kOneMinusT };
const std::vector<std::string>& time_weight_names();  // method.time_weight

}  // namespace gftlab
