// Small RAII and error helpers over the HDF5 C API, shared by the run-file and summary writers.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace gftlab {

// Closes an HDF5 identifier with the matching function when it leaves scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id_ < 0) throw std::runtime_error("HDF5: cannot " + what);
  }
  ~Handle() { close_(id_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

inline void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: cannot " + what);
}

// Every HDF5 failure becomes an exception with its own message, so the library's stack dump on stderr
// only buries that message.
inline void silence_hdf5_diagnostics() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

// Variable-length UTF-8 strings, which h5py reads as `str` (after .asstr() for datasets).
inline hid_t utf8_string_type() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

}  // namespace gftlab
