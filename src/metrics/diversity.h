// Diversity and fidelity of a generated set against a real one (docs/method.md, "Measurements"), on flattened
// samples or on features, in float64. Distances are computed in row blocks so that 10 000 x 10 000
// comparisons never hold a full matrix.
#pragma once

#include <ATen/ATen.h>

namespace gftlab {

struct ManifoldScores {
  double precision = 0, recall = 0;  // Kynkäänniemi et al. 2019, k-NN balls with k = k_pr
  double density = 0, coverage = 0;  // Naeem et al. 2020, k-NN balls of the real samples with k = k_dc
};

// The real side of the scores: its samples and their k-NN radii, the same at every evaluation of a run.
struct ManifoldReference {
  at::Tensor points;                // float64 rows
  at::Tensor radius_pr, radius_dc;  // squared k-th-neighbour radii for k_pr and k_dc
  int64_t k_pr = 3, k_dc = 5;
};
ManifoldReference manifold_reference(const at::Tensor& real, int64_t k_pr = 3, int64_t k_dc = 5);

ManifoldScores manifold_scores(const ManifoldReference& real, const at::Tensor& generated);
ManifoldScores manifold_scores(const at::Tensor& real, const at::Tensor& generated, int64_t k_pr = 3, int64_t k_dc = 5);

// Squared distance from each sample to its k-th nearest other sample in the same set.
at::Tensor kth_neighbour_sq_radius(const at::Tensor& x, int64_t k);

enum class VendiKernel { kCosine, kRbf };

// Vendi score exp(entropy of the eigenvalues of K / n) (Friedman & Dieng 2023): the effective number of
// distinct samples, 1 for identical samples and n for mutually dissimilar ones. kRbf uses
// exp(-|x - y|^2 / (2 bandwidth^2)).
double vendi_score(const at::Tensor& x, VendiKernel kernel, double bandwidth = 1.0);

// Mean Euclidean distance over pairs of distinct samples.
double mean_pairwise_distance(const at::Tensor& x);

// Median Euclidean distance over pairs of distinct samples (the default RBF bandwidth).
double median_pairwise_distance(const at::Tensor& x);

}  // namespace gftlab
