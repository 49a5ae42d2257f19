// The small part of JSON the lease records and the audit log need, written
// and read by hand so neither format adds a dependency. Output is deterministic: keys appear in
// the order they are written, numbers in their shortest exact form. Strings are
// byte strings: bytes >= 0x80 pass through untouched both ways, so any
// interface name or label round-trips, valid UTF-8 or not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace chaosnet::json {

class Writer {
 public:
  Writer& BeginObject();
  Writer& EndObject();
  Writer& BeginArray();
  Writer& EndArray();
  Writer& Key(std::string_view key);
  Writer& String(std::string_view s);
  Writer& Int(int64_t v);
  Writer& Uint(uint64_t v);
  // Shortest text that reads back to the same double. Non-finite values have no
  // JSON form and are written as null (the model never holds them).
  Writer& Double(double v);
  Writer& Bool(bool v);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_object() const { return type_ == Type::kObject; }

  // Typed reads; an error names what was expected.
  Result<std::string> AsString() const;
  Result<bool> AsBool() const;
  Result<int64_t> AsInt() const;
  Result<uint64_t> AsUint() const;
  Result<double> AsDouble() const;
  const std::vector<Value>& items() const { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }

  // The member with this key, or nullptr (also when this is not an object).
  const Value* Find(std::string_view key) const;

 private:
  friend class Parser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;  // a string's bytes, or a number's literal text (parsed on demand, exactly)
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

// One complete JSON value, nothing but whitespace after it. Nesting is capped so
// that a damaged file cannot exhaust the stack.
Result<Value> Parse(std::string_view text);

}  // namespace chaosnet::json
