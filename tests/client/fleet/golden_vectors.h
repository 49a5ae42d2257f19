// random_vectors.txt, the golden vectors of the fleet's random source and
// random shapes that every client must reproduce, as lines of words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chaosnet::fleet::golden {

using Words = std::vector<std::string>;

// Every non-comment line whose first word is `kind`, split at spaces (the
// kind itself included). Fails the calling test if the file cannot be read.
std::vector<Words> GoldenVectors(std::string_view kind);

}  // namespace chaosnet::fleet::golden
