#include "client/apply_from.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <regex>

#include "client/connection_settings.h"
#include "client/format.h"
#include "client/rpc.h"

namespace chaosnet::client {
namespace {

bool Blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

std::string ResponsesToJson(const std::vector<v1::CreateFaultResponse>& responses) {
  std::string out = "[";
  for (const auto& response : responses) {
    if (out.size() > 1) out += ",";
    out += ToJson(response);
  }
  return out + "]";
}

}  // namespace

Result<BatchFile> ParseBatchFile(std::istream& in) {
  BatchFile file;
  std::string line;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field would change the fault silently
  for (int number = 1; std::getline(in, line); ++number) {
    if (Blank(line)) continue;
    v1::CreateFaultRequest request;
    auto parsed = google::protobuf::util::JsonStringToMessage(line, &request, options);
    if (!parsed.ok()) {
      return InvalidArgument(
          "line " + std::to_string(number) +
          ": not a CreateFaultRequest in JSON: " + std::string(parsed.message()));
    }
    file.requests.push_back(std::move(request));
    file.lines.push_back(number);
  }
  if (file.requests.empty()) {
    return InvalidArgument("no requests: expected one CreateFaultRequest in JSON per line");
  }
  return file;
}

std::vector<std::pair<std::size_t, std::size_t>> SplitIntoGroups(
    const std::vector<v1::CreateFaultRequest>& requests, std::size_t max_items,
    std::size_t max_bytes) {
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::size_t begin = 0;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    // A repeated field's element costs its size plus a tag and a length.
    const std::size_t size = requests[i].ByteSizeLong() + 6;
    if (i > begin && (i - begin == max_items || bytes + size > max_bytes)) {
      groups.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (begin < requests.size()) groups.emplace_back(begin, requests.size());
  return groups;
}

std::string NameLine(const std::string& message, std::size_t group_begin,
                     const std::vector<int>& lines) {
  static const std::regex kItem("item ([0-9]+): ");
  std::smatch m;
  if (!std::regex_search(message, m, kItem)) return message;
  const std::size_t index = group_begin + std::stoul(m[1].str());
  if (index >= lines.size()) return message;
  return m.prefix().str() + "line " + std::to_string(lines[index]) + ": " + m.suffix().str();
}

Outcome ApplyFrom(const std::string& path, bool dry_run, const Settings& settings,
                  FaultClient& client, std::istream& in, std::ostream& out) {
  Result<BatchFile> file = InvalidArgument("unread");
  if (path == "-") {
    file = ParseBatchFile(in);
  } else {
    std::ifstream stream(path);
    if (!stream) return UsageError("cannot read " + path);
    file = ParseBatchFile(stream);
  }
  if (!file.ok()) return UsageError(path + ": " + file.status().message());

  std::vector<v1::CreateFaultResponse> responses;
  responses.reserve(file->requests.size());
  for (const auto& [begin, end] : SplitIntoGroups(file->requests, kMaxGroupItems, kMaxGroupBytes)) {
    v1::CreateFaultsRequest request;
    request.set_dry_run(dry_run);
    for (std::size_t i = begin; i < end; ++i) *request.add_requests() = file->requests[i];
    v1::CreateFaultsResponse response;
    Outcome o = client.CreateFaults(request, &response);
    if (!o.ok()) {
      o.message = NameLine(o.message, begin, file->lines);
      // Earlier groups were applied: take back what this command made.
      v1::RevokeFaultsRequest undo;
      for (const auto& r : responses) {
        if (!r.replayed() && !r.dry_run()) undo.add_ids(r.fault().id());
      }
      if (!undo.ids().empty()) {
        v1::RevokeFaultsResponse revoked;
        Outcome u = client.RevokeFaults(undo, &revoked);
        o.message += u.ok() ? "; the " + std::to_string(revoked.faults_size()) +
                                  " faults of earlier lines were revoked again"
                            : "; revoking the faults of earlier lines failed too (" + u.message +
                                  "): revoke them by hand";
      }
      return o;
    }
    for (auto& r : *response.mutable_results()) responses.push_back(std::move(r));
  }

  if (settings.output == OutputFormat::kJson) {
    out << ResponsesToJson(responses) << "\n";
  } else if (dry_run) {
    out << "dry run: " << responses.size() << " fault(s) checked, nothing applied\n";
  } else {
    for (const auto& r : responses) {
      out << r.fault().id() << (r.replayed() ? " (replayed)" : "") << "\n";
    }
  }
  return Outcome::Ok();
}

}  // namespace chaosnet::client
