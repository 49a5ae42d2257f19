// A value or a Status. C++20 has no std::expected; this is the small part of it we need.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace chaosnet {

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}
}  // namespace internal

}  // namespace chaosnet

// Early returns for the error path. RETURN_IF_ERROR takes a Status or a
// Result and returns its error from the enclosing function (whose return type
// is Status or any Result). ASSIGN_OR_RETURN(auto x, expr) binds the value of
// a Result, or returns its error.
#define RETURN_IF_ERROR(expr)                                       \
  do {                                                              \
    if (auto&& chaosnet_status_ = (expr); !chaosnet_status_.ok()) { \
      return ::chaosnet::internal::StatusOf(chaosnet_status_);      \
    }                                                               \
  } while (0)

#define CHAOSNET_CONCAT_INNER_(a, b) a##b
#define CHAOSNET_CONCAT_(a, b) CHAOSNET_CONCAT_INNER_(a, b)
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CHAOSNET_CONCAT_(chaosnet_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                           \
  if (!result.ok()) return result.status();       \
  lhs = std::move(result).value()
