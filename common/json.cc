#include "common/json.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "common/units.h"

namespace chaosnet::json {

// ---- Writer ----------------------------------------------------------------

void Writer::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (need_comma_) out_ += ',';
}

Writer& Writer::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

Writer& Writer::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

Writer& Writer::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

Writer& Writer::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

Writer& Writer::Key(std::string_view key) {
  String(key);
  out_ += ':';
  need_comma_ = false;
  after_key_ = true;
  return *this;
}

Writer& Writer::String(std::string_view s) {
  Separate();
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out_ += "\\u00";
          out_ += kHex[u >> 4];
          out_ += kHex[u & 0xF];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
  need_comma_ = true;
  return *this;
}

Writer& Writer::Int(int64_t v) {
  Separate();
  out_ += std::to_string(v);
  need_comma_ = true;
  return *this;
}

Writer& Writer::Uint(uint64_t v) {
  Separate();
  out_ += std::to_string(v);
  need_comma_ = true;
  return *this;
}

Writer& Writer::Double(double v) {
  Separate();
  if (!std::isfinite(v)) {
    out_ += "null";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    out_.append(buf, ec == std::errc() ? end : buf);
  }
  need_comma_ = true;
  return *this;
}

Writer& Writer::Bool(bool v) {
  Separate();
  out_ += v ? "true" : "false";
  need_comma_ = true;
  return *this;
}

// ---- Value -----------------------------------------------------------------

Result<std::string> Value::AsString() const {
  if (type_ != Type::kString) return InvalidArgument("expected a string");
  return text_;
}

Result<bool> Value::AsBool() const {
  if (type_ != Type::kBool) return InvalidArgument("expected true or false");
  return bool_;
}

namespace {
template <typename T>
Result<T> ParseInteger(const std::string& text, const char* what) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(std::string("expected ") + what + ", got " + text);
  }
  return v;
}
}  // namespace

Result<int64_t> Value::AsInt() const {
  if (type_ != Type::kNumber) return InvalidArgument("expected an integer");
  return ParseInteger<int64_t>(text_, "a 64-bit integer");
}

Result<uint64_t> Value::AsUint() const {
  if (type_ != Type::kNumber) return InvalidArgument("expected an unsigned integer");
  return ParseInteger<uint64_t>(text_, "an unsigned 64-bit integer");
}

Result<double> Value::AsDouble() const {
  if (type_ != Type::kNumber) return InvalidArgument("expected a number");
  double v = 0;
  auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), v);
  if (ec != std::errc() || end != text_.data() + text_.size()) {
    return InvalidArgument("expected a number, got " + text_);
  }
  return v;
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

// ---- Parser ----------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  Result<Value> ParseDocument() {
    Value v;
    RETURN_IF_ERROR(ParseValue(v, 0));
    SkipSpace();
    if (pos_ != in_.size()) return Fail("unexpected text after the value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 32;

  Status Fail(const std::string& what) const {
    return InvalidArgument("json: " + what + " at byte " + std::to_string(pos_));
  }

  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status ParseValue(Value& out, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    SkipSpace();
    if (pos_ >= in_.size()) return Fail("unexpected end");
    const char c = in_[pos_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      out.type_ = Value::Type::kString;
      return ParseString(out.text_);
    }
    if (Consume("true")) {
      out.type_ = Value::Type::kBool;
      out.bool_ = true;
      return Status::Ok();
    }
    if (Consume("false")) {
      out.type_ = Value::Type::kBool;
      return Status::Ok();
    }
    if (Consume("null")) {
      out.type_ = Value::Type::kNull;
      return Status::Ok();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
    return Fail("unexpected character " + units::QuoteInput(std::string_view(&c, 1)));
  }

  Status ParseNumber(Value& out) {
    const size_t start = pos_;
    auto is_num = [](char ch) {
      return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '.' || ch == 'e' ||
             ch == 'E';
    };
    while (pos_ < in_.size() && is_num(in_[pos_])) ++pos_;
    out.type_ = Value::Type::kNumber;
    out.text_ = std::string(in_.substr(start, pos_ - start));
    // Validated when read: AsInt/AsDouble reject malformed literals.
    return Status::Ok();
  }

  static void AppendUtf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Status ParseHex4(uint32_t& cp) {
    if (pos_ + 4 > in_.size()) return Fail("short \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = in_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= h - '0';
      else if (h >= 'a' && h <= 'f')
        cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        cp |= h - 'A' + 10;
      else
        return Fail("bad \\u escape");
    }
    return Status::Ok();
  }

  Status ParseString(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (true) {
      if (pos_ >= in_.size()) return Fail("unterminated string");
      const char c = in_[pos_++];
      if (c == '"') return Status::Ok();
      if (static_cast<unsigned char>(c) < 0x20) return Fail("raw control byte in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= in_.size()) return Fail("unterminated escape");
      const char e = in_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          RETURN_IF_ERROR(ParseHex4(cp));
          if (cp >= 0xD800 && cp <= 0xDBFF && Consume("\\u")) {
            uint32_t low = 0;
            RETURN_IF_ERROR(ParseHex4(low));
            if (low < 0xDC00 || low > 0xDFFF) return Fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Fail("unknown escape character " + units::QuoteInput(std::string_view(&e, 1)));
      }
    }
  }

  Status ParseArray(Value& out, int depth) {
    ++pos_;
    out.type_ = Value::Type::kArray;
    SkipSpace();
    if (Consume("]")) return Status::Ok();
    while (true) {
      Value item;
      RETURN_IF_ERROR(ParseValue(item, depth + 1));
      out.items_.push_back(std::move(item));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("]")) return Status::Ok();
      return Fail("expected ',' or ']'");
    }
  }

  Status ParseObject(Value& out, int depth) {
    ++pos_;
    out.type_ = Value::Type::kObject;
    SkipSpace();
    if (Consume("}")) return Status::Ok();
    while (true) {
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != '"') return Fail("expected a key");
      std::string key;
      RETURN_IF_ERROR(ParseString(key));
      SkipSpace();
      if (!Consume(":")) return Fail("expected ':'");
      Value v;
      RETURN_IF_ERROR(ParseValue(v, depth + 1));
      out.members_.emplace_back(std::move(key), std::move(v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("}")) return Status::Ok();
      return Fail("expected ',' or '}'");
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
};

Result<Value> Parse(std::string_view text) { return Parser(text).ParseDocument(); }

}  // namespace chaosnet::json
