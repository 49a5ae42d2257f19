// chaosnetctl: a thin CLI over chaosnetd's gRPC API. See client/commands.h.
#include <grpc/grpc.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/commands.h"

int main(int argc, char** argv) {
  // gRPC's shutdown, when the last channel goes, joins its threads with
  // sleeps in between: 3-4 ms of a 10 ms `chaosnetctl info` (issue 19). Held
  // here, the library outlives every channel, and the process ends without
  // it: every call has finished, every stream has ended, every file is
  // closed by the time Main returns; the kernel closes the sockets.
  // The threads gRPC starts now inherit a mask blocking every signal: Ctrl-C
  // and SIGTERM reach this thread, where the commands wait for them.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  grpc_init();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  std::vector<std::string> args(argv, argv + argc);
  const int status = chaosnet::client::Main(args, std::cout, std::cerr);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}
