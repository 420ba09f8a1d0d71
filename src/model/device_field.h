// A model held on a device, seen from the CPU: inputs go to the device and velocities come back to where the
// inputs were (autograd follows both moves). Samplers, metrics and the reward classifier, which work on CPU
// tensors, evaluate a GPU model through it; for a CPU model the model itself is used.
#pragma once

#include "model/velocity_field.h"

namespace gftlab {

class DeviceField : public VelocityField {
 public:
  explicit DeviceField(FieldPtr inner) : inner_(std::move(inner)), device_(device_of(*inner_)) {}
  at::Tensor forward(const at::Tensor& t, const at::Tensor& x) override {
    return inner_->forward(t.to(device_), x.to(device_)).to(x.device());
  }
  at::Tensor forward_at(double t, const at::Tensor& x) override {
    return inner_->forward_at(t, x.to(device_)).to(x.device());
  }
  void initialise(at::Generator& gen) override { inner_->initialise(gen); }

 private:
  FieldPtr inner_;
  at::Device device_;
};

// `field` when it is on the CPU, else a DeviceField of it.
inline FieldPtr seen_from_cpu(const FieldPtr& field) {
  if (device_of(*field).is_cpu()) return field;
  return std::make_shared<DeviceField>(field);
}

}  // namespace gftlab
