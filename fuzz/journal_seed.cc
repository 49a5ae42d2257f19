// journal_seed IN OUT: turns a journal_fuzz seed of the entries form (mode,
// cut and flip bytes, then one entry per line; journal_lines.h) into a seed of
// the raw form holding the same journal as file bytes, so that the committed
// seeds stay text and the raw form still starts from real journals.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/journal_lines.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: journal_seed IN OUT\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string seed(std::istreambuf_iterator<char>(in), {});
  if (!in.good() && !in.eof()) {
    std::fprintf(stderr, "journal_seed: cannot read %s\n", argv[1]);
    return 1;
  }
  if (seed.size() < 3 || (seed[0] & 1) == 0) {
    std::fprintf(stderr, "journal_seed: %s is not of the entries form (odd first byte)\n", argv[1]);
    return 1;
  }
  const auto journal = chaosnet::fuzz::FrameLines(std::string_view(seed).substr(3));
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << '0' << journal.file;
  return out.good() ? 0 : 1;
}
