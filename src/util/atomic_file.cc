// WriteFileAtomically: temporary file, fsync, rename (RENAME_NOREPLACE, or
// link() where the filesystem lacks it, when nothing may be replaced).
#include "util/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace retort {
namespace {

std::string RandomSuffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string out(12, '0');
  uint64_t v = rng();
  for (char& c : out) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return out;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view content,
                           bool replace, bool sync) {
  const std::filesystem::path target(path);
  const std::string dir =
      target.has_parent_path() ? target.parent_path().string() : ".";
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = dir + "/." + target.filename().string() + ".tmp-" + RandomSuffix();
    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    return Status::IOError(
        path + ": cannot create a temporary file: " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return Status::IOError(path + ": cannot write: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if ((sync && fsync(fd) != 0) || close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Status::IOError(path + ": cannot write: " + std::strerror(err));
  }
  int rc;
  if (replace) {
    rc = rename(tmp.c_str(), path.c_str());
  } else {
    rc = renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(),
                   RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
      // The filesystem lacks RENAME_NOREPLACE; link() also refuses to
      // replace.
      rc = link(tmp.c_str(), path.c_str());
      if (rc == 0 || errno == EEXIST) {
        int err = errno;
        unlink(tmp.c_str());
        errno = err;
      }
    }
  }
  if (rc != 0) {
    int err = errno;
    unlink(tmp.c_str());
    if (err == EEXIST) return Status::AlreadyExists(path + ": already exists");
    return Status::IOError(path + ": cannot write: " + std::strerror(err));
  }
  return Status::OK();
}

Status SyncFilesystem(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  int rc = syncfs(fd);
  int err = errno;
  close(fd);
  if (rc != 0) {
    return Status::IOError(path + ": cannot flush: " + std::strerror(err));
  }
  return Status::OK();
}

}  // namespace retort
