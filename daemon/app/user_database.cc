#include "daemon/app/user_database.h"

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace chaosnet::app {
namespace {

constexpr std::size_t kEntryBuffer = 16384;

}  // namespace

std::optional<uint32_t> UserIdByName(const std::string& name) {
  std::vector<char> buf(kEntryBuffer);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return found->pw_uid;
}

std::optional<uint32_t> GroupIdByName(const std::string& name) {
  std::vector<char> buf(kEntryBuffer);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return found->gr_gid;
}

std::string UserNameById(uint32_t uid) {
  std::vector<char> buf(kEntryBuffer);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buf.data(), buf.size(), &found) != 0 || !found) return "";
  return found->pw_name;
}

}  // namespace chaosnet::app
