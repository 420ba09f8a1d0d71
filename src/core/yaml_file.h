// Reading a YAML file whose top level is a mapping, with errors that name the file and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace gftlab {

// `what` names the file's role in messages ("config", "experiment"). An empty file is an empty mapping.
YAML::Node load_yaml_mapping(const std::string& file, const std::string& what);

}  // namespace gftlab
