// Exact linear assignment (Jonker-Volgenant: column reduction, reduction transfer, shortest augmenting paths): the solver behind exact W2 and the `ot` coupling.
#pragma once

#include <cstdint>
#include <vector>

namespace gftlab {

struct Assignment {
  std::vector<int64_t> row_to_col;  // a permutation of 0..n-1
  double cost = 0.0;                // sum of cost[i][row_to_col[i]]
};

// `cost` is n x n, row-major. Minimises the total cost exactly (no epsilon, no approximation).
Assignment solve_assignment(const std::vector<double>& cost, int64_t n);

}  // namespace gftlab
