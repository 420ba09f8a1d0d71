// Distances between two sample sets a [n, d] and b [m, d] (flattened per sample), computed in float64.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "ot/cost.h"

namespace gftlab {

// Exact W2 between equal-size sets: sqrt(min over permutations of the mean squared distance).
// NaN when a sample is not finite (a blown-up model), since the distance is then undefined.
double exact_w2(const at::Tensor& a, const at::Tensor& b);
// Sliced W2 over `projections` random unit directions (equal-size sets).
double sliced_w2(const at::Tensor& a, const at::Tensor& b, int64_t projections, at::Generator& gen);
// Unbiased (U-statistic) squared MMD with the sum of RBF kernels exp(-|x-y|^2 / (2 s^2)): the within-set means
// leave out i = j. It can be slightly negative; the V-statistic's positive bias is smaller for less diverse
// sets and so would reward collapse. At least two samples per set.
double mmd2_rbf(const at::Tensor& a, const at::Tensor& b, const std::vector<double>& bandwidths);
// Energy distance 2E|X-Y| - E|X-X'| - E|Y-Y'|, the within-set means as U-statistics (i != j).
double energy_distance(const at::Tensor& a, const at::Tensor& b);

// The same with b's within-set terms given: a fixed reference set measured at every evaluation pays for
// them once. rbf_within_means: per bandwidth, the kernel's mean over pairs i != j; within_mean_distance:
// the mean |x - x'| over i != j.
std::vector<double> rbf_within_means(const at::Tensor& x, const std::vector<double>& bandwidths);
double within_mean_distance(const at::Tensor& x);
double mmd2_rbf(const at::Tensor& a, const at::Tensor& b, const std::vector<double>& bandwidths,
                const std::vector<double>& b_within);
double energy_distance(const at::Tensor& a, const at::Tensor& b, double b_within);

}  // namespace gftlab
