// The model factory: the configured network for the data's per-sample shape, seeded.
#include <fmt/format.h>

#include "core/config.h"
#include "core/names.h"
#include "core/rng.h"
#include "model/config_keys.h"
#include "model/mlp.h"
#include "model/scripted_field.h"
#include "model/unet.h"

namespace gftlab {
namespace {

FieldPtr configured_unet(const Config& cfg, const std::vector<int64_t>& shape) {
  if (shape.size() != 3) throw cfg.error("model.kind", "the unet takes images [C, H, W]; this data is not");
  UNetSettings s;
  s.image_channels = shape[0];
  s.channels = cfg.get_int("model.unet.channels");
  s.mults = cfg.get_int_list("model.unet.mults");
  s.blocks = cfg.get_int("model.unet.blocks");
  s.groups = cfg.get_int("model.unet.groups");
  s.time_embed_dim = cfg.get_int("model.time_embed_dim");
  if (s.mults.empty()) throw cfg.error("model.unet.mults", "needs at least one level");
  const int64_t factor = int64_t(1) << (s.mults.size() - 1);
  if (shape[1] % factor != 0 || shape[2] % factor != 0)
    throw cfg.error("model.unet.mults",
                    fmt::format("{} levels halve the image {} times: {} x {} is not divisible by {}", s.mults.size(),
                                s.mults.size() - 1, shape[1], shape[2], factor));
  for (int64_t m : s.mults)
    if ((s.channels * m) % s.groups != 0)
      throw cfg.error("model.unet.groups",
                      fmt::format("{} groups do not divide a level's {} channels", s.groups, s.channels * m));
  return make_unet(s);
}

FieldPtr configured_mlp(const Config& cfg, const std::vector<int64_t>& shape) {
  if (shape.size() != 1) throw cfg.error("model.kind", "the mlp takes flat vectors; use model.kind: unet for images");
  return make_mlp(shape[0], cfg.get_int("model.width"), cfg.get_int("model.depth"), cfg.get_int("model.time_embed_dim"),
                  cfg.get_string("model.activation"));
}

struct ModelKind {
  std::string name;
  FieldPtr (*make)(const Config& cfg, const std::vector<int64_t>& sample_shape);
};

// model.kind, one row each.
const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {{"mlp", configured_mlp}, {"unet", configured_unet}};
  return kinds;
}

}  // namespace

FieldPtr make_velocity_field(const Config& cfg, const std::vector<int64_t>& sample_shape, uint64_t seed) {
  if (const auto& file = imported_field_file(cfg); !file.empty()) {
    try {
      return std::make_shared<ScriptedField>(file, sample_shape);
    } catch (const std::runtime_error& e) {
      throw cfg.error("pretrain.import", e.what());
    }
  }
  const int64_t embed = cfg.get_int("model.time_embed_dim");
  if (embed % 2 != 0) throw cfg.error("model.time_embed_dim", "must be even (sin and cos halves)");
  FieldPtr field = kind_named(model_kinds(), cfg.get_string("model.kind")).make(cfg, sample_shape);
  auto gen = make_generator(seed, "model-init");
  field->initialise(gen);
  return field;
}

std::vector<std::string> model_kind_names() { return kind_names(model_kinds()); }

std::string imported_field_file(const Config& cfg) { return cfg.get_string("pretrain.import"); }

}  // namespace gftlab
