#include "daemon/api/metrics.h"

#include <cstdio>

namespace chaosnet::api {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Histogram::Observe(double seconds) {
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      ++buckets_[i];
      return;
    }
  }
}

std::string Histogram::Render(const std::string& name, const std::string& labels) const {
  std::string out;
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i];
    out += name + "_bucket{" + labels + "le=\"" + Number(kBounds[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{" + labels + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
  const std::string plain = labels.empty() ? "" : "{" + labels.substr(0, labels.size() - 1) + "}";
  out += name + "_sum" + plain + " " + Number(sum_) + "\n";
  out += name + "_count" + plain + " " + std::to_string(count_) + "\n";
  return out;
}

Metrics::Metrics(core::FaultManager& manager) : manager_(manager) {
  for (auto t : {core::EventType::kApplied, core::EventType::kExtended, core::EventType::kExpired,
                 core::EventType::kRevoked, core::EventType::kLost, core::EventType::kFailed,
                 core::EventType::kHalted}) {
    events_[core::EventTypeLabel(t)] = 0;  // every series exists from the start
  }
  for (const char* result : {"pass", "fail", "undecided"}) guard_checks_[result] = 0;
  subscription_ = manager_.Subscribe([this](const core::FaultEvent& e) { OnEvent(e); });
}

Metrics::~Metrics() { manager_.Unsubscribe(subscription_); }

void Metrics::OnEvent(const core::FaultEvent& e) {
  ++events_[core::EventTypeLabel(e.type)];
  if (e.type == core::EventType::kExpired) {
    expiry_lag_.Observe(
        std::chrono::duration<double>(e.fault.ended_at - e.fault.expires_at).count());
  }
}

void Metrics::ObserveRequest(const std::string& rpc, StatusCode code, double seconds) {
  ++requests_[{rpc, StatusCodeName(code)}];
  latency_[rpc].Observe(seconds);
}

std::string Metrics::Render() {
  std::map<std::pair<std::string, std::string>, uint64_t> by_interface;
  std::map<std::string, uint64_t> by_kind = {{"delay", 0},    {"loss", 0},    {"duplicate", 0},
                                             {"corrupt", 0},  {"reorder", 0}, {"rate", 0},
                                             {"partition", 0}};
  for (const char* kind : {"loss_model", "ecn", "slot", "link_rate", "in_order", "jam"}) {
    by_kind[kind] = 0;  // link models (issue 18)
  }
  manager_.ForEachActive([&](const core::FaultRecord& f) {
    ++by_interface[{f.spec.netns, f.spec.interface}];
    if (f.spec.delay) ++by_kind["delay"];
    if (f.spec.loss) ++by_kind["loss"];
    if (f.spec.duplicate) ++by_kind["duplicate"];
    if (f.spec.corrupt) ++by_kind["corrupt"];
    if (f.spec.reorder) ++by_kind["reorder"];
    if (f.spec.rate) ++by_kind["rate"];
    if (f.spec.partition) ++by_kind["partition"];
    if (f.spec.loss_model) ++by_kind["loss_model"];
    if (f.spec.ecn) ++by_kind["ecn"];
    if (f.spec.slot) ++by_kind["slot"];
    if (f.spec.link_rate) ++by_kind["link_rate"];
    if (f.spec.in_order) ++by_kind["in_order"];
    if (f.spec.jam) ++by_kind["jam"];
  });
  std::string out;
  Header(out, "chaosnet_faults_active", "gauge", "Live faults by network namespace and interface.");
  for (const auto& [key, n] : by_interface) {
    out += "chaosnet_faults_active{netns=\"" + EscapeLabel(key.first) + "\",interface=\"" +
           EscapeLabel(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  Header(out, "chaosnet_faults_active_by_kind", "gauge",
         "Live faults that include each kind of fault (a fault may count under several).");
  for (const auto& [kind, n] : by_kind) {
    out += "chaosnet_faults_active_by_kind{kind=\"" + kind + "\"} " + std::to_string(n) + "\n";
  }
  Header(out, "chaosnet_fault_events_total", "counter", "Lease events since the daemon started.");
  for (const auto& [event, n] : events_) {
    out += "chaosnet_fault_events_total{event=\"" + event + "\"} " + std::to_string(n) + "\n";
  }
  Header(out, "chaosnet_requests_total", "counter", "API requests by RPC and result code.");
  for (const auto& [key, n] : requests_) {
    out += "chaosnet_requests_total{rpc=\"" + key.first + "\",code=\"" + key.second + "\"} " +
           std::to_string(n) + "\n";
  }
  Header(out, "chaosnet_request_duration_seconds", "histogram",
         "Time from a request's arrival to its answer, by RPC.");
  for (const auto& [rpc, h] : latency_) {
    out += h.Render("chaosnet_request_duration_seconds", "rpc=\"" + rpc + "\",");
  }
  Header(out, "chaosnet_expiry_lag_seconds", "histogram",
         "Time from a lease's deadline to its rollback being done.");
  out += expiry_lag_.Render("chaosnet_expiry_lag_seconds", "");
  Header(out, "chaosnet_netlink_errors_total", "counter",
         "Netlink requests the kernel answered with an error, by errno (ENOENT is expected when "
         "rolling back what is already gone).");
  if (kernel_errors_) {
    for (const auto& [name, n] : kernel_errors_()) {
      out += "chaosnet_netlink_errors_total{errno=\"" + name + "\"} " + std::to_string(n) + "\n";
    }
  }
  Header(out, "chaosnet_guard_checks_total", "counter",
         "Guard checks by result (pass, fail, undecided: a counter guard without enough data).");
  for (const auto& [result, n] : guard_checks_) {
    out += "chaosnet_guard_checks_total{result=\"" + result + "\"} " + std::to_string(n) + "\n";
  }
  Header(out, "chaosnet_halts_total", "counter", "Faults a failed guard ended (HALTED).");
  out += "chaosnet_halts_total " +
         std::to_string(events_[core::EventTypeLabel(core::EventType::kHalted)]) + "\n";
  Header(out, "chaosnet_program_steps_total", "counter",
         "Program steps made in place (netem leaf / htb class changes).");
  out += "chaosnet_program_steps_total " + std::to_string(program_steps_) + "\n";
  Header(out, "chaosnet_program_step_lag_seconds", "histogram",
         "Time from a program step's due instant to its change being done.");
  out += program_step_lag_.Render("chaosnet_program_step_lag_seconds", "");
  if (open_streams_) {
    Header(out, "chaosnet_api_streams_open", "gauge", "Watch and keep-alive streams open now.");
    out += "chaosnet_api_streams_open " + std::to_string(open_streams_()) + "\n";
  }
  return out;
}

}  // namespace chaosnet::api
