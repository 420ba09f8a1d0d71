// Reading a YAML file whose top level is a mapping, with errors that name the file and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace gftlab {

// `what` names the file's role in messages ("config", "experiment"). An empty file is an empty mapping.
YAML::Node load_yaml_mapping(const std::string& file, const std::string& what);

// Throws ConfigError when YAML text (an override's value) expands past kMaxYamlNodes; invalid YAML is left to
// the caller's parser and its message. `origin` names the text in messages.
void measure_yaml_text(const std::string& text, const std::string& origin);

// YAML aliases are legal and a few levels of reuse are normal, but nine nested aliases of ten items each
// expand to 10^9 nodes from 300 bytes: a document is measured from its parser events (linear in its size)
// and refused when it would expand to more nodes than this.
constexpr long long kMaxYamlNodes = 100000;

}  // namespace gftlab
