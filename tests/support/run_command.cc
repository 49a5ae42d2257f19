#include "tests/support/run_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace chaosnet::testing {

std::string RunCommand(const std::string& command, int* exit_code) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    if (exit_code) *exit_code = -1;
    return "popen failed";
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

int Shell(const std::string& command, std::string* out) {
  int rc = -1;
  std::string output = RunCommand(command, &rc);
  if (out != nullptr) out->append(output);
  return rc;
}

std::string ShellQuote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

bool IsRoot() { return geteuid() == 0; }

}  // namespace chaosnet::testing
