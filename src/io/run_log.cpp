#include "io/run_log.h"

#include "io/hdf5_handle.h"
#include "io/tensorboard.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace gftlab {
namespace {

constexpr hsize_t kChunk = 1024;

void write_attr(hid_t file, const std::string& name, hid_t type, const void* data) {
  if (H5Aexists(file, name.c_str()) > 0) check(H5Adelete(file, name.c_str()), "replace attribute " + name);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create dataspace");
  Handle attr(H5Acreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "create attribute " + name);
  check(H5Awrite(attr, type, data), "write attribute " + name);
}

// H5Lexists fails on a path whose parent group is missing, so test each component in turn.
bool path_exists(hid_t file, const std::string& path) {
  for (size_t pos = path.find('/');; pos = path.find('/', pos + 1)) {
    const std::string prefix = path.substr(0, pos);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

hid_t intermediate_groups() {
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  if (lcpl >= 0) H5Pset_create_intermediate_group(lcpl, 1);
  return lcpl;
}

hid_t create_dataset(hid_t file, const std::string& path, hid_t file_type, bool extendible) {
  Handle lcpl(intermediate_groups(), H5Pclose, "create link properties");
  if (!extendible) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create dataspace");
    return H5Dcreate2(file, path.c_str(), file_type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  }
  const hsize_t dims = 0, max_dims = H5S_UNLIMITED, chunk = kChunk;
  Handle space(H5Screate_simple(1, &dims, &max_dims), H5Sclose, "create dataspace");
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  check(H5Pset_chunk(dcpl, 1, &chunk), "set chunking");
  check(H5Pset_deflate(dcpl, 4), "set compression");
  return H5Dcreate2(file, path.c_str(), file_type, space, lcpl, dcpl, H5P_DEFAULT);
}

}  // namespace

RunLog::RunLog(std::string final_path) : final_path_(std::move(final_path)) { open_temp(nullptr); }

RunLog::RunLog(std::string final_path, const std::vector<uint8_t>& snapshot) : final_path_(std::move(final_path)) {
  open_temp(&snapshot);
}

void RunLog::open_temp(const std::vector<uint8_t>* snapshot) {
  const auto parent = std::filesystem::path(final_path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  temp_path_ = final_path_ + ".tmp." + std::to_string(::getpid());
  silence_hdf5_diagnostics();
  if (!snapshot) {
    file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file_ < 0) throw std::runtime_error("HDF5: cannot create " + temp_path_);
    return;
  }
  {
    std::ofstream out(temp_path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(snapshot->data()), static_cast<std::streamsize>(snapshot->size()));
    if (!out) throw std::runtime_error("cannot write " + temp_path_);
  }
  reopen();
}

void RunLog::reopen() {
  file_ = H5Fopen(temp_path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error("HDF5: cannot open " + temp_path_);
}

RunLog::~RunLog() {
  if (file_ >= 0) H5Fclose(file_);
  if (!committed_) std::remove(temp_path_.c_str());
}

void RunLog::attr(const std::string& name, const std::string& value) {
  Handle type(utf8_string_type(), H5Tclose, "create string type");
  const char* ptr = value.c_str();
  write_attr(file_, name, type, &ptr);
}

void RunLog::attr(const std::string& name, int64_t value) { write_attr(file_, name, H5T_NATIVE_INT64, &value); }
void RunLog::attr(const std::string& name, double value) { write_attr(file_, name, H5T_NATIVE_DOUBLE, &value); }

void RunLog::append(const std::string& dataset, const std::vector<double>& values) {
  append_raw(dataset, values.data(), values.size(), false);
  if (mirror_) mirror_->series(dataset, values);
}

void RunLog::append(const std::string& dataset, const std::vector<int64_t>& values) {
  append_raw(dataset, values.data(), values.size(), true);
  if (mirror_) mirror_->series(dataset, values);
}

void RunLog::append_raw(const std::string& dataset, const void* data, size_t n, bool integer) {
  const hid_t type = integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  const hid_t id = path_exists(file_, dataset) ? H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT)
                                               : create_dataset(file_, dataset, type, true);
  Handle ds(id, H5Dclose, "open dataset " + dataset);
  if (n == 0) return;
  hsize_t old_size = 0;
  {
    Handle space(H5Dget_space(ds), H5Sclose, "get dataspace");
    H5Sget_simple_extent_dims(space, &old_size, nullptr);
  }
  const hsize_t new_size = old_size + n, count = n;
  check(H5Dset_extent(ds, &new_size), "extend " + dataset);
  Handle file_space(H5Dget_space(ds), H5Sclose, "get dataspace");
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &old_size, nullptr, &count, nullptr), "select");
  Handle mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose, "create memory space");
  check(H5Dwrite(ds, type, mem_space, file_space, H5P_DEFAULT, data), "write " + dataset);
}

