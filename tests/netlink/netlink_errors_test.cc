// Kernel answers -> Status, and the names objects get in messages. The
// errno/extack pairs are the ones measured on 6.18 with tc.
#include "daemon/netlink/netlink_errors.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "daemon/netlink/tc_object_text.h"

namespace chaosnet::netlink {
namespace {

struct GoneCase {
  int error;
  const char* ext_ack;
  bool gone;
};

TEST(NetlinkErrorsTest, WhichDeleteFailuresMeanAlreadyGone) {
  const GoneCase cases[] = {
      {ENOENT, "", true},  // class del of a missing class: no extack at all
      {ENOENT, "Filter with specified priority/protocol not found.", true},
      {ENOENT, "Cannot find specified filter chain.", true},
      {ENOENT, "Cannot find specified qdisc on specified device.", true},
      {ENODEV, "", true},
      {EINVAL, "Parent Qdisc doesn't exists.", true},
      {EINVAL, "Invalid handle.", true},  // root replaced by someone else's
      {EINVAL, "Protocol mismatch for filter with specified priority.", false},
      {EINVAL, "", false},
      {EBUSY, "HTB class in use.", false},
      {EPERM, "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsAlreadyGone(KernelError{c.error, c.ext_ack}), c.gone)
        << "errno " << c.error << " \"" << c.ext_ack << "\"";
  }
}

struct StatusCase {
  int error;
  const char* ext_ack;
  StatusCode code;
  const char* must_contain;  // besides `what` and the kernel's own words
};

TEST(NetlinkErrorsTest, MapsErrnoAndExtackToCodesKeepingTheKernelsWords) {
  const StatusCase cases[] = {
      {ENOENT, "TC classifier not found.", StatusCode::kFailedPrecondition, "lacks the u32 module"},
      {ENOENT, "Failed to load TC action module.", StatusCode::kFailedPrecondition, "u32 module"},
      {ENOENT, "", StatusCode::kNotFound, "No such file or directory"},
      {ENOENT, "Failed to find specified qdisc", StatusCode::kNotFound, "does not exist"},
      {ENODEV, "", StatusCode::kNotFound, "No such device"},
      {EEXIST, "NLM_F_REPLACE needed to override.", StatusCode::kAlreadyExists, "already exists"},
      {EPERM, "", StatusCode::kPermissionDenied, "CAP_NET_ADMIN"},
      {EACCES, "", StatusCode::kPermissionDenied, "CAP_NET_ADMIN"},
      {EINVAL, "Parent Qdisc doesn't exists.", StatusCode::kInvalidArgument, "rejected it"},
      {EINVAL, "Invalid handle.", StatusCode::kInvalidArgument, "rejected it"},
      {ERANGE, "", StatusCode::kInvalidArgument, "rejected it"},
      {EBUSY, "HTB class in use.", StatusCode::kFailedPrecondition, "in use"},
      {EBUSY, "", StatusCode::kFailedPrecondition, "Device or resource busy"},
      {EOPNOTSUPP, "no offload", StatusCode::kFailedPrecondition, "not supported"},
      {EIO, "", StatusCode::kInternal, "unexpected kernel error"},
  };
  for (const auto& c : cases) {
    const Status s = KernelErrorStatus(KernelError{c.error, c.ext_ack}, "adding X", "u32");
    EXPECT_EQ(s.code(), c.code) << "errno " << c.error << " \"" << c.ext_ack
                                << "\": " << s.message();
    EXPECT_EQ(s.message().rfind("adding X: ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(c.ext_ack), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(c.must_contain), std::string::npos) << s.message();
  }
  EXPECT_TRUE(KernelErrorStatus(KernelError{}, "adding X", "u32").ok());
}

TEST(NetlinkErrorsTest, UnknownKindNamesModuleAndConfigOptionFromTheCapabilityTable) {
  const KernelError unknown{ENOENT, "Specified qdisc kind is unknown."};
  Status s = KernelErrorStatus(unknown, "adding netem qdisc 1005: under ca00:5", "netem");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "adding netem qdisc 1005: under ca00:5: kernel has no netem qdisc: load sch_netem or "
            "enable CONFIG_NET_SCH_NETEM");
  s = KernelErrorStatus(unknown, "adding ingress qdisc ffff:", "ingress");
  EXPECT_EQ(s.message(),
            "adding ingress qdisc ffff:: kernel has no ingress qdisc: load sch_ingress or enable "
            "CONFIG_NET_SCH_INGRESS");
  s = KernelErrorStatus(unknown, "adding X", "u32");
  EXPECT_EQ(s.message(),
            "adding X: kernel has no u32 classifier: load cls_u32 or enable CONFIG_NET_CLS_U32");
}

TEST(TcObjectTextTest, NamesObjectsInTcSpelling) {
  plan::TreeQdisc root{0xCA000000, plan::kRootParent, plan::HtbQdisc{}};
  plan::TreeQdisc leaf{0x10050000, 0xCA000005, plan::NetemQdisc{}};
  plan::TreeQdisc ingress{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}};
  plan::HtbClass cls;
  cls.classid = 0xCA000005;
  plan::U32Classifier filter{0xCA000000, 1002, plan::FilterProtocol::kIp, 0xCA000005, {}};
  plan::RedirectFilter redirect;
  redirect.to_device = "cnifb0";
  const struct {
    plan::TcObject object;
    const char* kind;
    const char* text;
  } cases[] = {
      {root, "htb", "htb qdisc ca00:"},
      {leaf, "netem", "netem qdisc 1005: under ca00:5"},
      {ingress, "ingress", "ingress qdisc ffff:"},
      {cls, "htb", "htb class ca00:5"},
      {filter, "u32", "u32 filter prio 1002 protocol ip on ca00:"},
      {redirect, "u32", "redirect filter prio 1 on ffff: (to cnifb0)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TcObjectKind(c.object), c.kind);
    EXPECT_EQ(TcObjectName(c.object), c.text);
  }
}

}  // namespace
}  // namespace chaosnet::netlink
