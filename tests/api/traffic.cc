#include "tests/api/traffic.h"

#include <cstdio>
#include <sstream>

namespace chaosnet::testing {

std::optional<PingResult> PingAtoB(const TestNetwork& net, int count, double interval_s,
                                   bool ipv6) {
  std::ostringstream cmd;
  cmd << "ping " << (ipv6 ? "-6 " : "") << "-q -c " << count << " -i " << interval_s << " -W 2 "
      << net.addr_b();
  std::string out;
  net.InA(cmd.str(), &out);
  PingResult r;
  auto tx = out.find(" packets transmitted");
  if (tx == std::string::npos) return std::nullopt;
  auto line_start = out.rfind('\n', tx);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  if (std::sscanf(out.c_str() + line_start, "%d packets transmitted, %d received", &r.sent,
                  &r.received) != 2) {
    return std::nullopt;
  }
  r.loss_percent = r.sent > 0 ? 100.0 * (r.sent - r.received) / r.sent : 100;
  auto rtt = out.find("rtt min/avg/max/mdev = ");
  if (rtt != std::string::npos) {
    double min = 0;
    std::sscanf(out.c_str() + rtt, "rtt min/avg/max/mdev = %lf/%lf", &min, &r.avg_ms);
  }
  return r;
}

}  // namespace chaosnet::testing
