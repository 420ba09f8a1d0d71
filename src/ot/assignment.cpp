#include "ot/assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace gftlab {
namespace {

constexpr double kLarge = std::numeric_limits<double>::max();
// Auction precision relative to the cost range: finer means more phases, coarser more repair paths.
constexpr double kFinalEpsilon = 1e-6;

// Dense square problem state: x[i] column of row i, y[j] row of column j (-1: free), v[j] column prices.
class JonkerVolgenant {
 public:
  JonkerVolgenant(const std::vector<double>& cost, int64_t n)
      : c_(cost.data()), n_(n), x_(n, -1), y_(n, -1), v_(n, kLarge) {}

  std::vector<int64_t> solve(AssignmentStart start) {
    // JV's augmenting row reduction is left out on purpose: on Euclidean costs its O(n^3) worst case is
    // the common case, while shortest augmenting paths alone stay exact. On geometric costs those paths
    // are long from a cold start, so larger problems start from near-optimal auction prices instead.
    if (start == AssignmentStart::kAuto)
      start = n_ < kAuctionMin ? AssignmentStart::kColumnReduction : AssignmentStart::kAuction;
    const auto free_rows = start == AssignmentStart::kAuction ? auction_start() : column_reduction();
    for (int64_t row : free_rows) augment(row);
    return x_;
  }

  const std::vector<double>& column_potentials() const { return v_; }

 private:
  double cost(int64_t i, int64_t j) const { return c_[i * n_ + j]; }

  // Below this many rows the classic start is cheaper than auction phases.
  static constexpr int64_t kAuctionMin = 64;
  static constexpr double kEpsilonDivisor = 5.0;

  // Epsilon-scaling auction (Bertsekas) in JV's convention: row i wants the column with the smallest
  // reduced cost c_ij - v_j, and a bid lowers v_j by the bidder's margin plus epsilon. It ends with a full
  // assignment whose prices are epsilon-optimal; rows not exactly at their cheapest column are freed so
  // that JV's invariant holds and the shortest augmenting paths (short, with such prices) finish exactly.
  std::vector<int64_t> auction_start() {
    const auto [lo, hi] = std::minmax_element(c_, c_ + n_ * n_);
    const double range = *hi - *lo;
    if (range == 0.0) return column_reduction();
    std::fill(v_.begin(), v_.end(), 0.0);
    const double eps_final = range * kFinalEpsilon;
    for (double eps = range / kEpsilonDivisor;; eps = std::max(eps / kEpsilonDivisor, eps_final)) {
      auction_phase(eps);
      if (eps == eps_final) break;
    }
    std::vector<int64_t> freed;
    for (int64_t i = 0; i < n_; ++i) {
      const int64_t j = x_[i];
      const double own = cost(i, j) - v_[j];
      for (int64_t k = 0; k < n_; ++k)
        if (cost(i, k) - v_[k] < own) {
          freed.push_back(i);
          x_[i] = y_[j] = -1;
          break;
        }
    }
    return freed;
  }

  void auction_phase(double eps) {
    std::fill(x_.begin(), x_.end(), -1);
    std::fill(y_.begin(), y_.end(), -1);
    std::vector<int64_t> bidders(n_);
    for (int64_t i = 0; i < n_; ++i) bidders[i] = n_ - 1 - i;
    while (!bidders.empty()) {
      const int64_t i = bidders.back();
      bidders.pop_back();
      const double* row = c_ + i * n_;
      int64_t best = 0;
      double first = kLarge, second = kLarge;
      for (int64_t j = 0; j < n_; ++j) {
        const double r = row[j] - v_[j];
        if (r < second) {
          if (r < first) {
            second = first;
            first = r;
            best = j;
          } else {
            second = r;
          }
        }
      }
      v_[best] -= second - first + eps;
      if (y_[best] >= 0) {
        x_[y_[best]] = -1;
        bidders.push_back(y_[best]);
      }
      y_[best] = i;
      x_[i] = best;
    }
  }

