#include "client/guard_flags.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>

#include <CLI/CLI.hpp>

#include "client/flag_values.h"

namespace chaosnet::client {
namespace {

using google::protobuf::util::TimeUtil;

Status SetDuration(std::string_view flag, const std::string& text,
                   google::protobuf::Duration* out) {
  auto d = ParseFlagDuration(flag, text);
  if (!d.ok()) return d.status();
  *out = TimeUtil::NanosecondsToDuration(d->count());
  return Status::Ok();
}

std::string Milliseconds(const google::protobuf::Duration& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms",
                static_cast<double>(TimeUtil::DurationToNanoseconds(d)) / 1e6);
  return buf;
}

std::string ResultName(v1::GuardResult r) {
  switch (r) {
    case v1::GUARD_RESULT_PASS: return "pass";
    case v1::GUARD_RESULT_FAIL: return "FAIL";
    case v1::GUARD_RESULT_UNDECIDED: return "undecided";
    default: return "not checked yet";
  }
}

}  // namespace

void AddGuardFlags(CLI::App* cmd, CreateOptions& o) {
  cmd->add_option("--guard", o.guards,
                  "Halt the fault when this check fails (repeatable): tcp:IP:PORT, "
                  "http://IP[:PORT]/PATH[,status=200-399], drops<N%, backlog<N, retransmits<N/s");
  cmd->add_option("--guard-interval", o.guard_interval, "Time between guard checks (default 1s)");
  cmd->add_option("--guard-timeout", o.guard_timeout,
                  "A check not answered in this time failed (default: interval / 2)");
  cmd->add_option("--guard-failures", o.guard_failures,
                  "Failures in a row that halt the fault (default 1)");
  cmd->add_option("--guard-grace", o.guard_grace,
                  "No check counts this long after apply (default: one interval)");
}

Status BuildGuards(const CreateOptions& o, v1::FaultSpec* spec) {
  const bool options = !o.guard_interval.empty() || !o.guard_timeout.empty() ||
                       !o.guard_failures.empty() || !o.guard_grace.empty();
  if (o.guards.empty()) {
    if (options) return InvalidArgument("--guard-* options need at least one --guard");
    return Status::Ok();
  }
  auto* guards = spec->mutable_guards();
  for (const auto& check : o.guards) guards->add_checks(check);
  // Unset durations stay unset: the daemon's defaults.
  if (!o.guard_interval.empty()) {
    RETURN_IF_ERROR(SetDuration("--guard-interval", o.guard_interval, guards->mutable_interval()));
  }
  if (!o.guard_timeout.empty()) {
    RETURN_IF_ERROR(SetDuration("--guard-timeout", o.guard_timeout, guards->mutable_timeout()));
  }
  if (!o.guard_grace.empty()) {
    RETURN_IF_ERROR(SetDuration("--guard-grace", o.guard_grace, guards->mutable_grace()));
  }
  if (!o.guard_failures.empty()) {
    auto n = ParseUnsigned("--guard-failures", o.guard_failures, 1000);
    if (!n.ok()) return n.status();
    if (*n == 0) return FlagError("--guard-failures", "must be at least 1");
    guards->set_failures(static_cast<uint32_t>(*n));
  }
  return Status::Ok();
}

std::vector<std::vector<std::string>> GuardRows(const v1::Fault& fault) {
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < fault.guards_size(); ++i) {
    const v1::GuardStatus& g = fault.guards(i);
    std::string text = g.check() + ": " + ResultName(g.result());
    if (g.result() != v1::GUARD_RESULT_UNSPECIFIED) {
      text += " in " + Milliseconds(g.latency());
      if (!g.observed().empty()) text += " (" + g.observed() + ")";
      text += ", " + std::to_string(g.checks()) + " checks, " + std::to_string(g.failures()) +
              " failed";
    }
    rows.push_back({i == 0 ? "guards:" : "", text});
  }
  return rows;
}

}  // namespace chaosnet::client
