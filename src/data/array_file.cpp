#include "data/array_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <map>
#include <stdexcept>

#include "io/hdf5_handle.h"

namespace gftlab {
namespace {

const char kNpyMagic[] = "\x93NUMPY";
const char kHdf5Magic[] = "\x89HDF\r\n\x1a\n";

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error(fmt::format("{}: {}", path, problem));
}

// numpy's type strings for the element types a data file or its labels may hold (little-endian or bytes).
at::ScalarType npy_dtype(const std::string& descr, const std::string& path) {
  static const std::map<std::string, at::ScalarType> known = {
      {"|u1", at::kByte}, {"<u1", at::kByte}, {"|i1", at::kChar},  {"<i1", at::kChar},  {"<i2", at::kShort},
      {"<i4", at::kInt},  {"<i8", at::kLong}, {"<f4", at::kFloat}, {"<f8", at::kDouble}};
  const auto found = known.find(descr);
  if (found == known.end())
    fail(path, fmt::format("element type '{}' is not supported (uint8, int8-64 or float32/64, little-endian)", descr));
  return found->second;
}

// The value of 'key' in the header's Python dict literal, up to the next top-level comma or the brace.
std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) fail(path, fmt::format("the .npy header has no '{}'", key));
  auto begin = header.find(':', at) + 1;
  while (header[begin] == ' ') ++begin;
  const auto end = header[begin] == '(' ? header.find(')', begin) + 1 : header.find_first_of(",}", begin);
  return header.substr(begin, end - begin);
}

std::vector<int64_t> parse_shape(const std::string& tuple, const std::string& path) {
  std::vector<int64_t> shape;
  std::string digits;
  for (char c : tuple.substr(1)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (digits.size() >= 18) fail(path, fmt::format("the .npy shape {} has a size too large", tuple));
      digits += c;
    } else if ((c == ',' || c == ')') && !digits.empty())
      shape.push_back(std::stoll(digits)), digits.clear();
    else if (c != ' ' && c != ',' && c != ')')
      fail(path, fmt::format("the .npy shape {} is not a tuple of sizes", tuple));
  }
  return shape;
}

// The number of elements, refused when it overflows (a corrupt header must not pass the size check).
int64_t element_count(const std::vector<int64_t>& shape, const std::string& path) {
  int64_t n = 1;
  for (auto s : shape)
    if (s < 0 || __builtin_mul_overflow(n, s, &n))
      fail(path, fmt::format("shape {} is too large", fmt::join(shape, " x ")));
  return n;
}

// Ascending rows as runs of consecutive ones: [first, count].
std::vector<std::pair<int64_t, int64_t>> runs_of(const std::vector<int64_t>& rows) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t r : rows) {
    if (!runs.empty() && runs.back().first + runs.back().second == r)
      ++runs.back().second;
    else
      runs.emplace_back(r, 1);
  }
  return runs;
}

hid_t hdf5_memory_type(at::ScalarType t) {
  switch (t) {
    case at::kByte: return H5T_NATIVE_UINT8;
    case at::kChar: return H5T_NATIVE_INT8;
    case at::kShort: return H5T_NATIVE_INT16;
    case at::kInt: return H5T_NATIVE_INT32;
    case at::kLong: return H5T_NATIVE_INT64;
    case at::kFloat: return H5T_NATIVE_FLOAT;
    default: return H5T_NATIVE_DOUBLE;
  }
}

at::ScalarType hdf5_dtype(hid_t type, const std::string& where) {
  const auto size = H5Tget_size(type);
  if (H5Tget_class(type) == H5T_FLOAT) {
    if (size == 4) return at::kFloat;
    if (size == 8) return at::kDouble;
  } else if (H5Tget_class(type) == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    if (size == 1) return is_signed ? at::kChar : at::kByte;
    if (is_signed && size == 2) return at::kShort;
    if (is_signed && size == 4) return at::kInt;
    if (is_signed && size == 8) return at::kLong;
  }
  fail(where, "element type is not supported (uint8, int8-64 or float32/64)");
}

std::vector<std::string> hdf5_names(hid_t file) {
  H5G_info_t info{};
  if (H5Gget_info(file, &info) < 0) return {};
  std::vector<std::string> names;
  for (hsize_t k = 0; k < info.nlinks; ++k) {
    char name[256] = {};
    if (H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, sizeof name, H5P_DEFAULT) >= 0)
      names.emplace_back(name);
  }
  return names;
}

}  // namespace

bool is_hdf5_file(const std::string& path) {
  char head[8] = {};
  std::ifstream(path, std::ios::binary).read(head, 8);
  return std::memcmp(head, kHdf5Magic, 8) == 0;
}

struct ArrayFile::Impl {
  // .npy: the mapping and the offset of the data in it.
  void* map = nullptr;
  size_t map_size = 0;
  size_t offset = 0;
  // HDF5
  hid_t file = -1, dataset = -1;
  ~Impl() {
    if (map) munmap(map, map_size);
    if (dataset >= 0) H5Dclose(dataset);
    if (file >= 0) H5Fclose(file);
  }
};

