#include "daemon/app/guard_runner.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "daemon/guard/counter_guard.h"
#include "daemon/guard/network_outcome.h"
#include "daemon/netns/in_netns.h"
#include "daemon/state/unique_fd.h"

namespace chaosnet::app {

namespace asio = boost::asio;
using asio::ip::tcp;

struct GuardRunner::Armed {
  Armed(asio::io_context& loop, std::string fault_id, guard::Guards parsed, core::SteadyTime at)
      : id(std::move(fault_id)), guards(std::move(parsed)), verdicts(guards, at), round(loop) {}

  std::string id;
  guard::Guards guards;
  guard::GuardVerdicts verdicts;
  asio::steady_timer round;
  // Where network guards' sockets are made; none: the daemon's own namespace.
  std::optional<netns::NetnsRef> ns;
  state::UniqueFd snmp;  // the namespace's /proc/net/snmp, for retransmits<
  std::optional<guard::CounterSample> last_sample;
  bool ended = false;  // disarmed: late answers are ignored
};

namespace {

tcp::endpoint ToAsio(const guard::Endpoint& e) {
  if (e.address.family == AF_INET6) {
    asio::ip::address_v6::bytes_type bytes;
    std::copy_n(e.address.address.begin(), bytes.size(), bytes.begin());
    return {asio::ip::address_v6(bytes), e.port};
  }
  asio::ip::address_v4::bytes_type bytes;
  std::copy_n(e.address.address.begin(), bytes.size(), bytes.begin());
  return {asio::ip::address_v4(bytes), e.port};
}

bool IsCounterGuard(const guard::GuardCheck& check) { return guard::TargetOf(check) == nullptr; }

// A file descriptor `make` opens in the fault's namespace (none: the
// daemon's own). A socket, or a /proc/net file, keeps the namespace it was
// made in, whichever thread then uses it.
Result<state::UniqueFd> MakeFdIn(const std::optional<netns::NetnsRef>& ns, const std::string& what,
                                 const std::function<int()>& make) {
  int fd = -1;
  int err = 0;
  auto run = [&] {
    fd = make();
    err = errno;
  };
  if (ns) {
    RETURN_IF_ERROR(netns::RunIn(*ns, run));
  } else {
    run();
  }
  if (fd < 0) return FailedPrecondition(what + ": " + std::strerror(err));
  return state::UniqueFd(fd);
}

Result<state::UniqueFd> MakeSocket(const std::optional<netns::NetnsRef>& ns, int family) {
  return MakeFdIn(ns, "socket", [family] {
    return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  });
}

Result<state::UniqueFd> OpenSnmp(const std::optional<netns::NetnsRef>& ns) {
  // thread-self: the namespace of the thread that opens it, not the process's.
  return MakeFdIn(ns, "/proc/net/snmp",
                  [] { return ::open("/proc/thread-self/net/snmp", O_RDONLY | O_CLOEXEC); });
}

std::optional<uint64_t> ReadRetransmits(const state::UniqueFd& snmp) {
  if (!snmp.valid()) return std::nullopt;
  std::string text;
  char buf[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(snmp.get(), buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return guard::RetransSegsFromSnmp(text);
}

// One network check in flight: its socket, its deadline, what it has read.
struct Probe {
  Probe(asio::io_context& loop, state::UniqueFd fd, const tcp::endpoint& to)
      : socket(loop), deadline(loop) {
    boost::system::error_code ec;
    socket.assign(to.protocol(), fd.get(), ec);
    if (!ec) fd.Release();  // the socket owns it now; else fd closes it
  }
  tcp::socket socket;
  asio::steady_timer deadline;
  asio::streambuf answer;
  std::string request;
  bool done = false;
};

}  // namespace

GuardRunner::GuardRunner(asio::io_context& loop, core::FaultManager& manager,
                         const core::Clock& clock, std::function<void(const char*)> count_check)
    : loop_(loop), manager_(manager), clock_(clock), count_check_(std::move(count_check)) {
  // Faults restored at start carry their guards: re-armed with the lease.
  std::vector<core::FaultRecord> restored;
  manager_.ForEachActive([&](const core::FaultRecord& r) { restored.push_back(r); });
  for (const auto& record : restored) Arm(record);
  subscription_ = manager_.Subscribe([this](const core::FaultEvent& e) {
    if (e.type == core::EventType::kApplied) {
      Arm(e.fault);
    } else if (e.type != core::EventType::kExtended) {
      Disarm(e.fault.id);
    }
  });
}

GuardRunner::~GuardRunner() {
  manager_.Unsubscribe(subscription_);
  for (auto& [id, armed] : armed_) {
    armed->ended = true;
    armed->round.cancel();
  }
}

void GuardRunner::Arm(const core::FaultRecord& record) {
  if (record.spec.guards.empty() || armed_.contains(record.id)) return;
  auto parsed = guard::ParseGuards(record.spec.guards);
  if (!parsed.ok()) {  // validated at create; a journal edited by hand
    spdlog::error("fault {}: guards not armed: {}", record.id, parsed.status().message());
    return;
  }
  auto armed = std::make_shared<Armed>(loop_, record.id, std::move(*parsed), clock_.Now());
  if (!record.spec.netns.empty()) {
    auto ns = netns::NetnsRef::Open(record.spec.netns);
    if (!ns.ok()) {
      spdlog::error("fault {}: guards not armed: {}", record.id, ns.status().message());
      return;
    }
    armed->ns.emplace(std::move(*ns));
  }
  for (const auto& spec : armed->guards.specs) {
    if (!std::holds_alternative<guard::RetransmitsCheck>(spec.check)) continue;
    auto snmp = OpenSnmp(armed->ns);
    if (snmp.ok()) {
      armed->snmp = std::move(*snmp);
    } else {
      spdlog::warn("fault {}: {}", record.id, snmp.status().message());
    }
    break;
  }
  armed_[record.id] = armed;
  ScheduleRound(armed);
}

void GuardRunner::Disarm(const std::string& id) {
  auto it = armed_.find(id);
  if (it == armed_.end()) return;
  it->second->ended = true;
  it->second->round.cancel();
  armed_.erase(it);
}

void GuardRunner::ScheduleRound(const std::shared_ptr<Armed>& armed) {
  const core::SteadyTime next = armed->verdicts.NextRoundAfter(clock_.Now());
  armed->round.expires_after(next - clock_.Now());
  armed->round.async_wait([this, armed](const boost::system::error_code& ec) {
    if (ec || armed->ended) return;
    RunRound(armed);
    if (!armed->ended) ScheduleRound(armed);
  });
}

void GuardRunner::RunRound(const std::shared_ptr<Armed>& armed) {
  const core::SteadyTime started = clock_.Now();
  bool counters = false;
  for (size_t i = 0; i < armed->guards.specs.size() && !armed->ended; ++i) {
    if (IsCounterGuard(armed->guards.specs[i].check)) {
      counters = true;
    } else {
      StartNetworkCheck(armed, i, started);
    }
  }
  if (counters && !armed->ended) CheckCounters(armed, started);
}

void GuardRunner::CheckCounters(const std::shared_ptr<Armed>& armed, core::SteadyTime started) {
  auto counters = manager_.ReadCounters(armed->id);
  guard::CounterSample sample;
  sample.at = clock_.Now();
  if (counters.ok()) {
    sample.packets = counters->packets;
    sample.drops = counters->drops;
    sample.backlog_packets = counters->backlog_packets;
  }
  sample.retransmits = ReadRetransmits(armed->snmp);
  const auto latency = clock_.Now() - started;
  const std::optional<guard::CounterSample> previous = armed->last_sample;
  armed->last_sample = sample;
  for (size_t i = 0; i < armed->guards.specs.size() && !armed->ended; ++i) {
    const auto& check = armed->guards.specs[i].check;
    if (!IsCounterGuard(check)) continue;
    guard::GuardOutcome outcome;
    if (!counters.ok() && !std::holds_alternative<guard::RetransmitsCheck>(check)) {
      // The objects are gone: drift handling ends the fault LOST, not a guard.
      outcome = {guard::GuardResult::kUndecided,
                 "counters unreadable: " + counters.status().message()};
    } else {
      outcome = guard::EvaluateCounterGuard(check, previous, sample);
    }
    outcome.latency = latency;
    Conclude(armed, i, outcome, started);
  }
}

void GuardRunner::StartNetworkCheck(const std::shared_ptr<Armed>& armed, size_t index,
                                    core::SteadyTime started) {
  const guard::GuardCheck& check = armed->guards.specs[index].check;
  const tcp::endpoint to = ToAsio(*guard::TargetOf(check));
  auto fd = MakeSocket(armed->ns, to.protocol().family());
  if (!fd.ok()) {
    Conclude(armed, index, guard::ErrorOutcome(fd.status().message(), clock_.Now() - started),
             started);
    return;
  }
  auto probe = std::make_shared<Probe>(loop_, std::move(*fd), to);
  const auto* http = std::get_if<guard::HttpCheck>(&check);
  if (http) probe->request = guard::HttpRequest(*http);

  // Whichever comes first, the answer or the deadline, decides; the other is
  // ignored (closing the socket cancels what is still pending).
  auto finish = [this, armed, index, started, probe](const guard::GuardOutcome& outcome) {
    if (probe->done) return;
    probe->done = true;
    probe->deadline.cancel();
    boost::system::error_code ignored;
    probe->socket.close(ignored);
    if (!armed->ended) Conclude(armed, index, outcome, started);
  };
  const auto timeout = armed->guards.schedule.timeout;
  probe->deadline.expires_at(started + timeout);
  probe->deadline.async_wait([finish, timeout](const boost::system::error_code& ec) {
    if (!ec) finish(guard::TimeoutOutcome(timeout));
  });
  auto elapsed = [this, started] { return clock_.Now() - started; };
  probe->socket.async_connect(to, [=, this](const boost::system::error_code& ec) {
    if (ec) return finish(guard::ErrorOutcome(ec.message(), elapsed()));
    if (!http) return finish(guard::ConnectedOutcome(elapsed()));
    asio::async_write(probe->socket, asio::buffer(probe->request),
                      [=](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return finish(guard::ErrorOutcome(ec.message(), elapsed()));
                        asio::async_read_until(
                            probe->socket, probe->answer, "\r\n",
                            [=](const boost::system::error_code& ec, std::size_t n) {
                              if (ec && n == 0)
                                return finish(guard::ErrorOutcome(ec.message(), elapsed()));
                              const auto data = probe->answer.data();
                              const std::string line(asio::buffers_begin(data),
                                                     asio::buffers_begin(data) + n);
                              const auto status = guard::StatusOfStatusLine(line);
                              if (!status)
                                return finish(guard::ErrorOutcome("not an HTTP answer", elapsed()));
                              finish(guard::HttpStatusOutcome(*http, *status, elapsed()));
                            });
                      });
  });
}

void GuardRunner::Conclude(const std::shared_ptr<Armed>& armed, size_t index,
                           const guard::GuardOutcome& outcome, core::SteadyTime started) {
  if (armed->ended) return;
  const auto halt = armed->verdicts.Record(index, outcome, started, clock_.WallNow());
  if (started >= armed->verdicts.FirstRound() && count_check_) {
    count_check_(guard::GuardResultName(outcome.result));
  }
  manager_.SetGuardStatuses(armed->id, armed->verdicts.statuses());
  if (!halt) return;
  spdlog::warn("fault {}: {}; halting it", armed->id, *halt);
  auto halted = manager_.Halt(armed->id, *halt);
  if (!halted.ok()) {
    spdlog::error("fault {}: cannot halt: {}", armed->id, halted.status().message());
  }
  Disarm(armed->id);
}

}  // namespace chaosnet::app
