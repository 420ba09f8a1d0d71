// The axes of a sweep: its seeds and its grid/zip points, counted before they are built so that a sweep too large
// to plan is refused at once (sweep_plan.cpp composes them with the arms).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sweep/experiment_source.h"

namespace gftlab {

// `seeds:` as a count (0 .. n-1) or a list; a count above `max_runs` is refused before the list is built.
std::vector<int64_t> read_seeds(const YAML::Node& node, const std::string& where, int64_t max_runs,
                                const ExperimentSource& src);

// The number of grid/zip points, from the axes' lengths (a zip is one axis), without building them.
long double count_points(const YAML::Node& grid, const YAML::Node& zip);

// Refuses a sweep whose arms x points x seeds exceed `max_runs`, before anything is built.
void check_sweep_size(size_t arms, long double points, size_t seeds, int64_t max_runs, const std::string& file);

// Each axis point is a list of (key, value) to apply together: grid axes multiply, the zip is one axis.
using Point = std::vector<std::pair<std::string, YAML::Node>>;
std::vector<Point> expand_axes(const YAML::Node& grid, const YAML::Node& zip, const ExperimentSource& src);

}  // namespace gftlab
