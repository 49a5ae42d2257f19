// chaosnetctl: a thin CLI over chaosnetd's gRPC API. See client/commands.h.
#include <iostream>
#include <string>
#include <vector>

#include "client/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return chaosnet::client::Main(args, std::cout, std::cerr);
}
