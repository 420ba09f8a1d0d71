// The names of the methods and of their kinds of options, each in its enum's order: the schema offers them
// as the allowed values, and the code parses them once (core/names.h). Also the method checks that need no
// data, which a sweep makes for every planned run.
#pragma once

#include <string>
#include <vector>

namespace gftlab {

class Config;

enum class MethodKind { kStandard, kScratch, kGft, kGftMarginal, kL2sp, kAdjointMatching, kAdjointDeterministic };
const std::vector<std::string>& method_names();  // method.name
MethodKind method_kind(const Config& cfg);
// The methods that fine-tune towards a reward instead of regressing on target batches.
bool is_reward_method(MethodKind kind);

// ConfigError unless the coupling suits the method: one that draws no target batches takes `independent`.
void check_method_coupling(const Config& cfg);

enum class TimeWeight { kUniform, kT, kOneMinusT };
const std::vector<std::string>& time_weight_names();  // method.time_weight

}  // namespace gftlab