void RunLog::append_images(const std::string& dataset, const std::vector<uint8_t>& pixels, int64_t count,
                           int64_t height, int64_t width) {
  if (static_cast<int64_t>(pixels.size()) != count * height * width)
    throw std::invalid_argument("append_images: pixel count does not match the block shape");
  const hsize_t block[4] = {1, hsize_t(count), hsize_t(height), hsize_t(width)};
  if (!path_exists(file_, dataset)) {
    const hsize_t dims[4] = {0, block[1], block[2], block[3]},
                  max_dims[4] = {H5S_UNLIMITED, block[1], block[2], block[3]};
    Handle space(H5Screate_simple(4, dims, max_dims), H5Sclose, "create dataspace");
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
    check(H5Pset_chunk(dcpl, 4, block), "set chunking");
    check(H5Pset_deflate(dcpl, 4), "set compression");
    Handle lcpl(intermediate_groups(), H5Pclose, "create link properties");
    Handle(H5Dcreate2(file_, dataset.c_str(), H5T_STD_U8LE, space, lcpl, dcpl, H5P_DEFAULT), H5Dclose,
           "create dataset " + dataset);
  }
  Handle ds(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + dataset);
  hsize_t dims[4];
  {
    Handle space(H5Dget_space(ds), H5Sclose, "get dataspace");
    H5Sget_simple_extent_dims(space, dims, nullptr);
  }
  const hsize_t start[4] = {dims[0], 0, 0, 0};
  dims[0] += 1;
  check(H5Dset_extent(ds, dims), "extend " + dataset);
  Handle file_space(H5Dget_space(ds), H5Sclose, "get dataspace");
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, block, nullptr), "select");
  Handle mem_space(H5Screate_simple(4, block, nullptr), H5Sclose, "create memory space");
  check(H5Dwrite(ds, H5T_NATIVE_UINT8, mem_space, file_space, H5P_DEFAULT, pixels.data()), "write " + dataset);
}

void RunLog::scalar(const std::string& dataset, double value) {
  const hid_t id = path_exists(file_, dataset) ? H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT)
                                               : create_dataset(file_, dataset, H5T_NATIVE_DOUBLE, false);
  Handle ds(id, H5Dclose, "open dataset " + dataset);
  check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), "write " + dataset);
}

void RunLog::strings(const std::string& dataset, const std::vector<std::string>& values) {
  Handle type(utf8_string_type(), H5Tclose, "create string type");
  Handle lcpl(intermediate_groups(), H5Pclose, "create link properties");
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create dataspace");
  Handle ds(H5Dcreate2(file_, dataset.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            "create dataset " + dataset);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write " + dataset);
}

void RunLog::bytes(const std::string& dataset, const std::vector<uint8_t>& data) {
  Handle lcpl(intermediate_groups(), H5Pclose, "create link properties");
  const hsize_t n = data.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create dataspace");
  Handle ds(H5Dcreate2(file_, dataset.c_str(), H5T_STD_U8LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            "create dataset " + dataset);
  if (n > 0) check(H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "write " + dataset);
}

void RunLog::external_link(const std::string& link, const std::string& target_file) {
  Handle lcpl(intermediate_groups(), H5Pclose, "create link properties");
  check(H5Lcreate_external(target_file.c_str(), "/", file_, link.c_str(), lcpl, H5P_DEFAULT),
        "link " + link + " to " + target_file);
}

void RunLog::flush() { check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + temp_path_); }

std::vector<uint8_t> RunLog::snapshot() {
  check(H5Fclose(file_), "close " + temp_path_);
  file_ = -1;
  std::ifstream in(temp_path_, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read " + temp_path_);
  reopen();
  return bytes;
}

void RunLog::commit() {
  check(H5Fclose(file_), "close " + temp_path_);
  file_ = -1;
  std::filesystem::rename(temp_path_, final_path_);
  committed_ = true;
}

}  // namespace gftlab