ArrayFile::ArrayFile(const std::string& path, const std::string& dataset)
    : impl_(std::make_unique<Impl>()), path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "no such file, or it cannot be read");
  char head[8] = {};
  in.read(head, 8);
  if (std::memcmp(head, kHdf5Magic, 8) == 0) {
    if (dataset.empty()) fail(path, "an HDF5 file needs `dataset`, the array's name in it");
    silence_hdf5_diagnostics();
    impl_->file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (impl_->file < 0) fail(path, "not a readable HDF5 file");
    if (H5Lexists(impl_->file, dataset.c_str(), H5P_DEFAULT) <= 0)
      fail(path,
           fmt::format("has no dataset '{}' (at the top: {})", dataset, fmt::join(hdf5_names(impl_->file), ", ")));
    // A chunk cache that holds whole chunks (HDF5's default is 1 MiB): a class filter or a random split reads
    // many short runs of rows, which would otherwise decompress the same chunk again for each.
    const Handle access(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, "make a dataset access list");
    check(H5Pset_chunk_cache(access, 10007, size_t(256) << 20, 1.0), "size the chunk cache");
    impl_->dataset = H5Dopen2(impl_->file, dataset.c_str(), access);
    if (impl_->dataset < 0) fail(path, fmt::format("'{}' is not a dataset", dataset));
    const Handle type(H5Dget_type(impl_->dataset), H5Tclose, "read a dataset's type");
    dtype_ = hdf5_dtype(type, fmt::format("{} '{}'", path, dataset));
    const Handle space(H5Dget_space(impl_->dataset), H5Sclose, "read a dataset's shape");
    std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    shape_.assign(dims.begin(), dims.end());
    if (shape_.empty()) fail(path, fmt::format("'{}' is a scalar, not an N x ... array", dataset));
    return;
  }
  if (std::memcmp(head, kNpyMagic, 6) != 0) fail(path, "neither a .npy file nor an HDF5 file (by its first bytes)");
  const int major = static_cast<unsigned char>(head[6]);
  uint32_t header_len = 0;
  size_t header_start = 0;
  if (major == 1) {
    uint16_t len = 0;
    in.read(reinterpret_cast<char*>(&len), 2);
    header_len = len, header_start = 10;
  } else if (major == 2 || major == 3) {
    in.read(reinterpret_cast<char*>(&header_len), 4);
    header_start = 12;
  } else {
    fail(path, fmt::format(".npy format version {} is not supported", major));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) fail(path, "the .npy header is truncated");
  dtype_ = npy_dtype(header_field(header, "descr", path).substr(1, 3), path);
  if (header_field(header, "fortran_order", path) != "False")
    fail(path, "is in Fortran order: save it C-contiguous (np.ascontiguousarray)");
  shape_ = parse_shape(header_field(header, "shape", path), path);
  if (shape_.empty()) fail(path, "holds a scalar, not an N x ... array");
  impl_->offset = header_start + header_len;

  struct stat st {};
  if (stat(path.c_str(), &st) != 0) fail(path, "cannot be read");
  int64_t bytes = 0;
  if (__builtin_mul_overflow(element_count(shape_, path), static_cast<int64_t>(at::elementSize(dtype_)), &bytes))
    fail(path, "its shape is too large");
  const size_t want = impl_->offset + static_cast<size_t>(bytes);
  if (static_cast<size_t>(st.st_size) != want)
    fail(path, fmt::format("holds {} bytes, its header promises {}: truncated or not a .npy file", st.st_size, want));
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) fail(path, "cannot be opened");
  impl_->map_size = want;
  impl_->map = mmap(nullptr, want, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (impl_->map == MAP_FAILED) impl_->map = nullptr, fail(path, "cannot be memory-mapped");
}

ArrayFile::~ArrayFile() = default;

bool ArrayFile::is_hdf5() const { return impl_->file >= 0; }

at::Tensor ArrayFile::read_rows(const std::vector<int64_t>& rows) const {
  auto out_shape = shape_;
  out_shape[0] = static_cast<int64_t>(rows.size());
  if (!is_hdf5()) {
    // A view of the mapping, read only by index_select: the one copy is of the chosen rows.
    const auto all = at::from_blob(static_cast<char*>(impl_->map) + impl_->offset, shape_, at::TensorOptions(dtype_));
    return all.index_select(0, at::tensor(rows, at::kLong));
  }
  auto out = at::empty(out_shape, at::TensorOptions(dtype_));
  if (rows.empty()) return out;
  const Handle file_space(H5Dget_space(impl_->dataset), H5Sclose, "select rows");
  std::vector<hsize_t> start(shape_.size(), 0), count(shape_.begin(), shape_.end());
  const hsize_t row_elements = element_count(shape_, path_) / std::max<int64_t>(shape_[0], 1);
  // One read per run of consecutive rows into its place in `out`: a class filter or a random split gives
  // many short runs, and HDF5's union of many hyperslabs grows slowly.
  int64_t written = 0;
  for (const auto& [first, n] : runs_of(rows)) {
    start[0] = first, count[0] = n;
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "select rows");
    const hsize_t elements = n * row_elements;
    const Handle memory_space(H5Screate_simple(1, &elements, nullptr), H5Sclose, "make a memory space");
    check(H5Dread(impl_->dataset, hdf5_memory_type(dtype_), memory_space, file_space, H5P_DEFAULT,
                  static_cast<char*>(out.data_ptr()) + written * row_elements * out.element_size()),
          fmt::format("read rows of {}", path_));
    written += n;
  }
  return out;
}

at::Tensor ArrayFile::read_all() const {
  std::vector<int64_t> rows(shape_.empty() ? 0 : shape_[0]);
  for (size_t k = 0; k < rows.size(); ++k) rows[k] = static_cast<int64_t>(k);
  return read_rows(rows);
}

}  // namespace gftlab
