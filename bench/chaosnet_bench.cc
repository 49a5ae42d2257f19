// chaosnet_bench SCENARIO key=value...: one measurement, printed as a Markdown
// section. bench/run.sh prepares the namespace, interfaces and daemon, and
// runs every scenario; see bench/README.md for what each one measures.
#include <google/protobuf/util/time_util.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/bench_client.h"
#include "bench/bench_stats.h"
#include "bench/journal_append.h"
#include "bench/tc_baseline.h"

namespace chaosnet::bench {
namespace {

struct Args {
  std::map<std::string, std::string> values;
  std::string Get(const std::string& key, const std::string& fallback = "") const {
    auto it = values.find(key);
    if (it != values.end()) return it->second;
    if (!fallback.empty()) return fallback;
    throw std::runtime_error("missing " + key + "=...");
  }
  int Int(const std::string& key, int fallback) const {
    return std::stoi(Get(key, std::to_string(fallback)));
  }
  std::vector<std::string> List(const std::string& key) const {
    std::vector<std::string> out;
    std::stringstream in(Get(key));
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
  }
};

std::string Row(const std::string& what, const Summary& s, const std::string& extra = "") {
  return "| " + what + " | " + std::to_string(s.count) + " | " + Human(s.p50_us) + " | " +
         Human(s.p99_us) + " | " + Human(s.max_us) + " | " + extra + " |\n";
}
constexpr char kHeader[] = "| What | n | p50 | p99 | max | |\n|---|---:|---:|---:|---:|---|\n";

std::string Ratio(double baseline, double ours) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fx", baseline / ours);
  return buf;
}

long RssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// 1 and 2: apply + revoke through the daemon, against tc per operation and tc -batch.
void Latency(const Args& a) {
  const std::string server = a.Get("server"), netns = a.Get("netns"), iface = a.Get("iface");
  const int count = a.Int("count", 1000), tc_count = a.Int("tc_count", 200);
  BenchClient client(server);
  for (int i = 0; i < 20; ++i) client.Revoke(client.CreateRate(iface, "", 60));  // warm-up

  // The floor: a round trip through gRPC and the event loop, no kernel work.
  std::vector<double> info;
  for (int i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    grpc::ClientContext ctx;
    v1::Info out;
    if (!client.stub().GetInfo(&ctx, v1::GetInfoRequest{}, &out).ok()) {
      throw std::runtime_error("GetInfo failed");
    }
    info.push_back(MicrosSince(t0));
  }

  std::vector<double> apply, revoke, both;
  for (int i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    std::string id = client.CreateRate(iface, "", 60);
    double a_us = MicrosSince(t0);
    auto t1 = Clock::now();
    client.Revoke(id);
    double r_us = MicrosSince(t1);
    apply.push_back(a_us);
    revoke.push_back(r_us);
    both.push_back(a_us + r_us);
  }
  const Summary daemon = Summarize(both);

  auto tc_runs = [&](bool through_exec, int n) {
    std::vector<double> samples;
    for (int i = 0; i < n; ++i) {
      double us = 0;
      for (const auto& c : TcApplyCommands(iface)) {
        auto argv = TcIn(netns, through_exec);
        argv.insert(argv.end(), c.begin(), c.end());
        us += TimedRun(argv);
      }
      auto argv = TcIn(netns, through_exec);
      auto del = TcRevokeCommand(iface);
      argv.insert(argv.end(), del.begin(), del.end());
      samples.push_back(us + TimedRun(argv));
    }
    return Summarize(samples);
  };
  const Summary tc_n = tc_runs(false, tc_count);
  const Summary tc_exec = tc_runs(true, tc_count);
  std::vector<double> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(TcBatchPerApplyRevoke(netns, iface, tc_count));
  const Summary tc_batch = Summarize(batch);

  std::cout << "### 1-2. Apply + revoke latency (rate fault: htb root + class + filters)\n\n"
            << kHeader << Row("daemon: GetInfo (RPC round trip, no kernel work)", Summarize(info))
            << Row("daemon: CreateFault", Summarize(apply))
            << Row("daemon: RevokeFault", Summarize(revoke))
            << Row("**daemon: apply + revoke**", daemon, "baseline")
            << Row("`tc -n NS` per operation (3 runs)", tc_n,
                   "p50 " + Ratio(tc_n.p50_us, daemon.p50_us) + " slower than the daemon")
            << Row("`ip netns exec NS tc` per operation (3 runs)", tc_exec,
                   "p50 " + Ratio(tc_exec.p50_us, daemon.p50_us) + " slower")
            << Row("`tc -batch`, per apply + revoke (5 batches)", tc_batch,
                   "p50 " + Ratio(tc_batch.p50_us, daemon.p50_us) + " of the daemon's time")
            << "\n";
}

// 3: the CLI, one process per operation, against tc run the same way.
void Cli(const Args& a) {
  const std::string server = a.Get("server"), netns = a.Get("netns"), iface = a.Get("iface");
  const std::string ctl = a.Get("chaosnetctl");
  const int count = a.Int("count", 100);
  std::vector<double> ctl_samples, tc_samples;
  for (int i = 0; i < count; ++i) {
    double us = TimedRun({ctl, "--server", server, "rate", iface, "100mbit", "--ttl", "60s"});
    us += TimedRun({ctl, "--server", server, "revoke", "--all"});
    ctl_samples.push_back(us);
    double t = 0;
    for (const auto& c : TcApplyCommands(iface)) {
      auto argv = TcIn(netns, false);
      argv.insert(argv.end(), c.begin(), c.end());
      t += TimedRun(argv);
    }
    auto argv = TcIn(netns, false);
    auto del = TcRevokeCommand(iface);
    argv.insert(argv.end(), del.begin(), del.end());
    tc_samples.push_back(t + TimedRun(argv));
  }
  const Summary c = Summarize(ctl_samples), t = Summarize(tc_samples);
  // A process's own cost: start-up alone, and one read-only call, each
  // against tc doing the same, alternated so that load hits both alike.
  std::vector<double> version, tc_version, info, tc_show;
  for (int i = 0; i < count; ++i) {
    version.push_back(TimedRun({ctl, "--version"}));
    tc_version.push_back(TimedRun({"tc", "-V"}));
    info.push_back(TimedRun({ctl, "--server", server, "info"}));
    auto show = TcIn(netns, false);
    show.insert(show.end(), {"qdisc", "show", "dev", iface});
    tc_show.push_back(TimedRun(show));
  }
  const Summary v = Summarize(version), tv = Summarize(tc_version);
  const Summary in = Summarize(info), ts = Summarize(tc_show);
  std::cout << "### 3. One-shot CLI: `chaosnetctl rate` + `chaosnetctl revoke --all` vs tc\n\n"
            << kHeader << Row("chaosnetctl (2 processes)", c)
            << Row("`tc -n NS` (3 processes)", t,
                   "CLI p50 is " + Ratio(c.p50_us, t.p50_us) + " of tc's")
            << Row("`chaosnetctl --version`", v)
            << Row("`tc -V`", tv, "CLI p50 is " + Ratio(v.p50_us, tv.p50_us) + " of tc's")
            << Row("`chaosnetctl info` (one RPC)", in)
            << Row("`tc -n NS qdisc show dev IFACE`", ts,
                   "CLI p50 is " + Ratio(in.p50_us, ts.p50_us) + " of tc's")
            << "\n";
}

// 4: throughput with several connected clients, each on its own targets.
void Throughput(const Args& a) {
  const std::string server = a.Get("server");
  const auto ifaces = a.List("ifaces");
  const int clients = a.Int("clients", 4), per_client = a.Int("count", 500);
  std::vector<std::vector<double>> samples(clients);
  std::atomic<int> errors = 0;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        BenchClient client(server);
        const std::string& iface = ifaces[c % ifaces.size()];
        for (int i = 0; i < per_client; ++i) {
          auto t0 = Clock::now();
          client.Revoke(client.CreateRate(iface, TargetAddress(c * 65536 + i) + "/32", 60));
          samples[c].push_back(MicrosSince(t0));
        }
      } catch (const std::exception& e) {
        ++errors;
        std::cerr << "client " << c << ": " << e.what() << "\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = MicrosSince(start) / 1e6;
  std::vector<double> all;
  for (const auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  const double ops = 2.0 * static_cast<double>(all.size()) / seconds;
  char line[256];
  std::snprintf(line, sizeof(line),
                "%d clients, %zu apply + revoke pairs in %.2f s: **%.0f operations/s**, %d "
                "errors",
                clients, all.size(), seconds, ops, errors.load());
  std::cout << "### 4. Throughput, " << clients << " concurrent clients\n\n"
            << line << "\n\n"
            << kHeader << Row("apply + revoke under load (targeted faults)", Summarize(all))
            << "\n";
}

// 5 and 7: expiry lag with N live leases, and the daemon's memory.
void Expiry(const Args& a) {
  const std::string server = a.Get("server");
  const auto ifaces = a.List("ifaces");
  const int leases = a.Int("leases", 1000), per_iface = a.Int("per_iface", 1000);
  const int pid = a.Int("pid", 0);
  const int spacing_us = a.Int("spacing_us", 2000);
  if (static_cast<std::size_t>((leases + per_iface - 1) / per_iface) > ifaces.size()) {
    throw std::runtime_error("not enough interfaces for " + std::to_string(leases) + " leases");
  }
  BenchClient client(server);
  // Idle is the daemon's RSS before any scenario (run.sh reads it at start
  // and passes idle_kib): read here, after the scenarios before this one, it
  // would already hold their heap.
  const long rss_before = RssKiB(pid);
  const long rss_idle = a.Int("idle_kib", 0) > 0 ? a.Int("idle_kib", 0) : rss_before;
  std::vector<std::string> ids;
  ids.reserve(leases);
  auto created_from = Clock::now();
  for (int i = 0; i < leases; ++i) {
    ids.push_back(client.CreateRate(ifaces[i / per_iface], TargetAddress(i) + "/32", 3600));
  }
  const double create_s = MicrosSince(created_from) / 1e6;
  const long rss_live = RssKiB(pid);

  // The watch is read on its own thread from the start, so that the events
  // of the extends below never pile up unread.
  grpc::ClientContext watch_ctx;
  auto watch = client.stub().Watch(&watch_ctx, v1::WatchRequest{});
  std::vector<double> lag;
  std::thread reader([&] {
    v1::FaultEvent event;
    while (static_cast<int>(lag.size()) < leases && watch->Read(&event)) {
      if (event.type() != v1::EVENT_TYPE_EXPIRED) continue;
      const auto late = event.fault().ended_at() - event.fault().expires_at();
      lag.push_back(google::protobuf::util::TimeUtil::DurationToNanoseconds(late) / 1e3);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // subscribed before extending
  // Deadlines `spacing_us` apart; the first one far enough out that every
  // extend (a durable journal write each) is done before it: the lag measured
  // is the expiry path's alone, with all the leases still live.
  const long first_ms = 2000 + static_cast<long>(leases) * 2;
  auto extend_from = Clock::now();
  for (int i = 0; i < leases; ++i) {
    client.Extend(ids[i], std::chrono::milliseconds(
                              first_ms - static_cast<long>(MicrosSince(extend_from) / 1000) +
                              static_cast<long>(i) * spacing_us / 1000));
  }
  const double extend_s = MicrosSince(extend_from) / 1e6;
  const bool extends_in_time = extend_s * 1000 < first_ms;
  reader.join();
  watch_ctx.TryCancel();
  watch->Finish();
  // The daemon hands freed memory back one second after the last end; the
  // target is read 5 s after it.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const long rss_after = RssKiB(pid);
  const double after_to_idle = rss_idle > 0 ? static_cast<double>(rss_after) / rss_idle : 0;
  char ratio[96];
  std::snprintf(ratio, sizeof(ratio), "%.2f (target <= 1.10: %s)", after_to_idle,
                after_to_idle <= 1.10 ? "met" : "NOT met");

  char line[512];
  std::snprintf(line, sizeof(line),
                "%d leases on %zu interfaces (targeted faults, %d per interface): created in "
                "%.1f s (%.0f/s), deadlines re-set %.1f ms apart in %.1f s%s.",
                leases, (leases + per_iface - 1) / static_cast<std::size_t>(per_iface), per_iface,
                create_s, leases / create_s, spacing_us / 1000.0, extend_s,
                extends_in_time ? ", all before the first deadline"
                                : " (NOT all before the first deadline: extends overlap expiries)");
  std::cout << "### 5. Expiry lag with " << leases << " live leases\n\n"
            << line << "\n\n"
            << kHeader << Row("deadline to rollback done", Summarize(lag)) << "\n"
            << "### 7. Daemon memory (RSS), " << leases << " leases\n\n"
            << "| idle (daemon start) | before this run | " << leases
            << " live leases | 5 s after they all ended | after / idle |\n"
            << "|---:|---:|---:|---:|---:|\n"
            << "| " << rss_idle / 1024.0 << " MiB | " << rss_before / 1024.0 << " MiB | "
            << rss_live / 1024.0 << " MiB | " << rss_after / 1024.0 << " MiB | " << ratio
            << " |\n\n";
}

// 6: cost of adding and removing the N-th targeted fault on one interface.
void Compose(const Args& a) {
  const std::string server = a.Get("server"), iface = a.Get("iface");
  const int reps = a.Int("reps", 20);
  std::vector<int> sizes;
  for (const auto& s : a.List("sizes")) sizes.push_back(std::stoi(s));
  BenchClient client(server);
  std::vector<std::string> live;
  std::cout << "### 6. Adding and removing the N-th targeted fault on one interface\n\n"
            << "| N | add p50 | add p99 | remove p50 | remove p99 |\n|---:|---:|---:|---:|---:|\n";
  std::map<int, double> add_p50;
  for (int n : sizes) {
    while (static_cast<int>(live.size()) < n - 1) {
      live.push_back(
          client.CreateRate(iface, TargetAddress(static_cast<int>(live.size())) + "/32", 3600));
    }
    std::vector<double> add, remove;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      std::string id = client.CreateRate(iface, TargetAddress(100000 + r) + "/32", 3600);
      add.push_back(MicrosSince(t0));
      auto t1 = Clock::now();
      client.Revoke(id);
      remove.push_back(MicrosSince(t1));
    }
    const Summary sa = Summarize(add), sr = Summarize(remove);
    add_p50[n] = sa.p50_us;
    std::cout << "| " << n << " | " << Human(sa.p50_us) << " | " << Human(sa.p99_us) << " | "
              << Human(sr.p50_us) << " | " << Human(sr.p99_us) << " |\n";
  }
  for (const auto& id : live) client.Revoke(id);
  if (add_p50.size() >= 2) {
    std::cout << "\nAdding the " << add_p50.rbegin()->first << "-th costs "
              << Ratio(add_p50.rbegin()->second, add_p50.begin()->second) << " the "
              << add_p50.begin()->first << "-th (p50).\n";
  }
  std::cout << "\n";
}

// 8: recording a lease, the journal append every create, extend and revoke
// waits for, against a bare write of the same bytes and against the
// write + fdatasync each of them waited for while the journal flushed.
void Journal(const Args& a) {
  const JournalAppendSamples s = MeasureJournalAppend(a.Get("dir"), a.Int("count", 1000));
  const Summary bare = Summarize(s.bare_write), put = Summarize(s.put),
                synced = Summarize(s.bare_sync);
  std::cout << "### 8. Recording a lease: one journal append (" << s.entry_bytes
            << "-byte entry)\n\n"
            << kHeader << Row("bare `write` of as many bytes (O_APPEND)", bare, "baseline")
            << Row("**`LeaseJournal::Put`** (create, extend, revoke)", put,
                   "p50 " + Ratio(put.p50_us, bare.p50_us) + " the bare write")
            << Row("bare `write` + `fdatasync` (what each record cost while it was flushed)",
                   synced, "p50 " + Ratio(synced.p50_us, put.p50_us) + " `LeaseJournal::Put`")
            << "\n";
}

// 9: N targeted faults on the interfaces, one CreateFault each and then in
// one CreateFaults (groups of the daemon's 10,000), in the same run; each set
// is revoked with one RevokeFaults before the next starts.
void Batch(const Args& a) {
  const std::string server = a.Get("server");
  const auto ifaces = a.List("ifaces");
  const int faults = a.Int("faults", 10000);
  const int per_iface =
      (faults + static_cast<int>(ifaces.size()) - 1) / static_cast<int>(ifaces.size());
  BenchClient client(server);
  auto request = [&](int i) {
    return RateRequest(ifaces[i / per_iface], TargetAddress(i) + "/32", 3600);
  };

  // one_by_one=0 skips the baseline (to profile the batch alone).
  const bool one_by_one = a.Int("one_by_one", 1) != 0;
  auto t0 = Clock::now();
  std::vector<std::string> ids;
  ids.reserve(faults);
  for (int i = 0; one_by_one && i < faults; ++i) {
    const v1::CreateFaultRequest r = request(i);
    ids.push_back(client.CreateRate(r.spec().interface(), r.spec().match().dst_cidr(), 3600));
  }
  const double single_s = MicrosSince(t0) / 1e6;
  t0 = Clock::now();
  if (one_by_one) client.RevokeMany(ids);
  const double revoke_single_s = MicrosSince(t0) / 1e6;

  t0 = Clock::now();
  ids.clear();
  for (int begin = 0; begin < faults; begin += 10000) {
    v1::CreateFaultsRequest batch;
    for (int i = begin; i < std::min(faults, begin + 10000); ++i)
      *batch.add_requests() = request(i);
    for (auto& id : client.CreateMany(batch)) ids.push_back(std::move(id));
  }
  const double batch_s = MicrosSince(t0) / 1e6;
  t0 = Clock::now();
  client.RevokeMany(ids);
  const double revoke_batch_s = MicrosSince(t0) / 1e6;
  // The kernel's share: the same classes and filters from one tc -batch.
  const double tc_batch_s = TcBatchTargetedFaults(a.Get("netns"), ifaces, faults, per_iface) / 1e6;

  char line[1024];
  std::snprintf(line, sizeof(line),
                "| one `CreateFault` each | %.2f s | %.0f/s | |\n"
                "| **one `CreateFaults`** | **%.2f s** | %.0f/s | %s faster; target <= 1 s: %s |\n"
                "| `tc -batch`: the same classes and u32 filters (no daemon) | %.2f s | %.0f/s | "
                "the batch takes %s of it |\n"
                "| `RevokeFaults` of the first set | %.2f s | %.0f/s | |\n"
                "| `RevokeFaults` of the batch's | %.2f s | %.0f/s | |\n",
                single_s, faults / single_s, batch_s, faults / batch_s,
                Ratio(single_s, batch_s).c_str(), batch_s <= 1.0 ? "met" : "NOT met", tc_batch_s,
                faults / tc_batch_s, Ratio(batch_s, tc_batch_s).c_str(), revoke_single_s,
                faults / revoke_single_s, revoke_batch_s, faults / revoke_batch_s);
  std::cout << "### 9. Creating " << faults << " targeted faults on " << ifaces.size()
            << " interfaces: one by one vs one batch\n\n"
            << "| How | time | faults/s | |\n|---|---:|---:|---|\n"
            << line << "\n";
}

}  // namespace
}  // namespace chaosnet::bench

int main(int argc, char** argv) {
  using namespace chaosnet::bench;
  if (argc < 2) {
    std::cerr << "usage: chaosnet_bench latency|cli|throughput|expiry|compose|journal|batch "
                 "key=value...\n";
    return 2;
  }
  Args args;
  for (int i = 2; i < argc; ++i) {
    std::string kv = argv[i];
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      std::cerr << "expected key=value, got " << kv << "\n";
      return 2;
    }
    args.values[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  const std::string scenario = argv[1];
  try {
    if (scenario == "latency")
      Latency(args);
    else if (scenario == "cli")
      Cli(args);
    else if (scenario == "throughput")
      Throughput(args);
    else if (scenario == "expiry")
      Expiry(args);
    else if (scenario == "compose")
      Compose(args);
    else if (scenario == "journal")
      Journal(args);
    else if (scenario == "batch")
      Batch(args);
    else
      throw std::runtime_error("unknown scenario " + scenario);
  } catch (const std::exception& e) {
    std::cerr << "chaosnet_bench " << scenario << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
