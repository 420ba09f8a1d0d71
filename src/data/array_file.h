// One N x ... array in a file a researcher supplies: a .npy file (memory-mapped) or a dataset of an HDF5 file
// (read by hyperslabs). Rows are read on demand, so a large file is never copied whole to pick a subset.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

namespace gftlab {

// Whether the file begins with HDF5's signature (false for anything else, and for a file that cannot be read).
bool is_hdf5_file(const std::string& path);

class ArrayFile {
 public:
  // The format is told by the file's first bytes. `dataset` names the HDF5 dataset (a .npy file ignores it,
  // so that training and held-out files may differ in format). std::runtime_error "PATH: problem" on a missing or
  // unreadable file, an unknown format, a missing dataset (listing those there are), an unsupported element type,
  // Fortran order or a truncated file.
  ArrayFile(const std::string& path, const std::string& dataset);
  ~ArrayFile();
  const std::string& path() const { return path_; }
  bool is_hdf5() const;
  const std::vector<int64_t>& shape() const { return shape_; }
  at::ScalarType dtype() const { return dtype_; }
  // The rows listed (ascending, in range), [rows.size(), shape[1:]...] in dtype(): one copy of those rows.
  at::Tensor read_rows(const std::vector<int64_t>& rows) const;
  at::Tensor read_all() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::vector<int64_t> shape_;
  at::ScalarType dtype_ = at::kByte;
};

}  // namespace gftlab
