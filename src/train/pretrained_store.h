// Content-addressed store of pretrained models: <pretrained_dir>/<id>.pt with <id>.yaml beside it, where
// id hashes the resolved source, model, path and pretrain keys (seed resolved). Every run naming the
// same pretraining reuses the same weights; a file lock makes concurrent workers compute it once.
#pragma once

#include <string>

#include "model/velocity_field.h"

namespace gftlab {

class Config;
class Distribution;

struct Pretrained {
  FieldPtr field;  // the EMA weights of pretraining
  std::string id;
  std::string path;
  bool reused = false;
};

// pretrain.import names a TorchScript model to use instead: its SHA-256 is then the id, and the file itself
// the model's path.
bool imports_pretrained(const Config& cfg);
// The pretraining part of `cfg`, with pretrain.seed resolved, whose hash is the store id.
Config pretraining_config(const Config& cfg);
std::string pretrained_id(const Config& cfg);
// Where the store keeps that model: <output.pretrained_dir>/<id>.pt.
std::string pretrained_path(const Config& cfg);

Pretrained get_or_pretrain(const Config& cfg, const Distribution& source);

}  // namespace gftlab
