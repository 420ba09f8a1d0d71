#include "io/run_file_reader.h"

#include "io/hdf5_handle.h"
#include "io/run_layout.h"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace gftlab {
namespace {

std::string attribute_text(hid_t attr) {
  const hid_t type = H5Aget_type(attr);
  std::string out;
  if (H5Tget_class(type) == H5T_STRING) {
    char* text = nullptr;
    const hid_t mem = utf8_string_type();
    if (H5Aread(attr, mem, &text) >= 0 && text) {
      out = text;
      H5free_memory(text);
    }
    H5Tclose(mem);
  } else if (H5Tget_class(type) == H5T_INTEGER) {
    int64_t v = 0;
    H5Aread(attr, H5T_NATIVE_INT64, &v);
    out = fmt::format("{}", v);
  } else {
    double v = 0;
    H5Aread(attr, H5T_NATIVE_DOUBLE, &v);
    out = fmt::format("{}", v);
  }
  H5Tclose(type);
  return out;
}

herr_t visit_attribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  const hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  static_cast<RunFileSummary*>(data)->attributes[name] = attribute_text(attr);
  H5Aclose(attr);
  return 0;
}

herr_t visit_object(hid_t file, const char* name, const H5O_info_t* info, void* data) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  auto* summary = static_cast<RunFileSummary*>(data);
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  summary->shapes[name] = std::vector<int64_t>(dims.begin(), dims.end());
  const hsize_t n = rank == 1 ? dims[0] : 1;
  std::vector<double> values(n);
  if (n > 0 && rank <= 1) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  const std::string path = name;
  if (rank == 0 && path.rfind(run_layout::kFinal, 0) == 0)
    summary->finals[path.substr(sizeof(run_layout::kFinal) - 1)] = values[0];
  else if (rank == 1)
    summary->series[path] = values;
  H5Sclose(space);
  H5Dclose(ds);
  return 0;
}

}  // namespace

RunFileSummary read_run_file(const std::string& path) {
  silence_hdf5_diagnostics();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error("cannot open run file " + path);
  RunFileSummary summary;
  hsize_t idx = 0;
  H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, &idx, visit_attribute, &summary);
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_object, &summary, H5O_INFO_BASIC);
  H5Fclose(file);
  return summary;
}

std::string read_run_attribute(const std::string& path, const std::string& name) {
  silence_hdf5_diagnostics();
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open run file " + path);
  if (H5Aexists(file, name.c_str()) <= 0) return "";
  Handle attr(H5Aopen(file, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
  return attribute_text(attr);
}

}  // namespace gftlab
