// Feature marks of the API (the `chaosnet.v1.feature` field option; see the
// compatibility note at the top of chaosnet.proto). The daemon announces what
// it was built with; clients check a request against a daemon's announcement
// before sending it, so an older daemon never receives a field it would
// silently ignore.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace chaosnet::features {

// Every feature name marked on a field of `root` or of a message reachable
// from it (sorted, once each).
std::set<std::string> DeclaredBy(const google::protobuf::Descriptor& root);

// Every feature this build's API declares: those reachable from the requests
// of chaosnet.v1.FaultService.
std::vector<std::string> DeclaredByApi();

// The features whose marked fields are set in `message` (recursively; a
// repeated field counts when it has elements).
std::set<std::string> UsedBy(const google::protobuf::Message& message);

// The features `message` uses that `announced` lacks (sorted).
std::vector<std::string> Missing(const google::protobuf::Message& message,
                                 const std::vector<std::string>& announced);

}  // namespace chaosnet::features
