#include "daemon/netlink/distribution_tables.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace chaosnet::netlink {
namespace {
// netem refuses tables longer than this (NETEM_DIST_MAX).
constexpr size_t kMaxSamples = 16384;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// iproute2's name for the table: "normal.dist".
std::string FileName(model::DelayDistribution d) {
  return std::string(NameOf(model::kDelayDistributionNames, d)) + ".dist";
}
}  // namespace

std::vector<std::string> DistributionTables::DefaultSearchPath() {
  return {"/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/tc", "/usr/lib64/tc", "/usr/local/lib/tc"};
}

Result<std::vector<int16_t>> DistributionTables::Parse(const std::string& text) {
  std::vector<int16_t> table;
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (!line.empty() && line[0] == '#') continue;
    const char* p = line.c_str();
    while (true) {
      char* end = nullptr;
      errno = 0;
      const long v = std::strtol(p, &end, 10);
      if (end == p) {
        while (*end == ' ' || *end == '\t' || *end == '\r') ++end;
        if (*end != '\0') {
          return InvalidArgument("line " + std::to_string(line_no) + ": not a number: " + end);
        }
        break;
      }
      if (errno != 0 || v < INT16_MIN || v > INT16_MAX) {
        return InvalidArgument("line " + std::to_string(line_no) + ": value out of 16-bit range");
      }
      if (table.size() == kMaxSamples) {
        return InvalidArgument("more than " + std::to_string(kMaxSamples) + " samples");
      }
      table.push_back(static_cast<int16_t>(v));
      p = end;
    }
  }
  if (table.empty()) return InvalidArgument("no samples");
  return table;
}

DistributionTables DistributionTables::Load(const std::vector<std::string>& search_path) {
  DistributionTables t;
  t.searched_ = search_path;
  for (auto d : {model::DelayDistribution::kNormal, model::DelayDistribution::kPareto,
                 model::DelayDistribution::kParetoNormal}) {
    for (const auto& dir : search_path) {
      std::string text;
      if (!ReadFile(dir + "/" + FileName(d), &text)) continue;
      auto parsed = Parse(text);
      if (parsed.ok()) {
        t.tables_[d] = std::move(parsed).value();
        break;
      }
    }
  }
  return t;
}

Result<const std::vector<int16_t>*> DistributionTables::Get(model::DelayDistribution d) const {
  if (d == model::DelayDistribution::kUniform) {
    return InvalidArgument("the uniform distribution has no table");
  }
  auto it = tables_.find(d);
  if (it != tables_.end()) return &it->second;
  std::string dirs;
  for (const auto& s : searched_) dirs += (dirs.empty() ? "" : ", ") + s;
  return FailedPrecondition("netem distribution table " + FileName(d) + " not found (searched " +
                            (dirs.empty() ? "nothing" : dirs) +
                            "): install iproute2, which ships it");
}

}  // namespace chaosnet::netlink
