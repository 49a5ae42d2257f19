#include "daemon/netns/netns_ref.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chaosnet::netns {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<std::string> NetnsPath(const std::string& spec) {
  if (spec.empty()) return InvalidArgument("netns: empty (give a name, a path or pid:N)");
  if (spec.rfind("pid:", 0) == 0) {
    const std::string pid = spec.substr(4);
    if (!AllDigits(pid) || std::stoull(pid) == 0 || std::stoull(pid) > 4194304) {
      return InvalidArgument("netns: \"" + spec + "\" is not pid:N with N a process id");
    }
    return "/proc/" + pid + "/ns/net";
  }
  if (spec.front() == '/') return spec;
  if (spec.find('/') != std::string::npos || spec == "." || spec == "..") {
    return InvalidArgument("netns: \"" + spec +
                           "\" is neither a name under /run/netns nor an absolute path");
  }
  return "/run/netns/" + spec;
}

Result<NetnsRef> NetnsRef::Open(const std::string& spec) {
  ASSIGN_OR_RETURN(const std::string path, NetnsPath(spec));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ESRCH) {
      if (spec.rfind("pid:", 0) == 0) {
        return NotFound("network namespace " + spec + ": process " + spec.substr(4) +
                        " does not exist");
      }
      return NotFound("network namespace " + spec + " not found (no " + path + ")");
    }
    if (err == EACCES || err == EPERM) {
      return PermissionDenied("network namespace " + spec + ": cannot open " + path + ": " +
                              std::strerror(err));
    }
    return FailedPrecondition("network namespace " + spec + ": cannot open " + path + ": " +
                              std::strerror(err));
  }
  struct statfs fs {};
  struct stat st {};
  if (::fstatfs(fd, &fs) != 0 || fs.f_type != NSFS_MAGIC || ::fstat(fd, &st) != 0) {
    ::close(fd);
    return FailedPrecondition("network namespace " + spec + ": " + path +
                              " is not a namespace file");
  }
  // NS_GET_NSTYPE would say which kind; joining it with CLONE_NEWNET later
  // refuses any other kind, and /proc/N/ns/net and /run/netns are net only.
  return NetnsRef(fd, spec, path, st.st_dev, st.st_ino);
}

NetnsRef::NetnsRef(NetnsRef&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      spec_(std::move(other.spec_)),
      path_(std::move(other.path_)),
      dev_(other.dev_),
      ino_(other.ino_) {}

NetnsRef& NetnsRef::operator=(NetnsRef&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    spec_ = std::move(other.spec_);
    path_ = std::move(other.path_);
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

NetnsRef::~NetnsRef() {
  if (fd_ >= 0) ::close(fd_);
}

std::string NetnsRef::IdentityKey() const {
  return "netns:" + std::to_string(dev_) + ":" + std::to_string(ino_);
}

bool NetnsRef::IsCallersNamespace() const {
  struct stat self {};
  if (::stat("/proc/thread-self/ns/net", &self) != 0) return false;
  return self.st_dev == dev_ && self.st_ino == ino_;
}

bool NetnsRef::StillNamesSameNamespace() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return false;
  return st.st_dev == dev_ && st.st_ino == ino_;
}

}  // namespace chaosnet::netns
