#include "core/yaml_file.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "core/config.h"

namespace gftlab {
namespace {

// yaml-cpp keeps both entries of a key written twice and answers lookups with the first, so a file that
// says `seed: 1` and later `seed: 2` would silently run with 1.
void refuse_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node) refuse_duplicate_keys(item, file, fmt::format("{}[{}]", path, i++));
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    const std::string key_path = path.empty() ? key : path + "." + key;
    const int line = entry.first.Mark().line + 1;
    const auto [seen, fresh] = first_line.emplace(key, line);
    if (!fresh)
      throw ConfigError(
          fmt::format("{}:{}: {}: the key is given twice in one mapping, on lines {} and {}; keep "
                      "one",
                      file, line, key_path, seen->second, line));
    refuse_duplicate_keys(entry.second, file, key_path);
  }
}

// Counts the nodes a document expands to, an alias counting as the whole anchored node, without expanding
// anything; throws at the first alias that takes the count over kMaxYamlNodes.
class ExpansionCounter : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(std::string origin) : origin_(std::move(origin)) {}
  void OnDocumentStart(const YAML::Mark&) override { open_.push_back({0, 0}); }
  void OnDocumentEnd() override { open_.clear(); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(size_.count(anchor) ? size_[anchor] : 1, mark, anchor);
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    long long nodes;
  };
  void name(YAML::anchor_t anchor) {
    if (anchor) names_[anchor] = pending_name_;
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    name(anchor);
    if (anchor) size_[anchor] = 1;
    add(1, mark, 0);
  }
  void open(YAML::anchor_t anchor) {
    name(anchor);
    open_.push_back({anchor, 1});
  }
  void close() {
    const Open done = open_.back();
    open_.pop_back();
    if (done.anchor) size_[done.anchor] = done.nodes;
    if (!open_.empty()) open_.back().nodes += done.nodes;
  }
  void add(long long nodes, const YAML::Mark& mark, YAML::anchor_t alias) {
    open_.back().nodes += nodes;
    total_ += nodes;
    if (total_ <= kMaxYamlNodes) return;
    throw ConfigError(fmt::format(
        "{}:{}: {} expands the document past {} nodes (YAML aliases nested too deeply: "
        "write the values out, or reuse them fewer times)",
        origin_, mark.line + 1, alias ? "the alias *" + names_[alias] : std::string("this node"), kMaxYamlNodes));
  }
  std::string origin_, pending_name_;
  std::vector<Open> open_;
  std::map<YAML::anchor_t, long long> size_;
  std::map<YAML::anchor_t, std::string> names_;
  long long total_ = 0;
};

void measure(const std::string& text, const std::string& origin) {
  std::istringstream events(text);
  YAML::Parser parser(events);
  ExpansionCounter counter(origin);
  while (parser.HandleNextDocument(counter)) {
  }
}

}  // namespace

void measure_yaml_text(const std::string& text, const std::string& origin) {
  try {
    measure(text, origin);
  } catch (const YAML::Exception&) {
  }
}

YAML::Node load_yaml_mapping(const std::string& file, const std::string& what) {
  std::ifstream in(file);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the {} file", file, what));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  YAML::Node root;
  try {
    measure(text, file);
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(fmt::format("{}: the top level must be a mapping of keys", file));
  refuse_duplicate_keys(root, file, "");
  return root;
}

}  // namespace gftlab
