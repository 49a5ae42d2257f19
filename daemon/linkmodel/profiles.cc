#include "daemon/linkmodel/profiles.h"

#include <chrono>

#include "common/units.h"

namespace chaosnet::linkmodel {
namespace {

using namespace std::chrono_literals;
using model::FaultSpec;

constexpr char kLoadero[] =
    "Loadero documentation, \"Network conditions\" "
    "(https://wiki.loadero.com/test-creation/participant-configuration/network-conditions/)";
constexpr char kPuppeteer[] =
    "Puppeteer's PredefinedNetworkConditions.ts, \"generally aligned with DevTools\" "
    "(https://github.com/puppeteer/puppeteer, "
    "packages/puppeteer-core/src/cdp/PredefinedNetworkConditions.ts)";

// What the sources give: a downlink rate, a latency, its jitter, a loss.
FaultSpec Conditions(uint64_t link_bits_per_second, std::chrono::nanoseconds delay,
                     std::chrono::nanoseconds jitter = 0ns, double loss_percent = 0) {
  FaultSpec s;
  if (link_bits_per_second != 0) s.link_rate = model::LinkRateFault{link_bits_per_second, 0, 0, 0};
  s.delay = model::DelayFault{delay, jitter, 0, model::DelayDistribution::kUniform};
  if (loss_percent > 0) s.loss = model::ProbabilityFault{loss_percent, 0};
  return s;
}

std::string LoaderoRow(const std::string& row, const std::string& values) {
  return std::string(kLoadero) + ", row \"" + row + "\": " + values +
         " (its kbps and mbps are bits; the incoming, i.e. downlink, value when two are "
         "given)";
}

FaultSpec WifiBusy() {
  FaultSpec s = Conditions(200'000'000, 20ms);
  model::SlotFault slot;
  slot.min_delay = 800us;
  slot.max_delay = 10ms;
  slot.max_bytes = 64 * 1024;
  slot.max_packets = 42;
  s.slot = slot;
  return s;
}

std::vector<LinkProfile> BuildTable() {
  return {
      {"3g", "3G (UMTS) as Loadero emulates it", LoaderoRow("3G", "1200kbps, 0.5%, 250ms, 50ms"),
       Conditions(1'200'000, 250ms, 50ms, 0.5)},
      {"hspa", "3.5G (HSPA)", LoaderoRow("3.5G/HSPDA", "20mbps / 10mbps, 0.5%, 150ms, 10ms"),
       Conditions(20'000'000, 150ms, 10ms, 0.5)},
      {"lte", "4G (LTE)", LoaderoRow("4G", "100mbps / 50mbps, 0.2%, 45ms, 5ms / 15ms"),
       Conditions(100'000'000, 45ms, 5ms, 0.2)},
      {"edge", "2.5G (EDGE)", LoaderoRow("Edge", "200kbps / 260kbps, 1%, 650ms, 100ms"),
       Conditions(200'000, 650ms, 100ms, 1)},
      {"gprs", "2.5G (GPRS)", LoaderoRow("GPRS", "80kbps / 20kbps, 1%, 650ms, 100ms"),
       Conditions(80'000, 650ms, 100ms, 1)},
      {"satellite-phone", "a satellite phone's data link",
       LoaderoRow("Satellite phone", "1000kbps / 256kbps, 600ms"), Conditions(1'000'000, 600ms)},
      {"satellite-geo", "one hop through a geostationary satellite: propagation alone",
       "RFC 2488 (Enhancing TCP Over Satellite Channels), section 2: 279.0 ms for one "
       "ground-satellite-ground hop from the edge of the satellite's view (239.6 ms directly "
       "below it); add --link-rate for the link's capacity",
       Conditions(0, 279ms)},
      {"devtools-slow-3g", "Chrome DevTools' \"Slow 3G\"",
       std::string(kPuppeteer) +
           ", \"Slow 3G\": download (500 kbit/s / 8) x 0.8 = 400 kbit/s, latency 400 ms x 5 "
           "= 2 s",
       Conditions(400'000, 2s)},
      {"devtools-fast-3g", "Chrome DevTools' \"Fast 3G\" (also its \"Slow 4G\")",
       std::string(kPuppeteer) +
           ", \"Fast 3G\": download (1.6 Mbit/s / 8) x 0.9 = 1.44 Mbit/s, latency 150 ms x 3.75 "
           "= 562.5 ms",
       Conditions(1'440'000, 562500us)},
      {"devtools-fast-4g", "Chrome DevTools' \"Fast 4G\"",
       std::string(kPuppeteer) +
           ", \"Fast 4G\": download (9 Mbit/s / 8) x 0.9 = 8.1 Mbit/s, latency 60 ms x 2.75 = "
           "165 ms",
       Conditions(8'100'000, 165ms)},
      {"wifi-busy", "shared Wi-Fi that delivers in aggregated bursts (netem slots)",
       "Linux commit 836af83b54e3 (\"netem: support delivering packets in delayed time slots\", "
       "Dave Taht, 2017), its Wi-Fi example: a 200mbit rate and a 20ms path delay, slots every "
       "800us to 10ms of at most 64k bytes and 42 packets (the example's two stacked netems in "
       "one: its inner 200us delay and queue limits are left out)",
       WifiBusy()},
  };
}

std::string Names() {
  std::string out;
  for (const LinkProfile& p : Profiles()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

}  // namespace

const std::vector<LinkProfile>& Profiles() {
  static const std::vector<LinkProfile> kTable = BuildTable();
  return kTable;
}

const LinkProfile* FindProfile(std::string_view name) {
  for (const LinkProfile& p : Profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Result<FaultSpec> ApplyProfile(const FaultSpec& spec) {
  if (spec.profile.empty()) return spec;
  const LinkProfile* profile = FindProfile(spec.profile);
  if (profile == nullptr) {
    return InvalidArgument("profile: unknown " + units::QuoteInput(spec.profile) + " (known: " +
                           Names() + "; `chaosnetctl profiles` shows what each one sets)");
  }
  if (spec.partition || spec.jam) {
    return InvalidArgument(std::string("profile: a ") + (spec.partition ? "partition" : "jam") +
                           " replaces every impairment, so it takes no profile; drop --profile");
  }
  const FaultSpec& base = profile->impairments;
  FaultSpec out = spec;
  if (!out.delay) out.delay = base.delay;
  if (!out.loss && !out.loss_model) {
    out.loss = base.loss;
    out.loss_model = base.loss_model;
  }
  if (!out.duplicate) out.duplicate = base.duplicate;
  if (!out.corrupt) out.corrupt = base.corrupt;
  if (!out.reorder) out.reorder = base.reorder;
  if (!out.rate) out.rate = base.rate;
  if (!out.link_rate) out.link_rate = base.link_rate;
  if (!out.slot) out.slot = base.slot;
  return out;
}

}  // namespace chaosnet::linkmodel
