// Name <-> value tables for enums whose names are a contract: words users
// type, words on disk in the journal, words tc prints. One table per enum,
// defined next to the enum, so a name is spelled once.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace chaosnet {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

template <typename E, size_t N>
using EnumNames = std::array<EnumName<E>, N>;

// "unknown" for a value the table lacks (an integer cast to the enum).
template <typename E, size_t N>
constexpr const char* NameOf(const EnumNames<E, N>& table, E value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "unknown";
}

template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const EnumNames<E, N>& table, std::string_view name) {
  for (const auto& e : table) {
    if (name == e.name) return e.value;
  }
  return std::nullopt;
}

// "a, b or c", for a message that lists the choices; `except` leaves out a
// value that is not offered (a default that is spelled by saying nothing).
template <typename E, size_t N>
std::string NameList(const EnumNames<E, N>& table,
                     std::type_identity_t<std::optional<E>> except = std::nullopt) {
  std::vector<const char*> names;
  for (const auto& e : table) {
    if (e.value != except) names.push_back(e.name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace chaosnet
