// The link-model flags (issue 18) into the request: loss models in tc's own
// words, slots, ECN, netem's link rate, in-order, jam, profiles. Pure, like
// the rest of the request builder: a typo fails here (exit 2), before
// anything is sent. Errors name the flag.
#pragma once

#include <cstdint>
#include <string_view>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/options.h"
#include "common/result.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

// "gemodel P [R [1-H [1-K]]]" or "state P13 [P31 [P32 [P23 [P14]]]]", one
// argument, as tc-netem(8) reads it: percentages with or without '%', and
// tc's defaults for what is left out (gemodel: r = 100% - p, 1-h = 100%,
// 1-k = 0%; state: p31 = 100% - p13, p32 = 0%, p23 = 100%, p14 = 0%). The
// third gemodel number stays 1-h, the loss probability in the bad state.
Result<v1::LossModel> ParseLossModel(std::string_view text);

// Whether a loss value is a model ("gemodel ...", "state ...") rather than a
// percentage: `chaosnetctl loss eth0 'gemodel 1% 10%'` is the loss command
// with a model.
bool LooksLikeLossModel(std::string_view text);

// tc's sizes: a whole number of bytes, or with b, k/kb, m/mb, g/gb (1024s).
Result<uint64_t> ParseByteSize(std::string_view flag, std::string_view text, uint64_t max);

Status BuildLinkModels(const LinkModelOptions& options, v1::FaultSpec* spec);

// The spec asks for something through a link-model field (a loss model,
// slot, link rate, jam or profile) and so is not "no fault".
bool SetsLinkModel(const v1::FaultSpec& spec);

}  // namespace chaosnet::client
