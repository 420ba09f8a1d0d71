// pretrain.import: a researcher's pretrained velocity field as a TorchScript file, v = forward(t, x) with t [N]
// and x [N, sample shape...]. Its parameters and buffers are registered under their own dotted names as this
// module's (the module's own tensors, so updating them updates it): the optimiser, the EMA, copy_weights,
// checkpoints and finetune.trainable treat it as any other model.
#pragma once

#include <string>
#include <vector>

#include "io/torchscript.h"
#include "model/velocity_field.h"

namespace gftlab {

class ScriptedField : public VelocityField {
 public:
  // std::runtime_error naming the file when it is missing or not TorchScript, or when forward on a probe
  // batch of two samples of `sample_shape` fails or returns another shape.
  ScriptedField(const std::string& path, const std::vector<int64_t>& sample_shape);
  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override;
  // An imported model starts from its own weights: there is nothing of gftlab's to draw.
  void initialise(at::Generator& gen) override;
  void train(bool on = true) override;
  // Moves the parameters and buffers, then probes forward again on that device: a tensor the module holds
  // outside them (an attribute, a traced constant) stays on the CPU and fails here, naming the file, rather
  // than at the first training step.
  using VelocityField::to;
  void to(torch::Device device, bool non_blocking = false) override;
  const std::string& sha256() const { return module_.sha256(); }

 private:
  void probe(const at::Device& device);

  ScriptModule module_;
  std::vector<int64_t> sample_shape_;
};

}  // namespace gftlab
