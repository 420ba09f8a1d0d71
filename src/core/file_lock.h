// An exclusive advisory lock on a file (flock), held for the object's lifetime: concurrent workers that
// need the same stored artefact compute it once, and a run file has one writer.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace gftlab {

class FileLock {
 public:
  // With wait = false, a lock held elsewhere is not waited for: locked() is then false.
  explicit FileLock(const std::string& path, bool wait = true) : fd_(::open(path.c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot open " + path);
    locked_ = ::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0;
    if (!locked_ && (wait || errno != EWOULDBLOCK)) {
      ::close(fd_);
      throw std::runtime_error("cannot lock " + path);
    }
  }
  ~FileLock() {
    if (locked_) ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  bool locked() const { return locked_; }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
  bool locked_ = false;
};

}  // namespace gftlab
