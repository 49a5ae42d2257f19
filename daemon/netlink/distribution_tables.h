// netem's delay distribution tables, as iproute2 ships them (normal.dist,
// pareto.dist, paretonormal.dist: 4096 signed 16-bit samples of the inverse
// CDF, scaled by 4096 = NETEM_DIST_SCALE). Loaded once at start; the netem
// encoder copies the table into TCA_NETEM_DELAY_DIST as tc does.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::netlink {

class DistributionTables {
 public:
  // Where Debian (multiarch), other distributions and libnl look, in order.
  static std::vector<std::string> DefaultSearchPath();

  // Loads every table it finds in the first directory of `search_path` that
  // has it. A missing table is not an error here: Get() reports it when a
  // fault actually needs that distribution.
  static DistributionTables Load(const std::vector<std::string>& search_path = DefaultSearchPath());

  // Parses one .dist file's text: whitespace-separated integers, lines that
  // start with '#' are comments.
  static Result<std::vector<int16_t>> Parse(const std::string& text);

  // The table for a distribution; FAILED_PRECONDITION naming the file and the
  // directories searched when it was not found. kUniform has no table.
  Result<const std::vector<int16_t>*> Get(model::DelayDistribution d) const;

  void Set(model::DelayDistribution d, std::vector<int16_t> table) {
    tables_[d] = std::move(table);
  }

 private:
  std::map<model::DelayDistribution, std::vector<int16_t>> tables_;
  std::vector<std::string> searched_;
};

}  // namespace chaosnet::netlink
