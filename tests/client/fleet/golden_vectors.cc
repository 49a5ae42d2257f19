#include "tests/client/fleet/golden_vectors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace chaosnet::fleet::golden {

std::vector<Words> GoldenVectors(std::string_view kind) {
  std::ifstream in(CHAOSNET_FLEET_VECTORS);
  EXPECT_TRUE(in.good()) << "cannot read " << CHAOSNET_FLEET_VECTORS;
  std::vector<Words> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream words(line);
    Words split;
    for (std::string w; words >> w;) split.push_back(w);
    if (!split.empty() && split.front() == kind) lines.push_back(std::move(split));
  }
  return lines;
}

}  // namespace chaosnet::fleet::golden
