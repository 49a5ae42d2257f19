// chaosnetctl: a thin CLI over chaosnetd's gRPC API. See client/commands.h.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/rpc.h"

int main(int argc, char** argv) {
  // gRPC starts with the first channel (client/rpc.cc), so --version, --help
  // and a usage error start no threads (issue 19). It is never shut down, and
  // no channel is ever destroyed: either would join gRPC's threads with
  // sleeps in between (3-4 ms of a 10 ms `chaosnetctl info`). The process
  // ends without it: every call has finished, every stream has ended, every
  // file is closed by the time Main returns; the kernel closes the sockets.
  chaosnet::client::KeepChannelsUntilExit();
  std::vector<std::string> args(argv, argv + argc);
  const int status = chaosnet::client::Main(args, std::cout, std::cerr);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}
