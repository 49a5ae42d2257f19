#include "bench/journal_append.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "bench/bench_stats.h"
#include "daemon/plan/tc_objects.h"
#include "daemon/state/journal_format.h"
#include "daemon/state/lease_journal.h"

namespace chaosnet::bench {
namespace {

using namespace std::chrono_literals;

// What the daemon records for a targeted delay: a spec with a match, labels,
// the tree's root as the owned qdisc.
state::StoredLease TypicalLease(int i) {
  state::StoredLease l;
  l.id = "bench" + std::to_string(i);
  l.spec.interface = "cnb0";
  l.spec.netns = "cnbench";
  l.spec.direction = model::Direction::kEgress;
  model::Cidr dst;
  dst.family = AF_INET;
  inet_pton(AF_INET, "10.20.0.0", dst.address.data());
  dst.prefix_length = 16;
  l.spec.match.dst = dst;
  l.spec.match.dport = model::PortRange{8000, 8100};
  l.spec.match.protocol = model::Protocol::kTcp;
  l.spec.delay = model::DelayFault{100ms, 10ms, 25, model::DelayDistribution::kNormal};
  l.spec.loss = model::ProbabilityFault{1, 0};
  l.labels = {{"experiment", "checkout-latency"}, {"team", "payments"}};
  l.owner = "uid:1000 (alice)";
  l.request_id = "req-" + std::to_string(i);
  l.interface = l.spec.interface;
  l.ifindex = 17;
  l.qdiscs = {{plan::kTreeRootHandle, plan::kRootParent, "htb"}};
  l.created_at = std::chrono::system_clock::now();
  l.deadline = l.created_at + 30s;
  l.state = state::LeaseState::kPending;
  return l;
}

std::vector<double> TimePuts(const std::string& dir, int count) {
  auto journal = state::LeaseJournal::Open(dir);
  if (!journal.ok()) throw std::runtime_error("journal: " + journal.status().message());
  std::vector<double> samples;
  for (int i = 0; i < count; ++i) {
    const state::StoredLease lease = TypicalLease(i);
    const auto start = Clock::now();
    if (Status s = journal->Put(lease); !s.ok()) {
      throw std::runtime_error("journal Put: " + s.message());
    }
    samples.push_back(MicrosSince(start));
  }
  return samples;
}

std::vector<double> TimeBareAppends(const std::string& path, const std::string& bytes, int count,
                                    bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("open " + path + " failed");
  std::vector<double> samples;
  for (int i = 0; i < count; ++i) {
    const auto start = Clock::now();
    const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                    (!sync || ::fdatasync(fd) == 0);
    samples.push_back(MicrosSince(start));
    if (!ok) {
      ::close(fd);
      throw std::runtime_error("append to " + path + " failed");
    }
  }
  ::close(fd);
  return samples;
}

}  // namespace

JournalAppendSamples MeasureJournalAppend(const std::string& dir, int count) {
  namespace fs = std::filesystem;
  const fs::path journal_dir = fs::path(dir) / "journal";
  const fs::path bare = fs::path(dir) / "bare-append";
  JournalAppendSamples out;
  out.entry_bytes = state::EncodeUpsert(TypicalLease(0)).size();
  const std::string bytes(out.entry_bytes, 'x');
  out.put = TimePuts(journal_dir, count);
  out.bare_write = TimeBareAppends(bare, bytes, count, /*sync=*/false);
  out.bare_sync = TimeBareAppends(bare, bytes, count, /*sync=*/true);
  fs::remove_all(journal_dir);
  fs::remove(bare);
  return out;
}

}  // namespace chaosnet::bench