  // Each column takes its cheapest row; rows claimed once transfer their reduction to the column price.
  std::vector<int64_t> column_reduction() {
    for (int64_t i = 0; i < n_; ++i)
      for (int64_t j = 0; j < n_; ++j)
        if (cost(i, j) < v_[j]) {
          v_[j] = cost(i, j);
          y_[j] = i;
        }
    std::vector<char> unique(n_, 1);
    for (int64_t j = n_ - 1; j >= 0; --j) {
      const int64_t i = y_[j];
      if (x_[i] < 0) {
        x_[i] = j;
      } else {
        unique[i] = 0;
        y_[j] = -1;
      }
    }
    std::vector<int64_t> free_rows;
    for (int64_t i = 0; i < n_; ++i) {
      if (x_[i] < 0) {
        free_rows.push_back(i);
      } else if (unique[i]) {
        const int64_t j = x_[i];
        double min = kLarge;
        for (int64_t j2 = 0; j2 < n_; ++j2)
          if (j2 != j) min = std::min(min, cost(i, j2) - v_[j2]);
        v_[j] -= min;
      }
    }
    return free_rows;
  }

  // Moves the columns with the smallest distance to cols[lo, hi).
  int64_t find_minimum(int64_t lo, const std::vector<double>& d, std::vector<int64_t>& cols) const {
    int64_t hi = lo + 1;
    double mind = d[cols[lo]];
    for (int64_t k = hi; k < n_; ++k) {
      const int64_t j = cols[k];
      if (d[j] <= mind) {
        if (d[j] < mind) {
          hi = lo;
          mind = d[j];
        }
        cols[k] = cols[hi];
        cols[hi++] = j;
      }
    }
    return hi;
  }

  // Relaxes distances through the rows of the columns in cols[lo, hi); returns a free column at distance min.
  int64_t scan(int64_t& lo, int64_t& hi, std::vector<double>& d, std::vector<int64_t>& cols,
               std::vector<int64_t>& pred) const {
    while (lo != hi) {
      int64_t j = cols[lo++];
      const int64_t i = y_[j];
      const double mind = d[j];
      const double h = cost(i, j) - v_[j] - mind;
      for (int64_t k = hi; k < n_; ++k) {
        j = cols[k];
        const double reduced = cost(i, j) - v_[j] - h;
        if (reduced < d[j]) {
          d[j] = reduced;
          pred[j] = i;
          if (reduced == mind) {
            if (y_[j] < 0) return j;
            cols[k] = cols[hi];
            cols[hi++] = j;
          }
        }
      }
    }
    return -1;
  }

  // Dijkstra-style shortest augmenting path from a free row, then price update and augmentation.
  void augment(int64_t start) {
    std::vector<int64_t> cols(n_), pred(n_, start);
    std::vector<double> d(n_);
    for (int64_t j = 0; j < n_; ++j) {
      cols[j] = j;
      d[j] = cost(start, j) - v_[j];
    }
    int64_t lo = 0, hi = 0, ready = 0, final_j = -1;
    while (final_j < 0) {
      if (lo == hi) {
        ready = lo;
        hi = find_minimum(lo, d, cols);
        for (int64_t k = lo; k < hi; ++k)
          if (y_[cols[k]] < 0) final_j = cols[k];
      }
      if (final_j < 0) {
        int64_t scan_lo = lo, scan_hi = hi;
        final_j = scan(scan_lo, scan_hi, d, cols, pred);
        if (final_j < 0) {
          lo = scan_lo;
          hi = scan_hi;
        }
      }
    }
    const double mind = d[cols[lo]];
    for (int64_t k = 0; k < ready; ++k) v_[cols[k]] += d[cols[k]] - mind;
    for (int64_t i = -1, j = final_j; i != start;) {
      i = pred[j];
      y_[j] = i;
      std::swap(j, x_[i]);
    }
  }

  const double* c_;
  int64_t n_;
  std::vector<int64_t> x_, y_;
  std::vector<double> v_;
};

}  // namespace

Assignment solve_assignment(const std::vector<double>& cost, int64_t n, AssignmentStart start) {
  if (n < 0 || static_cast<int64_t>(cost.size()) != n * n)
    throw std::invalid_argument("solve_assignment: cost must be n x n");
  // A NaN never compares below anything: the auction would bid on one column forever.
  if (!std::all_of(cost.begin(), cost.end(), [](double c) { return std::isfinite(c); }))
    throw std::invalid_argument("solve_assignment: costs must be finite");
  Assignment out;
  if (n == 1) out.row_to_col = {0};
  out.col_potential.assign(n, 0.0);
  if (n > 1) {
    JonkerVolgenant solver(cost, n);
    out.row_to_col = solver.solve(start);
    out.col_potential = solver.column_potentials();
  }
  out.row_potential.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = out.row_to_col[i];
    out.cost += cost[i * n + j];
    out.row_potential[i] = cost[i * n + j] - out.col_potential[j];
  }
  return out;
}

}  // namespace gftlab
