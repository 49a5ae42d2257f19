// Names and ids from the system's user and group databases (NSS), for the
// rules operators write by name and the names shown beside callers' uids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace chaosnet::app {

std::optional<uint32_t> UserIdByName(const std::string& name);
std::optional<uint32_t> GroupIdByName(const std::string& name);
// "" when the uid has no entry.
std::string UserNameById(uint32_t uid);

}  // namespace chaosnet::app
