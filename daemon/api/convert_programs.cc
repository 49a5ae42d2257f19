#include "daemon/api/convert_programs.h"

#include "daemon/api/convert.h"

namespace chaosnet::api {
namespace {

Status Invalid(const std::string& what, const std::string& message) {
  return InvalidArgument("program " + what + ": " + message);
}

Result<program::Nanos> Duration(const std::string& what, const google::protobuf::Duration& d) {
  auto ns = FromProto(d);
  if (!ns.ok()) return Invalid(what, ns.status().message());
  return *ns;
}

Result<program::Values> ValuesFromProto(const std::string& what, const pb::ProgramValues& in) {
  program::Values v;
  if (in.has_delay()) {
    ASSIGN_OR_RETURN(v.delay, Duration(what + " delay", in.delay()));
  }
  if (in.has_jitter()) {
    ASSIGN_OR_RETURN(v.jitter, Duration(what + " jitter", in.jitter()));
  }
  if (in.has_loss_percent()) v.loss = in.loss_percent();
  if (in.has_duplicate_percent()) v.duplicate = in.duplicate_percent();
  if (in.has_corrupt_percent()) v.corrupt = in.corrupt_percent();
  if (in.has_rate_bits_per_second()) v.rate = in.rate_bits_per_second();
  return v;
}

void ValuesToProto(const program::Values& v, pb::ProgramValues* out) {
  if (v.delay) ToProto(*v.delay, out->mutable_delay());
  if (v.jitter) ToProto(*v.jitter, out->mutable_jitter());
  if (v.loss) out->set_loss_percent(*v.loss);
  if (v.duplicate) out->set_duplicate_percent(*v.duplicate);
  if (v.corrupt) out->set_corrupt_percent(*v.corrupt);
  if (v.rate) out->set_rate_bits_per_second(*v.rate);
}

}  // namespace

Result<program::Program> ProgramFromProto(const pb::Program& in) {
  program::Program p;
  switch (in.shape_case()) {
    case pb::Program::kRamp: {
      const pb::ProgramRamp& r = in.ramp();
      program::Ramp ramp;
      ASSIGN_OR_RETURN(ramp.from, ValuesFromProto("ramp from", r.from()));
      ASSIGN_OR_RETURN(ramp.to, ValuesFromProto("ramp to", r.to()));
      ASSIGN_OR_RETURN(ramp.over, Duration("ramp over", r.over()));
      ASSIGN_OR_RETURN(ramp.step, Duration("ramp step", r.step()));
      p.shape = ramp;
      break;
    }
    case pb::Program::kSteps: {
      program::StepList list;
      for (int i = 0; i < in.steps().steps_size(); ++i) {
        const pb::ProgramStep& s = in.steps().steps(i);
        const std::string what = "step " + std::to_string(i + 1);
        program::Step step;
        ASSIGN_OR_RETURN(step.duration, Duration(what + " duration", s.duration()));
        ASSIGN_OR_RETURN(step.values, ValuesFromProto(what, s.values()));
        step.source_line = s.source_line();
        list.steps.push_back(std::move(step));
      }
      p.shape = std::move(list);
      break;
    }
    case pb::Program::kFlap: {
      program::Flap flap;
      ASSIGN_OR_RETURN(flap.on, Duration("flap on", in.flap().on()));
      ASSIGN_OR_RETURN(flap.off, Duration("flap off", in.flap().off()));
      p.shape = flap;
      break;
    }
    default: return InvalidArgument("program: needs a ramp, steps or a flap");
  }
  p.repeat = in.repeat() == 0 ? 1 : in.repeat();
  p.forever = in.forever();
  p.source = in.source();
  return p;
}

void ProgramToProto(const program::Program& p, pb::Program* out) {
  if (const auto* ramp = std::get_if<program::Ramp>(&p.shape)) {
    pb::ProgramRamp* r = out->mutable_ramp();
    ValuesToProto(ramp->from, r->mutable_from());
    ValuesToProto(ramp->to, r->mutable_to());
    ToProto(ramp->over, r->mutable_over());
    ToProto(ramp->step, r->mutable_step());
  } else if (const auto* list = std::get_if<program::StepList>(&p.shape)) {
    pb::ProgramSteps* steps = out->mutable_steps();
    for (const program::Step& s : list->steps) {
      pb::ProgramStep* step = steps->add_steps();
      ToProto(s.duration, step->mutable_duration());
      ValuesToProto(s.values, step->mutable_values());
      step->set_source_line(s.source_line);
    }
  } else {
    const auto& flap = std::get<program::Flap>(p.shape);
    ToProto(flap.on, out->mutable_flap()->mutable_on());
    ToProto(flap.off, out->mutable_flap()->mutable_off());
  }
  out->set_repeat(p.repeat);
  out->set_forever(p.forever);
  out->set_source(p.source);
}

void ProgramPositionToProto(const core::ProgramProgress& p, pb::ProgramPosition* out) {
  out->set_cycle(p.position.cycle);
  out->set_index(p.position.index);
  out->set_steps_per_cycle(p.steps_per_cycle);
  ValuesToProto(p.values, out->mutable_values());
  out->set_off(p.off);
  ToProto(p.step_due_at, out->mutable_step_due_at());
  if (p.position.next) ToProto(p.next_step_at, out->mutable_next_step_at());
  ToProto(p.applied_at, out->mutable_applied_at());
  out->set_steps_applied(p.steps_applied);
  ToProto(p.last_lag, out->mutable_last_lag());
}

}  // namespace chaosnet::api
