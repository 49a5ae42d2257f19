#include "daemon/state/lease_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace chaosnet::state {
namespace {

constexpr char kJournalName[] = "leases.journal";
constexpr char kTempSuffix[] = ".tmp";
constexpr char kCorruptSuffix[] = ".corrupt.";
constexpr char kLockName[] = "lock";

Status IoError(const std::string& what, const std::string& path, int err) {
  return Unavailable(what + " " + path + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Missing file: empty string and ok.
Result<std::string> ReadWhole(const std::string& path, bool& exists) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  exists = fd.valid();
  if (!fd.valid()) {
    if (errno == ENOENT) return std::string();
    return IoError("cannot open", path, errno);
  }
  std::string out;
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<UniqueFd> OpenForAppend(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd.valid()) return IoError("cannot open", path, errno);
  return fd;
}

std::string FreeCorruptName(const std::string& path) {
  for (int n = 1;; ++n) {
    std::string candidate = path + kCorruptSuffix + std::to_string(n);
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) != 0 && errno == ENOENT) return candidate;
  }
}

}  // namespace

Result<LeaseJournal> LeaseJournal::Open(const std::string& dir, JournalOptions options) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create state directory " + dir + ": " + ec.message());
  // The records name interfaces, namespaces and callers: the daemon's alone.
  if (created && ::chmod(dir.c_str(), 0700) != 0) return IoError("cannot chmod", dir, errno);

  LeaseJournal j;
  j.dir_ = dir;
  j.path_ = (std::filesystem::path(dir) / kJournalName).string();
  j.options_ = options;

  // Two daemons appending to one journal would interleave entries; refuse the second.
  const std::string lock_path = (std::filesystem::path(dir) / kLockName).string();
  j.lock_fd_ = UniqueFd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!j.lock_fd_.valid()) return IoError("cannot open", lock_path, errno);
  if (::flock(j.lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return FailedPrecondition("state directory " + dir +
                                " is in use by another chaosnetd (it holds " + lock_path +
                                "); stop it or pass a different --state-dir");
    }
    return IoError("cannot lock", lock_path, errno);
  }

  // A snapshot that never got renamed: the journal it was made from is still
  // complete, so the leftover is simply dropped.
  const std::string temp = j.path_ + kTempSuffix;
  if (::unlink(temp.c_str()) == 0) {
    j.report_.warnings.push_back("removed " + temp + ", left by a compaction cut short");
  } else if (errno != ENOENT) {
    return IoError("cannot remove", temp, errno);
  }

  bool exists = false;
  ASSIGN_OR_RETURN(const std::string bytes, ReadWhole(j.path_, exists));
  ASSIGN_OR_RETURN(Replayed replayed, ReplayJournal(bytes));

  // Keep the warnings gathered above ahead of what replay found.
  LoadReport report = std::move(replayed.report);
  report.warnings.insert(report.warnings.begin(), j.report_.warnings.begin(),
                         j.report_.warnings.end());
  j.report_ = std::move(report);
  for (auto& [id, lease] : replayed.live) {
    std::string entry = EncodeUpsert(lease);
    j.live_bytes_ += entry.size();
    j.live_.emplace(id, Slot{std::move(lease), std::move(entry)});
  }

  if (j.report_.corrupt) {
    // A second name for the damaged file, then the good prefix renamed over the
    // first: if anything fails in between, the damaged journal is still in
    // place and the next start repeats the repair.
    const std::string aside = FreeCorruptName(j.path_);
    if (::link(j.path_.c_str(), aside.c_str()) != 0) {
      return IoError("cannot keep a copy of the damaged journal as", aside, errno);
    }
    j.report_.preserved_as = aside;
    j.report_.errors.back() += "; the damaged file was kept as " + aside;
    RETURN_IF_ERROR(j.Rewrite());
    return j;
  }
  if (!exists || !replayed.header_valid) {
    // New, or a torn file header: nothing was ever recorded in it.
    RETURN_IF_ERROR(j.Rewrite());
    return j;
  }
  if (j.report_.torn_tail) {
    UniqueFd fd(::open(j.path_.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return IoError("cannot open", j.path_, errno);
    if (::ftruncate(fd.get(), static_cast<off_t>(replayed.valid_end)) != 0) {
      return IoError("cannot truncate torn tail of", j.path_, errno);
    }
  }
  ASSIGN_OR_RETURN(j.fd_, OpenForAppend(j.path_));
  j.stats_.entries_in_file = replayed.valid_entries;
  j.stats_.bytes_in_file = replayed.valid_end;
  return j;
}

Status LeaseJournal::Append(const std::string& bytes, std::size_t entries) {
  if (needs_rewrite_) {
    // After a failed write the file's tail is unknown: rewrite it from memory,
    // which holds exactly what earlier calls reported as recorded.
    if (Status s = Rewrite(); !s.ok()) {
      return Unavailable("lease journal unusable after an earlier write error: " + s.message());
    }
  }
  if (Status s = WriteAll(fd_.get(), bytes, path_); !s.ok()) {
    needs_rewrite_ = true;
    return s;
  }
  stats_.entries_in_file += entries;
  stats_.bytes_in_file += bytes.size();
  return Status::Ok();
}

Result<std::string> LeaseJournal::EncodeChecked(const StoredLease& lease) {
  if (lease.id.empty()) return InvalidArgument("a stored lease needs an id");
  std::string entry = EncodeUpsert(lease);
  if (entry.size() - kEntryHeaderSize > kMaxPayload) {
    return InvalidArgument("lease " + lease.id + " is too large to record (" +
                           std::to_string(entry.size()) + " bytes)");
  }
  return entry;
}

void LeaseJournal::Remember(const StoredLease& lease, std::string entry) {
  auto [it, inserted] = live_.try_emplace(lease.id);
  if (!inserted) live_bytes_ -= it->second.entry.size();
  live_bytes_ += entry.size();
  it->second = Slot{lease, std::move(entry)};
}

Status LeaseJournal::Put(const StoredLease& lease) {
  ASSIGN_OR_RETURN(std::string entry, EncodeChecked(lease));
  RETURN_IF_ERROR(Append(entry));
  Remember(lease, std::move(entry));
  MaybeCompact();
  return Status::Ok();
}

Status LeaseJournal::PutMany(const std::vector<StoredLease>& leases) {
  if (leases.empty()) return Status::Ok();
  std::vector<std::string> entries;
  entries.reserve(leases.size());
  std::string bytes;
  for (const StoredLease& lease : leases) {
    ASSIGN_OR_RETURN(std::string entry, EncodeChecked(lease));
    bytes += entry;
    entries.push_back(std::move(entry));
  }
  RETURN_IF_ERROR(Append(bytes, entries.size()));
  for (std::size_t i = 0; i < leases.size(); ++i) Remember(leases[i], std::move(entries[i]));
  MaybeCompact();
  return Status::Ok();
}

Status LeaseJournal::Remove(const std::string& id) {
  auto it = live_.find(id);
  if (it == live_.end()) return NotFound("no recorded lease " + id);
  RETURN_IF_ERROR(Append(EncodeRemove(id)));
  live_bytes_ -= it->second.entry.size();
  live_.erase(it);
  MaybeCompact();
  return Status::Ok();
}

Status LeaseJournal::RemoveMany(const std::vector<std::string>& ids) {
  std::string bytes;
  std::size_t entries = 0;
  for (const std::string& id : ids) {
    if (!live_.contains(id)) continue;
    bytes += EncodeRemove(id);
    ++entries;
  }
  if (entries == 0) return Status::Ok();
  RETURN_IF_ERROR(Append(bytes, entries));
  for (const std::string& id : ids) {
    auto it = live_.find(id);
    if (it == live_.end()) continue;
    live_bytes_ -= it->second.entry.size();
    live_.erase(it);
  }
  MaybeCompact();
  return Status::Ok();
}

bool LeaseJournal::OverLimits(std::size_t factor) const {
  const std::size_t entry_limit = std::max(options_.compact_min_entries, 2 * live_.size());
  const uint64_t byte_limit =
      std::max<uint64_t>(options_.compact_min_bytes, 2 * (kFileHeaderSize + live_bytes_));
  return stats_.entries_in_file > factor * entry_limit ||
         stats_.bytes_in_file > factor * byte_limit;
}

void LeaseJournal::MaybeCompact() {
  if (OverLimits(std::max<std::size_t>(1, options_.forced_compaction_factor))) {
    stats_.last_compaction = Compact();
  }
}

Status LeaseJournal::Compact() {
  Status s = Rewrite();
  if (s.ok()) ++stats_.compactions;
  return s;
}

Status LeaseJournal::Rewrite() {
  std::string snapshot = EncodeFileHeader();
  snapshot.reserve(kFileHeaderSize + live_bytes_);
  for (const auto& [id, slot] : live_) snapshot += slot.entry;

  const std::string temp = path_ + kTempSuffix;
  {
    UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out.valid()) return IoError("cannot create", temp, errno);
    if (Status s = WriteAll(out.get(), snapshot, temp); !s.ok()) {
      ::unlink(temp.c_str());
      return s;
    }
  }
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return IoError("cannot rename snapshot over", path_, err);
  }
  // From here on the file at path_ is the snapshot, whatever happens next.
  needs_rewrite_ = true;
  fd_.Reset();
  ASSIGN_OR_RETURN(fd_, OpenForAppend(path_));
  needs_rewrite_ = false;
  stats_.entries_in_file = live_.size();
  stats_.bytes_in_file = snapshot.size();
  return Status::Ok();
}

std::vector<StoredLease> LeaseJournal::Live() const {
  std::vector<StoredLease> out;
  out.reserve(live_.size());
  for (const auto& [id, slot] : live_) out.push_back(slot.lease);
  return out;
}

const StoredLease* LeaseJournal::Find(const std::string& id) const {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second.lease;
}

}  // namespace chaosnet::state
