// A network namespace a fault names with --netns, opened: "NAME" (under
// /run/netns, as `ip netns add` makes them), an absolute path to an nsfs file
// (a container runtime's bind mount), or "pid:N" (the namespace of process N).
// Holds the namespace's file open and remembers its identity (device and inode
// of the nsfs file), so that two spellings of one namespace compare equal and
// so that a name that later points elsewhere, or nowhere, is noticed.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace chaosnet::netns {

class NetnsRef {
 public:
  // INVALID_ARGUMENT for a malformed spec, NOT_FOUND when the name, path or
  // process does not exist, FAILED_PRECONDITION for a file that is not a
  // network namespace, PERMISSION_DENIED when it cannot be opened.
  static Result<NetnsRef> Open(const std::string& spec);

  NetnsRef(NetnsRef&& other) noexcept;
  NetnsRef& operator=(NetnsRef&& other) noexcept;
  NetnsRef(const NetnsRef&) = delete;
  NetnsRef& operator=(const NetnsRef&) = delete;
  ~NetnsRef();

  int fd() const { return fd_; }
  const std::string& spec() const { return spec_; }
  const std::string& path() const { return path_; }
  // "netns:<dev>:<inode>": equal for every spelling of one namespace.
  std::string IdentityKey() const;
  // The namespace the calling thread is in.
  bool IsCallersNamespace() const;
  // The spec still names this very namespace: false after `ip netns del`,
  // when the process has exited, or when the path now names another one.
  bool StillNamesSameNamespace() const;

 private:
  NetnsRef(int fd, std::string spec, std::string path, dev_t dev, ino_t ino)
      : fd_(fd), spec_(std::move(spec)), path_(std::move(path)), dev_(dev), ino_(ino) {}

  int fd_ = -1;
  std::string spec_;
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

// The path a spec names, without opening it (pure): INVALID_ARGUMENT for a
// malformed one.
Result<std::string> NetnsPath(const std::string& spec);

}  // namespace chaosnet::netns
