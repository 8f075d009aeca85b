#include "hub/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "hf/error.h"

namespace hf::hub {

FileLock::FileLock(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  if (fd_ < 0) throw FileError(path.string() + ": cannot open lock file: " + std::strerror(errno));
  ::fchmod(fd_, 0664);  // filelock's mode, so another user sharing the cache can lock it too
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  if (errno == EWOULDBLOCK)  // say why we seem stuck: another process (C++ or Python) is downloading
    info("waiting for another process to finish writing this file (lock " + path.string() + ")");
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    // Filesystems without flock: proceed unlocked rather than fail (Python falls back to a soft lock).
    break;
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace hf::hub
